"""A unit's periodic report as files: an XLSX workbook of its figures and a DOCX report.

Both renderers are pure: they take a ``ReportDocument`` (the figures view plus what a person
wrote and the document's particulars) and return bytes, so the service can stream them, store
them or attach them without this module touching a disk or the network.

Choices a caller should know:

- Areas come in the order of ``Area`` and indicators in the order of the catalog
  (``INDICATORS``), whatever order the view lists them in, so two exports of the same unit can
  be compared side by side. Every area gets its sheet and its heading, even one without figures,
  so a missing area is visibly empty rather than silently absent.
- A rate's amount and a change's percent are read as percentages (92.3 means 92.3%), as the
  contract's ``IndicatorKind.RATE`` says. The workbook stores them as fractions with a percent
  number format, which is what Excel calls a percentage; the report writes them out.
- A rate is compared with the year before in percentage points ("tăng 2,1 điểm phần trăm"),
  not in percent of itself, which would mislead.
- The DOCX follows the layout of Decree 30/2020/NĐ-CP (header table, national emblem line, the
  place and date line, title, sections, recipients and signature). With ``language="en"`` the
  labels, sentences and headings are English; the header block, the date line and the signature
  stay Vietnamese because they are the document's legal form.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

from danvan.clock import VIETNAM
from danvan.contracts.reporting import (
    AREA_LABELS,
    DIMENSIONS,
    INDICATORS,
    Area,
    Boundaries,
    Breakdown,
    Change,
    Figure,
    FiguresView,
    IndicatorKind,
    StreamPosition,
)
from danvan.spreadsheets import DOCX_MEDIA_TYPE, XLSX_MEDIA_TYPE
from danvan.text import fold

__all__ = [
    "DOCX_MEDIA_TYPE",
    "XLSX_MEDIA_TYPE",
    "Concern",
    "Narrative",
    "ReportDocument",
    "export_filename",
    "render_docx",
    "render_xlsx",
]


STATUSES: Final = ("draft", "submitted", "returned", "approved")
LANGUAGES: Final = ("vi", "en")

# openpyxl ships no type hints; its objects are Any here rather than a dependency on stubs.
_Sheet = Any
_Cellx = Any


# ---- the document -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Narrative:
    """The narrative parts of a periodic report (may be empty strings)."""

    results: str = ""
    limitations: str = ""
    tasks: str = ""


@dataclass(frozen=True)
class Concern:
    """One concern of the monthly report on the people's situation."""

    topic: str
    description: str
    units: list[str]  # display names of the units where it arises
    hot_spot: bool


@dataclass(frozen=True)
class ReportDocument:
    view: FiguresView
    issuing_body: str  # e.g. "BAN DÂN VẬN THÀNH ỦY HÀ NỘI" or the unit's name in capitals
    parent_body: str  # the line above it, e.g. "THÀNH ỦY HÀ NỘI" ("" if none)
    number: str  # e.g. "15-BC/BDVTU"; "" when the report has no number yet
    place: str  # e.g. "Hà Nội"
    issued_on: date
    title: str  # e.g. "BÁO CÁO Kết quả công tác dân vận năm 2024"
    narrative: Narrative
    concerns: list[Concern]
    status: str  # "draft", "submitted", "returned" or "approved"
    language: str = "vi"  # "vi" (default) or "en" for labels

    def __post_init__(self) -> None:
        # Refused here rather than rendered as a raw code in a document someone will sign.
        if self.status not in STATUSES:
            raise ValueError(f"unknown report status {self.status!r}: expected one of {STATUSES}")
        if self.language not in LANGUAGES:
            raise ValueError(f"unsupported language {self.language!r}: expected 'vi' or 'en'")


# ---- words ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Words:
    """What the documents say in one language; templates take ``{year}`` and ``{value}``."""

    summary_sheet: str
    unit: str
    unit_code: str
    issuing_body: str
    number: str
    title: str
    period: str
    basis: str
    boundaries: str
    start: str
    end: str
    previous_start: str
    previous_end: str
    issued_on: str
    status: str
    current_as_of: str
    stream: str
    sequence: str
    event_time: str
    applied_at: str
    indicator: str
    same_period: str
    change: str
    change_percent: str
    at_this_level: str
    children: str
    total: str
    by_dimension: str
    no_figures: str
    results: str
    general_assessment: str
    limitations: str
    tasks: str
    people: str
    empty: str
    no_data: str
    same: str
    up: str
    down: str
    under: str
    points: str
    points_short: str
    nothing_before: str
    no_rate_before: str
    of_which: str
    concerns_count: str
    hot_spots_count: str
    hot_spot: str
    where: str
    period_line: str
    recipients: str
    to_parent: str
    archive: str
    thousands: str
    decimal: str
    basis_labels: dict[str, str]
    boundary_labels: dict[Boundaries, str]
    status_labels: dict[str, str]


_VI = _Words(
    summary_sheet="Tổng hợp",
    unit="Đơn vị",
    unit_code="Mã đơn vị",
    issuing_body="Cơ quan báo cáo",
    number="Số",
    title="Tiêu đề",
    period="Kỳ báo cáo",
    basis="Cách tính kỳ",
    boundaries="Địa giới",
    start="Từ ngày",
    end="Đến ngày",
    previous_start="Cùng kỳ năm trước, từ ngày",
    previous_end="Cùng kỳ năm trước, đến ngày",
    issued_on="Ngày báo cáo",
    status="Trạng thái",
    current_as_of="Số liệu cập nhật đến",
    stream="Nguồn dữ liệu",
    sequence="Sự kiện cuối",
    event_time="Thời điểm sự kiện",
    applied_at="Thời điểm cập nhật",
    indicator="Chỉ tiêu",
    same_period="Cùng kỳ năm {year}",
    change="Tăng, giảm",
    change_percent="Tăng, giảm (%)",
    at_this_level="Trong đó: tại cấp này",
    children="Các đơn vị trực thuộc",
    total="Tổng cộng",
    by_dimension="Theo {value}",
    no_figures="Không có số liệu trong kỳ.",
    results="KẾT QUẢ THỰC HIỆN",
    general_assessment="Đánh giá chung",
    limitations="HẠN CHẾ",
    tasks="NHIỆM VỤ TRỌNG TÂM",
    people="TÌNH HÌNH NHÂN DÂN",
    empty="(Chưa có nội dung)",
    no_data="chưa có số liệu để tính",
    same="bằng cùng kỳ năm {year}",
    up="tăng {value} so với cùng kỳ năm {year}",
    down="giảm {value} so với cùng kỳ năm {year}",
    under="dưới {value}",
    points="{value} điểm phần trăm",
    points_short="{value} điểm %",
    nothing_before="cùng kỳ năm {year} không có",
    no_rate_before="cùng kỳ năm {year} chưa có số liệu để so sánh",
    of_which="trong đó: {value}",
    concerns_count="Có {value} vấn đề Nhân dân quan tâm",
    hot_spots_count=", trong đó {value} điểm nóng",
    hot_spot="(điểm nóng)",
    where="Địa bàn",
    period_line="Kỳ báo cáo: {value}",
    recipients="Nơi nhận:",
    to_parent="- {value} (để báo cáo);",
    archive="- Lưu: VT.",
    thousands=".",
    decimal=",",
    basis_labels={
        "calendar": "Theo tháng, quý, năm dương lịch",
        "cutoff": "Theo ngày chốt số liệu (Nghị định 09/2019/NĐ-CP)",
    },
    boundary_labels={
        Boundaries.CURRENT: "Theo đơn vị hành chính hiện hành",
        Boundaries.HISTORICAL: "Theo đơn vị hành chính tại thời điểm ghi nhận",
    },
    status_labels={
        "draft": "Dự thảo",
        "submitted": "Đã gửi, chờ duyệt",
        "returned": "Bị trả lại",
        "approved": "Đã duyệt",
    },
)

_EN = _Words(
    summary_sheet="Summary",
    unit="Unit",
    unit_code="Unit code",
    issuing_body="Issuing body",
    number="Number",
    title="Title",
    period="Period",
    basis="Period basis",
    boundaries="Boundaries",
    start="From",
    end="To",
    previous_start="Same period last year, from",
    previous_end="Same period last year, to",
    issued_on="Issued on",
    status="Status",
    current_as_of="Figures current as of",
    stream="Source",
    sequence="Last event",
    event_time="Event time",
    applied_at="Applied at",
    indicator="Indicator",
    same_period="Same period of {year}",
    change="Change",
    change_percent="Change (%)",
    at_this_level="Of which at this level",
    children="Units below",
    total="Total",
    by_dimension="By {value}",
    no_figures="No figures for the period.",
    results="RESULTS",
    general_assessment="General assessment",
    limitations="LIMITATIONS",
    tasks="KEY TASKS",
    people="THE PEOPLE'S SITUATION",
    empty="(No content yet)",
    no_data="cannot be computed yet",
    same="the same as in the same period of {year}",
    up="up {value} on the same period of {year}",
    down="down {value} on the same period of {year}",
    under="less than {value}",
    points="{value} percentage points",
    points_short="{value} pp",
    nothing_before="none in the same period of {year}",
    no_rate_before="no figure for the same period of {year} to compare with",
    of_which="of which: {value}",
    concerns_count="{value} concerns of the people",
    hot_spots_count=", {value} of them hot spots",
    hot_spot="(hot spot)",
    where="Where",
    period_line="Period: {value}",
    recipients="Nơi nhận:",
    to_parent="- {value} (để báo cáo);",
    archive="- Lưu: VT.",
    thousands=",",
    decimal=".",
    basis_labels={
        "calendar": "Calendar months, quarters and years",
        "cutoff": "Data cut-off dates (Decree 09/2019/NĐ-CP)",
    },
    boundary_labels={
        Boundaries.CURRENT: "Units in force today",
        Boundaries.HISTORICAL: "Units as recorded at the time",
    },
    status_labels={
        "draft": "Draft",
        "submitted": "Submitted, awaiting review",
        "returned": "Returned",
        "approved": "Approved",
    },
)


def _words(language: str) -> _Words:
    return _EN if language == "en" else _VI


# How the Vietnamese report states each indicator; ``{value}`` is the formatted amount. An
# indicator missing here (a new one in the catalog) is stated as "label: amount".
_VI_STATEMENTS: Final[dict[str, str]] = {
    "models.registered": "Đăng ký {value} mô hình “Dân vận khéo”",
    "models.recognised": "Công nhận {value} mô hình “Dân vận khéo”",
    "exemplars.registered": "Đăng ký {value} điển hình “Dân vận khéo”",
    "exemplars.recognised": "Công nhận {value} điển hình “Dân vận khéo”",
    "awards.granted": "Khen thưởng {value} lượt mô hình, điển hình",
    "visits.received": "Tiếp {value} lượt công dân",
    "visits.people": "Có {value} lượt người được tiếp",
    "reception.head_days": "Người đứng đầu tiếp công dân định kỳ {value} ngày",
    "reception.head_days_required": "Số ngày tiếp định kỳ theo quy định là {value} ngày",
    "reception.schedule_rate": "Tỷ lệ thực hiện lịch tiếp định kỳ đạt {value}",
    "crowd.delegations": "Tiếp {value} lượt đoàn đông người",
    "crowd.people": "Các đoàn đông người có {value} người",
    "crowd.cases": "Có {value} vụ việc đông người",
    "petitions.received": "Tiếp nhận {value} đơn thư",
    "petitions.accepted": "Thụ lý {value} vụ việc",
    "petitions.resolved": "Giải quyết {value} vụ việc",
    "petitions.resolved_on_time": "Giải quyết đúng hạn {value} vụ việc",
    "petitions.overdue": "Còn {value} vụ việc quá hạn",
    "petitions.days_to_resolve": "Tổng số ngày giải quyết là {value} ngày",
    "petitions.resolution_rate": "Tỷ lệ giải quyết đạt {value}",
    "petitions.on_time_rate": "Tỷ lệ giải quyết đúng hạn đạt {value}",
    "petitions.average_days": "Thời gian giải quyết bình quân {value} ngày",
    "dialogues.held": "Tổ chức {value} hội nghị đối thoại",
    "dialogues.participants": "Có {value} lượt người dự đối thoại",
    "follow_ups.promised": "Cam kết {value} nội dung sau đối thoại",
    "follow_ups.done": "Đã thực hiện {value} nội dung cam kết",
    "follow_ups.done_rate": "Tỷ lệ thực hiện cam kết đạt {value}",
    "supervision.sessions": "Tổ chức {value} cuộc giám sát",
    "critique.sessions": "Tổ chức {value} hội nghị phản biện xã hội",
    "inspections.held": "Tổ chức {value} cuộc kiểm tra",
}


# ---- shared reading of the view ---------------------------------------------------------------

_CATALOG_RANK: Final = {code: rank for rank, code in enumerate(INDICATORS)}


def _catalog_order(figures: Iterable[Figure]) -> list[Figure]:
    # sorted() is stable, so indicators unknown to the catalog keep the view's order, last.
    return sorted(figures, key=lambda figure: _CATALOG_RANK.get(figure.indicator, len(INDICATORS)))


def _in_area(figures: Iterable[Figure], area: Area) -> list[Figure]:
    return _catalog_order(figure for figure in figures if figure.area == area)


def _label(labels: dict[str, str], language: str, fallback: str = "") -> str:
    return labels.get(language) or labels.get("vi") or fallback


def _period_label(document: ReportDocument) -> str:
    return _label(document.view.period_label, document.language, document.view.period)


def _previous_year(view: FiguresView) -> int:
    # The end's year names the comparison period under both bases: a cut-off year 2024 runs
    # from 15/12/2023, and its "cùng kỳ" ends on 14/12/2023.
    return view.previous_end.year


def _by_dimension(breakdown: Sequence[Breakdown]) -> dict[str, list[Breakdown]]:
    groups: dict[str, list[Breakdown]] = {}
    for part in breakdown:
        groups.setdefault(part.dimension, []).append(part)
    return groups


def _dimension_label(code: str, language: str) -> str:
    dimension = DIMENSIONS.get(code)
    return code if dimension is None else _label(dimension.labels, language, code)


def _lower_first(text: str) -> str:
    """Lower the first letter inside a sentence ("Khiếu nại" → "khiếu nại"), not an acronym's."""
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


# ---- numbers ----------------------------------------------------------------------------------


def _number(value: float, decimals: int, words: _Words) -> str:
    """22858 → "22.858", 5.65 → "5,7" in Vietnamese; half rounds up, as people count."""
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    text = f"{rounded:,.{decimals}f}"
    separators: dict[str, str | int | None] = {",": words.thousands, ".": words.decimal}
    return text.translate(str.maketrans(separators))


def _quantity(value: float, words: _Words) -> str:
    """A count or a sum: whole numbers without decimals, a fraction with up to two."""
    if float(value).is_integer():
        return _number(value, 0, words)
    text = _number(value, 2, words)
    return text.rstrip("0").rstrip(words.decimal)


def _amount_text(value: float, kind: IndicatorKind, words: _Words) -> str:
    if kind is IndicatorKind.RATE:
        return _number(value, 1, words) + "%"
    if kind is IndicatorKind.AVERAGE:
        return _number(value, 1, words)
    return _quantity(value, words)


def _signed(value: float, words: _Words) -> str:
    sign = "+" if value > 0 else "-" if value < 0 else ""
    return sign + _number(abs(value), 1, words)


# ---- XLSX -------------------------------------------------------------------------------------

_SHEET_NAME_LIMIT: Final = 31  # Excel refuses longer sheet names
_FORBIDDEN_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
_QUOTES = re.compile(r"[“”\"‘’]")

_TITLE_ROW: Final = 1
_SUBTITLE_ROW: Final = 2
_HEADER_ROW: Final = 3
_LABEL_WIDTH: Final = 48
_VALUE_WIDTH: Final = 16
_DATE_FORMAT: Final = "DD/MM/YYYY"
_DATETIME_FORMAT: Final = "DD/MM/YYYY HH:MM"
_PERCENT_CHANGE_FORMAT: Final = "+0.0%;-0.0%;0.0%"

_AMOUNT_FORMATS: Final = {
    IndicatorKind.COUNT: "#,##0",
    IndicatorKind.SUM: "#,##0",
    IndicatorKind.RATE: "0.0%",
    IndicatorKind.AVERAGE: "#,##0.0",
}
_CHANGE_FORMATS: Final = {
    IndicatorKind.COUNT: "+#,##0;-#,##0;0",
    IndicatorKind.SUM: "+#,##0;-#,##0;0",
    IndicatorKind.RATE: _PERCENT_CHANGE_FORMAT,
    IndicatorKind.AVERAGE: "+#,##0.0;-#,##0.0;0.0",
}
_BOLD: Final = Font(bold=True)
_ITALIC: Final = Font(italic=True)
_WRAP: Final = Alignment(wrap_text=True, vertical="top")


def render_xlsx(document: ReportDocument) -> bytes:
    """The workbook: a summary sheet, then one sheet per area in the order of ``Area``."""
    words = _words(document.language)
    workbook = Workbook()
    summary = workbook.active
    summary.title = words.summary_sheet
    _write_summary(summary, document, words)
    taken = [words.summary_sheet]
    for area in Area:
        name = _sheet_name(_label(AREA_LABELS[area], document.language, area.value), taken)
        taken.append(name)
        _write_area_sheet(workbook.create_sheet(title=name), document, area, words)
    _set_workbook_properties(workbook, document, words)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_name(label: str, taken: Sequence[str]) -> str:
    """A name Excel accepts: no ``[]:*?/\\``, at most 31 characters, unique ignoring case."""
    name = _FORBIDDEN_IN_SHEET_NAME.sub("-", unicodedata.normalize("NFC", label)).strip(" '")
    if len(name) > _SHEET_NAME_LIMIT:
        # Quotes around “Dân vận khéo” are decoration: dropping them keeps more of the words.
        name = _QUOTES.sub("", name)
    name = _shorten(name, _SHEET_NAME_LIMIT) or "Sheet"
    return _unique(name, {existing.casefold() for existing in taken})


def _shorten(text: str, limit: int) -> str:
    """Cut at the last whole word that fits, so a sheet tab never ends mid-word."""
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut[:limit].rstrip(" ,;.-'")


def _unique(name: str, taken: set[str]) -> str:
    candidate, counter = name, 1
    while candidate.casefold() in taken:
        counter += 1
        suffix = f" ({counter})"
        candidate = _shorten(name, _SHEET_NAME_LIMIT - len(suffix)) + suffix
    return candidate


def _put(sheet: _Sheet, row: int, column: int, value: object, number_format: str = "") -> _Cellx:
    """Write a value; text stays text even when it starts with "=" (openpyxl's formula mark)."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.value = text
        if text.startswith("="):
            cell.data_type = "s"
    else:
        cell.value = value
    if number_format and value is not None:
        cell.number_format = number_format
    return cell


def _header(sheet: _Sheet, row: int, names: Sequence[str]) -> None:
    for column, name in enumerate(names, start=1):
        cell = _put(sheet, row, column, name)
        cell.font = _BOLD
        cell.alignment = _WRAP


def _local(moment: datetime | None) -> datetime | None:
    # XLSX holds no time zone: show the moment as it reads in Vietnam.
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(VIETNAM).replace(tzinfo=None)


def _write_summary(sheet: _Sheet, document: ReportDocument, words: _Words) -> None:
    view = document.view
    _put(sheet, _TITLE_ROW, 1, document.title).font = Font(bold=True, size=13)
    _put(sheet, _SUBTITLE_ROW, 1, document.issuing_body).font = _BOLD
    rows: list[tuple[str, object, str]] = [
        (words.unit, f"{view.name} ({view.unit_code})", ""),
        (words.issuing_body, document.issuing_body, ""),
        (words.number, document.number, ""),
        (words.title, document.title, ""),
        (words.period, f"{_period_label(document)} ({view.period})", ""),
        (words.basis, words.basis_labels.get(view.basis, view.basis), ""),
        (words.boundaries, words.boundary_labels[Boundaries(view.boundaries)], ""),
        (words.start, view.start, _DATE_FORMAT),
        (words.end, view.end, _DATE_FORMAT),
        (words.previous_start, view.previous_start, _DATE_FORMAT),
        (words.previous_end, view.previous_end, _DATE_FORMAT),
        (words.issued_on, document.issued_on, _DATE_FORMAT),
        (words.status, words.status_labels[document.status], ""),
    ]
    row = _HEADER_ROW + 1
    for name, value, number_format in rows:
        _put(sheet, row, 1, name).font = _BOLD
        _put(sheet, row, 2, value, number_format).alignment = Alignment(horizontal="left")
        row += 1
    _write_positions(sheet, row + 1, view.current_as_of, words)
    _set_widths(sheet, [32, 52, 22, 22])


def _write_positions(
    sheet: _Sheet, row: int, positions: Sequence[StreamPosition], words: _Words
) -> None:
    _put(sheet, row, 1, words.current_as_of).font = _BOLD
    _header(sheet, row + 1, [words.stream, words.sequence, words.event_time, words.applied_at])
    for offset, position in enumerate(positions, start=2):
        _put(sheet, row + offset, 1, position.stream)
        _put(sheet, row + offset, 2, position.sequence).alignment = Alignment(horizontal="left")
        _put(sheet, row + offset, 3, _local(position.event_time), _DATETIME_FORMAT)
        _put(sheet, row + offset, 4, _local(position.applied_at), _DATETIME_FORMAT)


def _write_area_sheet(sheet: _Sheet, document: ReportDocument, area: Area, words: _Words) -> None:
    view, language = document.view, document.language
    figures = _in_area(view.figures, area)
    _put(sheet, _TITLE_ROW, 1, _label(AREA_LABELS[area], language)).font = Font(bold=True, size=13)
    _put(sheet, _SUBTITLE_ROW, 1, f"{view.name} — {_period_label(document)}").font = _ITALIC
    _header(sheet, _HEADER_ROW, _area_header(document, words))
    row = _HEADER_ROW + 1
    if not figures:
        _put(sheet, row, 1, words.no_figures).font = _ITALIC
        row += 1
    own = {figure.indicator: figure for figure in view.at_this_level}
    for figure in figures:
        row = _write_figure(sheet, row, figure, own.get(figure.indicator), language, words)
    columns = _children_columns(view, area)
    if view.children and columns:
        _write_children(sheet, row + 1, document, columns, words)
    sheet.freeze_panes = sheet.cell(row=_HEADER_ROW + 1, column=2).coordinate
    _set_widths(sheet, [_LABEL_WIDTH] + [_VALUE_WIDTH] * max(5, len(columns) + 1))


def _area_header(document: ReportDocument, words: _Words) -> list[str]:
    last_year = words.same_period.format(year=_previous_year(document.view))
    return [
        words.indicator,
        _period_label(document),
        last_year,
        words.change,
        words.change_percent,
        words.at_this_level,
    ]


def _write_figure(
    sheet: _Sheet, row: int, figure: Figure, own: Figure | None, language: str, words: _Words
) -> int:
    """The indicator's row, then its breakdown rows; returns the next free row."""
    label = _label(figure.labels, language, figure.indicator)
    own_amount = None if own is None else own.amount
    _write_values(sheet, row, label, figure.kind, figure.amount, figure.change, own_amount)
    sheet.cell(row=row, column=1).font = _BOLD
    row += 1
    own_parts = {} if own is None else {(p.dimension, p.value): p for p in own.breakdown}
    for dimension, parts in _by_dimension(figure.breakdown).items():
        heading = words.by_dimension.format(
            value=_lower_first(_dimension_label(dimension, language))
        )
        _put(sheet, row, 1, f"  {heading}").font = _ITALIC
        row += 1
        for part in parts:
            mine = own_parts.get((part.dimension, part.value))
            text = f"  – {_label(part.labels, language, part.value)}"
            mine_amount = None if mine is None else mine.amount
            _write_values(sheet, row, text, figure.kind, part.amount, part.change, mine_amount)
            row += 1
    return row


def _write_values(
    sheet: _Sheet,
    row: int,
    label: str,
    kind: IndicatorKind,
    amount: float | None,
    change: Change,
    own: float | None,
) -> None:
    amount_format, change_format = _AMOUNT_FORMATS[kind], _CHANGE_FORMATS[kind]
    _put(sheet, row, 1, label)
    _put(sheet, row, 2, _cell_amount(amount, kind), amount_format)
    _put(sheet, row, 3, _cell_amount(change.previous, kind), amount_format)
    _put(sheet, row, 4, _cell_amount(change.absolute, kind), change_format)
    percent = None if change.percent is None else change.percent / 100
    _put(sheet, row, 5, percent, _PERCENT_CHANGE_FORMAT)
    _put(sheet, row, 6, _cell_amount(own, kind), amount_format)


def _cell_amount(value: float | None, kind: IndicatorKind) -> float | None:
    # Excel's percentage is a fraction: 92.3% is stored as 0.923 under a "0.0%" format.
    if value is None or kind is not IndicatorKind.RATE:
        return value
    return value / 100


def _children_columns(view: FiguresView, area: Area) -> list[Figure]:
    """One figure per indicator of the area that the unit or any child has, in catalog order.

    A child may report an indicator the unit's own list lacks (or the reverse); the columns are
    their union so no child's figure is dropped.
    """
    seen: dict[str, Figure] = {}
    for figure in _all_figures(view):
        if figure.area == area:
            seen.setdefault(figure.indicator, figure)
    return _catalog_order(seen.values())


def _write_children(
    sheet: _Sheet,
    row: int,
    document: ReportDocument,
    columns: list[Figure],
    words: _Words,
) -> None:
    view, language = document.view, document.language
    labels = [_label(column.labels, language, column.indicator) for column in columns]
    _put(sheet, row, 1, words.children).font = Font(bold=True, size=12)
    _header(sheet, row + 1, [words.unit, words.unit_code, *labels])
    row += 2
    for child in view.children:
        amounts = {code: figure.amount for code, figure in child.figures.items()}
        _write_unit_row(sheet, row, child.name, child.unit_code, amounts, columns)
        row += 1
    _write_unit_row(
        sheet, row, words.at_this_level, view.unit_code, _amounts(view.at_this_level), columns
    )
    _write_unit_row(sheet, row + 1, words.total, view.unit_code, _amounts(view.figures), columns)
    for column in range(1, len(columns) + 3):
        sheet.cell(row=row + 1, column=column).font = _BOLD


def _all_figures(view: FiguresView) -> list[Figure]:
    return [*view.figures, *view.at_this_level]


def _amounts(figures: Sequence[Figure]) -> dict[str, float | None]:
    return {figure.indicator: figure.amount for figure in figures}


def _write_unit_row(
    sheet: _Sheet,
    row: int,
    name: str,
    code: str,
    amounts: Mapping[str, float | None],
    columns: list[Figure],
) -> None:
    _put(sheet, row, 1, name)
    _put(sheet, row, 2, code)
    for column, shown in enumerate(columns, start=3):
        value = _cell_amount(amounts.get(shown.indicator), shown.kind)
        _put(sheet, row, column, value, _AMOUNT_FORMATS[shown.kind])


def _set_widths(sheet: _Sheet, widths: Sequence[int]) -> None:
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width


def _set_workbook_properties(workbook: Any, document: ReportDocument, words: _Words) -> None:
    properties = workbook.properties
    properties.title = document.title
    properties.subject = _period_label(document)
    properties.creator = document.issuing_body
    properties.contentStatus = words.status_labels[document.status]
    properties.language = "vi-VN" if document.language == "vi" else "en"


# ---- DOCX -------------------------------------------------------------------------------------

_FONT: Final = "Times New Roman"
_BODY_SIZE: Final = Pt(14)
_HEADER_SIZE: Final = Pt(13)
_TABLE_SIZE: Final = Pt(13)
_RECIPIENT_SIZE: Final = Pt(11)
_EMBLEM: Final = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
_MOTTO: Final = "Độc lập - Tự do - Hạnh phúc"
_ROMAN: Final = ("I", "II", "III", "IV", "V")
# Room for the clerk to write the number on a draft that has none yet.
_BLANK_NUMBER: Final = "\u00a0" * 12


@dataclass(frozen=True)
class _Look:
    bold: bool = False
    italic: bool = False
    size: Length | None = None
    align: WD_ALIGN_PARAGRAPH | None = None


_CENTRED: Final = WD_ALIGN_PARAGRAPH.CENTER


def render_docx(document: ReportDocument) -> bytes:
    """The report as Word opens it, laid out as a Vietnamese administrative report."""
    words = _words(document.language)
    docx = Document()
    _set_page(docx)
    _set_fonts(docx, document.language)
    _write_header(docx, document)
    _write_title(docx, document, words)
    _write_results(docx, document, words)
    _write_narrative_section(
        docx, f"II. {words.limitations}", document.narrative.limitations, words
    )
    _write_narrative_section(docx, f"III. {words.tasks}", document.narrative.tasks, words)
    if document.concerns:
        _write_concerns(docx, document.concerns, words)
    _write_closing(docx, document, words)
    _write_footer(docx, document, words)
    _set_core_properties(docx, document, words)
    buffer = io.BytesIO()
    docx.save(buffer)
    return buffer.getvalue()


def _set_page(docx: DocxDocument) -> None:
    # A4 with the margins of Decree 30/2020 (top and bottom 20-25, left 30-35, right 15-20 mm).
    for section in docx.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin = section.bottom_margin = Mm(20)
        section.left_margin, section.right_margin = Mm(30), Mm(15)


def _set_fonts(docx: DocxDocument, language: str) -> None:
    normal = docx.styles["Normal"]
    font = normal.font
    font.name, font.size = _FONT, _BODY_SIZE
    properties = normal.element.get_or_add_rPr()
    # python-docx sets the Latin font only; Word picks Vietnamese letters' font from the
    # East Asian and complex-script slots too, so all three name Times New Roman.
    fonts = properties.get_or_add_rFonts()
    for slot in ("w:eastAsia", "w:cs"):
        fonts.set(qn(slot), _FONT)
    # The template says en-US, which makes Word's spelling check underline every Vietnamese word.
    proofing = OxmlElement("w:lang")
    proofing.set(qn("w:val"), "vi-VN" if language == "vi" else "en-US")
    properties.insert_element_before(proofing, "w:eastAsianLayout", "w:specVanish", "w:oMath")


def _add_line(paragraph: Paragraph, text: str, look: _Look) -> Paragraph:
    run = paragraph.add_run(text)
    run.bold, run.italic = look.bold or None, look.italic or None
    if look.size is not None:
        run.font.size = look.size
    if look.align is not None:
        paragraph.alignment = look.align
    return paragraph


def _cell_lines(cell: _Cell, lines: Sequence[tuple[str, _Look]]) -> None:
    for index, (text, look) in enumerate(lines):
        paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(0)
        _add_line(paragraph, text, look)


def _borderless_table(docx: DocxDocument, widths: Sequence[Length]) -> Table:
    table: Table = docx.add_table(rows=1, cols=len(widths))
    table.autofit = False
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{edge}")
        line.set(qn("w:val"), "nil")
        borders.append(line)
    # Word refuses a file whose table properties are out of the schema's order, so the
    # borders go before the elements the schema puts after them, not at the end.
    table._tbl.tblPr.insert_element_before(
        borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption"
    )
    for cell, width in zip(table.rows[0].cells, widths, strict=True):
        cell.width = width
    return table


def _write_header(docx: DocxDocument, document: ReportDocument) -> None:
    left, right = _borderless_table(docx, [Mm(70), Mm(95)]).rows[0].cells
    number = document.number or _BLANK_NUMBER
    left_lines = [(document.parent_body.upper(), _Look(size=_HEADER_SIZE, align=_CENTRED))]
    if not document.parent_body:
        left_lines = []
    left_lines += [
        (document.issuing_body.upper(), _Look(bold=True, size=_HEADER_SIZE, align=_CENTRED)),
        (f"Số: {number}", _Look(size=_HEADER_SIZE, align=_CENTRED)),
    ]
    _cell_lines(left, left_lines)
    _cell_lines(
        right,
        [
            (_EMBLEM, _Look(bold=True, size=_HEADER_SIZE, align=_CENTRED)),
            (_MOTTO, _Look(bold=True, size=_BODY_SIZE, align=_CENTRED)),
            ("", _Look()),
            (_date_line(document.place, document.issued_on), _Look(italic=True, align=_CENTRED)),
        ],
    )


def _date_line(place: str, day: date) -> str:
    """The place and date line; Decree 30 pads days below 10 and months 1 and 2 with a zero.

    "Hà Nội, ngày 05 tháng 01 năm 2025", "Hà Nội, ngày 15 tháng 12 năm 2024".
    """
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def _title_lines(title: str) -> list[str]:
    """The kind of document on its own line: "BÁO CÁO Kết quả …" → ["BÁO CÁO", "Kết quả …"]."""
    words = title.split()
    kind: list[str] = []
    for word in words:
        if not word.isupper():
            break
        kind.append(word)
    rest = words[len(kind) :]
    if not kind or not rest:
        return [title.strip()]
    return [" ".join(kind), " ".join(rest)]


def _write_title(docx: DocxDocument, document: ReportDocument, words: _Words) -> None:
    docx.add_paragraph()
    for line in _title_lines(document.title):
        paragraph = _add_line(docx.add_paragraph(), line, _Look(bold=True, align=_CENTRED))
        paragraph.paragraph_format.space_after = Pt(0)
    view = document.view
    period = f"{_period_label(document)}, {_day(view.start)} - {_day(view.end)}"
    line = f"({words.period_line.format(value=period)})"
    _add_line(docx.add_paragraph(), line, _Look(italic=True, align=_CENTRED))


def _day(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _heading(docx: DocxDocument, text: str) -> None:
    paragraph = _add_line(docx.add_paragraph(), text, _Look(bold=True))
    paragraph.paragraph_format.space_before = Pt(6)
    paragraph.paragraph_format.keep_with_next = True


def _body(docx: DocxDocument, text: str, look: _Look | None = None) -> Paragraph:
    paragraph = _add_line(docx.add_paragraph(), text, look or _Look())
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    paragraph.paragraph_format.first_line_indent = Mm(10)
    paragraph.paragraph_format.space_after = Pt(6)
    return paragraph


def _write_text(docx: DocxDocument, text: str, words: _Words) -> None:
    """A narrative part, one paragraph a line; an empty part says so instead of a blank."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        _body(docx, words.empty, _Look(italic=True))
    for line in lines:
        _body(docx, line)


def _write_narrative_section(docx: DocxDocument, heading: str, text: str, words: _Words) -> None:
    _heading(docx, heading)
    _write_text(docx, text, words)


def _write_results(docx: DocxDocument, document: ReportDocument, words: _Words) -> None:
    _heading(docx, f"I. {words.results}")
    view, language = document.view, document.language
    for number, area in enumerate(Area, start=1):
        _heading(docx, f"{number}. {_label(AREA_LABELS[area], language)}")
        figures = _in_area(view.figures, area)
        if not figures:
            _body(docx, words.no_figures, _Look(italic=True))
            continue
        for figure in figures:
            _body(docx, "- " + _sentence(figure, document, words))
        _figures_table(docx, figures, document, words)
    _heading(docx, f"{len(Area) + 1}. {words.general_assessment}")
    _write_text(docx, document.narrative.results, words)


def _sentence(figure: Figure, document: ReportDocument, words: _Words) -> str:
    """One figure and its comparison: "Tiếp 22.858 lượt công dân, giảm 5,7% so với …"."""
    label = _label(figure.labels, document.language, figure.indicator)
    if figure.amount is None:
        return f"{label}: {words.no_data}."
    year = _previous_year(document.view)
    text = f"{_statement(figure, figure.amount, label, document.language, words)}, "
    text += _comparison(figure, figure.amount, year, words)
    detail = _breakdown_detail(figure, document.language, words)
    return f"{text}; {detail}." if detail else f"{text}."


def _statement(figure: Figure, amount: float, label: str, language: str, words: _Words) -> str:
    value = _amount_text(amount, figure.kind, words)
    template = _VI_STATEMENTS.get(figure.indicator) if language == "vi" else None
    return template.format(value=value) if template else f"{label}: {value}"


def _comparison(figure: Figure, amount: float, year: int, words: _Words) -> str:
    previous = figure.change.previous
    if figure.kind is IndicatorKind.RATE:
        if previous is None:
            return words.no_rate_before.format(year=year)
        return _movement(amount - previous, words.points, year, words)
    if previous is not None and amount == previous:
        return words.same.format(year=year)
    if figure.change.percent is None:
        return words.nothing_before.format(year=year)
    return _movement(figure.change.percent, "{value}%", year, words)


def _movement(delta: float, unit: str, year: int, words: _Words) -> str:
    """Which way and how much ("tăng 2,1%", "giảm 5,7%"); a tiny change still says which way."""
    if delta == 0:
        return words.same.format(year=year)
    magnitude = _number(abs(delta), 1, words)
    if magnitude == _number(0, 1, words):
        magnitude = words.under.format(value=_number(0.1, 1, words))
    template = words.up if delta > 0 else words.down
    return template.format(value=unit.format(value=magnitude), year=year)


def _breakdown_detail(figure: Figure, language: str, words: _Words) -> str:
    """The first dimension's parts ("trong đó: khiếu nại 1.200, tố cáo 300"), if any."""
    groups = _by_dimension(figure.breakdown)
    if not groups or figure.kind in (IndicatorKind.RATE, IndicatorKind.AVERAGE):
        return ""
    parts = [part for part in next(iter(groups.values())) if part.amount is not None]
    named = [
        f"{_part_name(part, language)} {_amount_text(part.amount or 0, figure.kind, words)}"
        for part in parts
    ]
    return words.of_which.format(value=", ".join(named)) if named else ""


def _part_name(part: Breakdown, language: str) -> str:
    name = _label(part.labels, language, part.value)
    return _lower_first(name) if language == "vi" else name


def _figures_table(
    docx: DocxDocument, figures: Sequence[Figure], document: ReportDocument, words: _Words
) -> None:
    header = [*_area_header(document, words)[:3], words.change]
    table = docx.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _table_row(table.rows[0].cells, header, bold=True)
    for figure in figures:
        _table_row(table.add_row().cells, _table_values(figure, document.language, words))
    for row in table.rows:
        for cell, width in zip(row.cells, (Mm(75), Mm(30), Mm(30), Mm(30)), strict=True):
            cell.width = width
    docx.add_paragraph()


def _table_row(cells: Sequence[_Cell], values: Sequence[str], bold: bool = False) -> None:
    for column, (cell, value) in enumerate(zip(cells, values, strict=True)):
        align = WD_ALIGN_PARAGRAPH.LEFT if column == 0 else WD_ALIGN_PARAGRAPH.RIGHT
        if bold:
            align = _CENTRED
        _cell_lines(cell, [(value, _Look(bold=bold, size=_TABLE_SIZE, align=align))])


def _table_values(figure: Figure, language: str, words: _Words) -> list[str]:
    previous = figure.change.previous
    return [
        _label(figure.labels, language, figure.indicator),
        "—" if figure.amount is None else _amount_text(figure.amount, figure.kind, words),
        "—" if previous is None else _amount_text(previous, figure.kind, words),
        _change_cell(figure, words),
    ]


def _change_cell(figure: Figure, words: _Words) -> str:
    previous = figure.change.previous
    if figure.amount is None:
        return "—"
    if figure.kind is IndicatorKind.RATE:
        if previous is None:
            return "—"
        return words.points_short.format(value=_signed(figure.amount - previous, words))
    if figure.change.percent is None:
        return "—"
    return _signed(figure.change.percent, words) + "%"


def _write_concerns(docx: DocxDocument, concerns: Sequence[Concern], words: _Words) -> None:
    _heading(docx, f"{_ROMAN[3]}. {words.people}")
    hot = sum(1 for concern in concerns if concern.hot_spot)
    summary = words.concerns_count.format(value=len(concerns))
    if hot:
        summary += words.hot_spots_count.format(value=hot)
    _body(docx, summary + ".")
    for number, concern in enumerate(concerns, start=1):
        paragraph = _body(docx, f"{number}. {concern.topic}", _Look(italic=True))
        if concern.hot_spot:
            # Bold so a reader skimming the page finds the hot spots first.
            _add_line(paragraph, f" {words.hot_spot}", _Look(bold=True))
        _write_text(docx, concern.description, words)
        if concern.units:
            _body(docx, f"{words.where}: {', '.join(concern.units)}.")


def _write_closing(docx: DocxDocument, document: ReportDocument, words: _Words) -> None:
    docx.add_paragraph()
    left, right = _borderless_table(docx, [Mm(80), Mm(85)]).rows[0].cells
    recipients = [(words.recipients, _Look(bold=True, italic=True, size=Pt(12)))]
    if document.parent_body:
        line = words.to_parent.format(value=document.parent_body)
        recipients.append((line, _Look(size=_RECIPIENT_SIZE)))
    recipients.append((words.archive, _Look(size=_RECIPIENT_SIZE)))
    _cell_lines(left, recipients)
    signature = f"T/M {document.issuing_body.upper()}"
    _cell_lines(right, [(signature, _Look(bold=True, size=_BODY_SIZE, align=_CENTRED))])


def _write_footer(docx: DocxDocument, document: ReportDocument, words: _Words) -> None:
    text = f"{words.status}: {words.status_labels[document.status]}"
    for section in docx.sections:
        paragraph = section.footer.paragraphs[0]
        _add_line(paragraph, text, _Look(italic=True, size=Pt(10), align=_CENTRED))


def _set_core_properties(docx: DocxDocument, document: ReportDocument, words: _Words) -> None:
    properties = docx.core_properties
    properties.title = document.title
    properties.subject = _period_label(document)
    properties.author = document.issuing_body
    properties.identifier = document.number
    properties.content_status = words.status_labels[document.status]
    properties.language = "vi-VN" if document.language == "vi" else "en"
    properties.keywords = f"{document.view.unit_code}; {document.view.period}"


# ---- file names -------------------------------------------------------------------------------


def export_filename(document: ReportDocument, extension: str) -> str:
    """An ASCII name for a download: "bao-cao-01-2024.docx" ("report-…" in English)."""
    suffix = _slug(extension.lstrip("."))
    if not suffix:
        raise ValueError(f"not a file extension: {extension!r}")
    stem = "report" if document.language == "en" else "bao cao"
    return f"{_slug(f'{stem} {document.view.unit_code} {document.view.period}')}.{suffix}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
