"""A unit's periodic report as XLSX and DOCX: what a person sees when they open the files."""

from __future__ import annotations

import dataclasses
import io
import zipfile
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.text.paragraph import Paragraph
from openpyxl import load_workbook  # type: ignore[import-untyped]

from danvan.contracts.reporting import (
    INDICATORS,
    Boundaries,
    Breakdown,
    Change,
    ChildFigure,
    Figure,
    FiguresView,
    StreamPosition,
    UnitRow,
)
from services.reporting.exports import (
    DOCX_MEDIA_TYPE,
    XLSX_MEDIA_TYPE,
    Concern,
    Narrative,
    ReportDocument,
    export_filename,
    render_docx,
    render_xlsx,
)

# ---- a city's figures for 2024, built by hand ---------------------------------------------------


def _change(amount: float | None, previous: float | None) -> Change:
    if amount is None or previous is None:
        return Change(previous=previous, absolute=None, percent=None)
    percent = None if previous == 0 else (amount - previous) / previous * 100
    return Change(previous=previous, absolute=amount - previous, percent=percent)


def _part(
    dimension: str, value: str, vi: str, en: str, amount: float, previous: float
) -> Breakdown:
    return Breakdown(
        dimension=dimension,
        value=value,
        labels={"vi": vi, "en": en},
        amount=amount,
        change=_change(amount, previous),
    )


def _figure(
    code: str,
    amount: float | None,
    previous: float | None,
    breakdown: Sequence[Breakdown] = (),
) -> Figure:
    indicator = INDICATORS[code]
    return Figure(
        indicator=code,
        area=indicator.area,
        kind=indicator.kind,
        labels=indicator.labels,
        amount=amount,
        change=_change(amount, previous),
        breakdown=list(breakdown),
    )


SCHEDULE_RATE = 12 / 13 * 100  # 92.3%: 12 of the 13 reception days the law requires
SCHEDULE_RATE_BEFORE = 10 / 12 * 100  # 83.3%

# Listed out of the catalog's order on purpose: the documents put them back in it.
FIGURES = [
    _figure("supervision.sessions", 3, 0),
    _figure("reception.schedule_rate", SCHEDULE_RATE, SCHEDULE_RATE_BEFORE),
    _figure("models.registered", 13_663, 12_500),
    _figure(
        "visits.received",
        22_858,
        24_240,
        [
            _part("mode", "regular", "Tiếp thường xuyên", "Regular reception", 11_107, 12_000),
            _part("mode", "periodic", "Tiếp định kỳ", "Periodic", 11_751, 12_240),
        ],
    ),
    _figure(
        "petitions.received",
        5_120,
        4_960,
        [
            _part("class", "complaint", "Khiếu nại", "Complaint", 1_200, 1_100),
            _part("class", "denunciation", "Tố cáo", "Denunciation", 300, 320),
        ],
    ),
    _figure("petitions.resolution_rate", None, None),  # nothing accepted: no rate
    _figure("petitions.average_days", 24.5, 27.0),
]
AT_THIS_LEVEL = [
    _figure("visits.received", 20_858, 22_240),
    _figure(
        "petitions.received",
        4_000,
        3_900,
        [_part("class", "complaint", "Khiếu nại", "Complaint", 900, 850)],
    ),
]


def _child_figures(*figures: Figure) -> dict[str, ChildFigure]:
    return {
        f.indicator: ChildFigure(
            amount=f.amount, previous=f.change.previous, percent=f.change.percent
        )
        for f in figures
    }


CHILDREN = [
    UnitRow(
        unit_code="old-001",
        name="Quận Ba Đình",
        level="district",
        figures=_child_figures(
            _figure("visits.received", 1_200, 1_150),
            _figure("petitions.received", 700, 640),
            _figure("reception.schedule_rate", 100.0, 90.0),
        ),
    ),
    UnitRow(
        unit_code="old-002",
        name="Quận Hoàn Kiếm",
        level="district",
        figures=_child_figures(
            _figure("visits.received", 800, 850),
            _figure("petitions.received", 420, 420),
        ),
    ),
]
VIEW = FiguresView(
    unit_code="01",
    name="Thành phố Hà Nội",
    level="province",
    period="2024",
    period_label={"vi": "Năm 2024", "en": "Year 2024"},
    basis="calendar",
    boundaries=Boundaries.CURRENT,
    start=date(2024, 1, 1),
    end=date(2024, 12, 31),
    previous_start=date(2023, 1, 1),
    previous_end=date(2023, 12, 31),
    figures=FIGURES,
    at_this_level=AT_THIS_LEVEL,
    children=CHILDREN,
    current_as_of=[
        StreamPosition(
            stream="RECEPTION",
            sequence=4_812,
            event_time=datetime(2024, 12, 31, 16, 30, tzinfo=UTC),
            applied_at=datetime(2024, 12, 31, 16, 31, tzinfo=UTC),
        )
    ],
)
CONCERNS = [
    Concern(
        topic="Bồi thường giải phóng mặt bằng Vành đai 4",
        description="Người dân kiến nghị về đơn giá bồi thường đất nông nghiệp.",
        units=["Huyện Thanh Oai", "Huyện Thường Tín"],
        hot_spot=True,
    ),
    Concern(
        topic="Ô nhiễm tiếng ồn từ quán karaoke",
        description="Phản ánh kéo dài tại khu dân cư.",
        units=["Quận Ba Đình"],
        hot_spot=False,
    ),
]
DOCUMENT = ReportDocument(
    view=VIEW,
    issuing_body="Ban Dân vận Thành ủy Hà Nội",
    parent_body="Thành ủy Hà Nội",
    number="15-BC/BDVTU",
    place="Hà Nội",
    issued_on=date(2024, 12, 15),
    title="BÁO CÁO Kết quả công tác dân vận năm 2024",
    narrative=Narrative(
        results=(
            "Công tác dân vận chính quyền có chuyển biến tích cực.\n\nTổ dân vận hoạt động tốt."
        ),
        limitations="Một số nơi còn chậm giải quyết đơn thư.",
        tasks="Tiếp tục thực hiện tốt Luật Thực hiện dân chủ ở cơ sở.",
    ),
    concerns=CONCERNS,
    status="draft",
)

AREA_SHEETS = [
    "Mô hình, điển hình Dân vận khéo",
    "Tiếp công dân",
    "Giải quyết khiếu nại, tố cáo",
    "Đối thoại với Nhân dân",
    "Giám sát, phản biện xã hội",
]


# ---- opening the files ------------------------------------------------------------------------


def _workbook(document: ReportDocument = DOCUMENT) -> Any:
    return load_workbook(io.BytesIO(render_xlsx(document)))


def _row(sheet: Any, label: str) -> int:
    for row in range(1, sheet.max_row + 1):
        if sheet.cell(row=row, column=1).value == label:
            return row
    raise AssertionError(f"no row labelled {label!r} in sheet {sheet.title!r}")


def _values(sheet: Any, row: int, columns: int = 6) -> list[Any]:
    return [sheet.cell(row=row, column=column).value for column in range(1, columns + 1)]


def _document(document: ReportDocument = DOCUMENT) -> DocxDocument:
    return docx.Document(io.BytesIO(render_docx(document)))


def _paragraphs(document: DocxDocument) -> Iterator[Paragraph]:
    """Every paragraph of the body, those in tables (header, figures, signature) included."""
    yield from document.paragraphs
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs


def _texts(document: DocxDocument) -> list[str]:
    return [paragraph.text for paragraph in _paragraphs(document)]


def _body(document: DocxDocument) -> list[str]:
    return [paragraph.text for paragraph in document.paragraphs]


def _paragraph(document: DocxDocument, starting: str) -> Paragraph:
    for paragraph in _paragraphs(document):
        if paragraph.text.startswith(starting):
            return paragraph
    raise AssertionError(f"no paragraph starts with {starting!r}")


def _after(lines: list[str], heading: str) -> str:
    return lines[lines.index(heading) + 1]


# ---- XLSX -------------------------------------------------------------------------------------


def test_workbook_has_a_summary_sheet_then_one_sheet_per_area_named_within_excel_limits() -> None:
    names = _workbook().sheetnames

    assert names == ["Tổng hợp", *AREA_SHEETS]
    assert all(len(name) <= 31 for name in names)


def test_summary_sheet_states_unit_period_basis_and_both_periods_dates() -> None:
    sheet = _workbook()["Tổng hợp"]

    assert sheet.cell(row=_row(sheet, "Đơn vị"), column=2).value == "Thành phố Hà Nội (01)"
    assert sheet.cell(row=_row(sheet, "Kỳ báo cáo"), column=2).value == "Năm 2024 (2024)"
    assert sheet.cell(row=_row(sheet, "Cách tính kỳ"), column=2).value.startswith("Theo tháng")
    assert sheet.cell(row=_row(sheet, "Từ ngày"), column=2).value == datetime(2024, 1, 1)
    assert sheet.cell(row=_row(sheet, "Đến ngày"), column=2).value == datetime(2024, 12, 31)
    previous_end = sheet.cell(row=_row(sheet, "Cùng kỳ năm trước, đến ngày"), column=2)
    assert previous_end.value == datetime(2023, 12, 31)
    assert previous_end.number_format == "DD/MM/YYYY"
    assert sheet.cell(row=_row(sheet, "Trạng thái"), column=2).value == "Dự thảo"


def test_summary_sheet_shows_how_current_the_figures_are_in_vietnam_time() -> None:
    sheet = _workbook()["Tổng hợp"]

    row = _row(sheet, "RECEPTION")

    assert _values(sheet, row, 4) == [
        "RECEPTION",
        4_812,
        datetime(2024, 12, 31, 23, 30),
        datetime(2024, 12, 31, 23, 31),
    ]


def test_area_sheet_lists_each_indicator_with_amount_last_year_and_change() -> None:
    sheet = _workbook()["Tiếp công dân"]

    header = _values(sheet, 3)
    visits = _values(sheet, 4)  # the catalog's first indicator of the area comes first

    assert header[:5] == [
        "Chỉ tiêu",
        "Năm 2024",
        "Cùng kỳ năm 2023",
        "Tăng, giảm",
        "Tăng, giảm (%)",
    ]
    assert visits[:4] == ["Lượt tiếp công dân", 22_858, 24_240, -1_382]
    assert visits[4] == pytest.approx(-0.05701, abs=1e-5)
    assert visits[5] == 20_858  # recorded at the city itself


def test_area_sheet_shows_rates_as_percentages_and_averages_with_one_decimal() -> None:
    workbook = _workbook()
    rate = workbook["Tiếp công dân"]
    rate_row = _row(rate, "Tỷ lệ thực hiện lịch tiếp định kỳ")
    average = workbook["Giải quyết khiếu nại, tố cáo"]
    average_row = _row(average, "Số ngày giải quyết bình quân")

    assert rate.cell(row=rate_row, column=2).value == pytest.approx(0.92308, abs=1e-5)
    assert rate.cell(row=rate_row, column=2).number_format == "0.0%"
    assert rate.cell(row=rate_row, column=3).value == pytest.approx(0.83333, abs=1e-5)
    assert average.cell(row=average_row, column=2).value == 24.5
    assert average.cell(row=average_row, column=2).number_format == "#,##0.0"
    assert average.cell(row=average_row, column=5).number_format.startswith("+0.0%")


def test_area_sheet_leaves_a_rate_without_denominator_empty() -> None:
    sheet = _workbook()["Giải quyết khiếu nại, tố cáo"]

    row = _values(sheet, _row(sheet, "Tỷ lệ giải quyết"))

    assert row[1:6] == [None, None, None, None, None]


def test_breakdown_rows_are_indented_under_their_indicator() -> None:
    sheet = _workbook()["Giải quyết khiếu nại, tố cáo"]
    total = _row(sheet, "Đơn thư tiếp nhận")

    labels = [sheet.cell(row=total + offset, column=1).value for offset in (1, 2, 3)]
    complaints = _values(sheet, _row(sheet, "  – Khiếu nại"))

    assert labels == ["  Theo loại đơn", "  – Khiếu nại", "  – Tố cáo"]
    assert complaints[1:4] == [1_200, 1_100, 100]
    assert complaints[5] == 900  # the complaints recorded at the city itself


def test_area_sheet_has_a_row_per_child_unit_with_the_area_indicators_as_columns() -> None:
    sheet = _workbook()["Tiếp công dân"]
    heading = _row(sheet, "Các đơn vị trực thuộc")

    header = _values(sheet, heading + 1, 4)
    ba_dinh = _values(sheet, _row(sheet, "Quận Ba Đình"), 4)
    hoan_kiem = _values(sheet, _row(sheet, "Quận Hoàn Kiếm"), 4)
    total = _values(sheet, _row(sheet, "Tổng cộng"), 4)

    assert header == [
        "Đơn vị",
        "Mã đơn vị",
        "Lượt tiếp công dân",
        "Tỷ lệ thực hiện lịch tiếp định kỳ",
    ]
    assert ba_dinh == ["Quận Ba Đình", "old-001", 1_200, 1.0]
    assert hoan_kiem == ["Quận Hoàn Kiếm", "old-002", 800, None]
    assert total[2] == 22_858


def test_area_without_figures_keeps_its_sheet_and_says_so() -> None:
    sheet = _workbook()["Đối thoại với Nhân dân"]

    assert sheet.cell(row=4, column=1).value == "Không có số liệu trong kỳ."


def test_area_sheet_freezes_the_header_and_labels_and_bolds_the_header() -> None:
    sheet = _workbook()["Tiếp công dân"]

    assert sheet.freeze_panes == "B4"
    assert sheet.cell(row=3, column=1).font.bold
    assert sheet.column_dimensions["A"].width > sheet.column_dimensions["B"].width


def test_vietnamese_text_survives_the_workbook() -> None:
    workbook = _workbook()

    assert workbook["Tiếp công dân"].cell(row=1, column=1).value == "Tiếp công dân"
    assert workbook["Tổng hợp"].cell(row=1, column=1).value == DOCUMENT.title
    assert workbook.properties.title == "BÁO CÁO Kết quả công tác dân vận năm 2024"


def test_a_unit_name_starting_with_equals_stays_text_in_the_workbook() -> None:
    child = UnitRow(unit_code="x", name="=HYPERLINK(1)", level="commune", figures={})
    view = VIEW.model_copy(update={"children": [*CHILDREN, child]})

    sheet = _workbook(dataclasses.replace(DOCUMENT, view=view))["Tiếp công dân"]

    assert sheet.cell(row=_row(sheet, "=HYPERLINK(1)"), column=1).data_type == "s"


def test_workbook_in_english_uses_english_sheet_names_and_labels() -> None:
    workbook = _workbook(dataclasses.replace(DOCUMENT, language="en"))
    sheet = workbook["Citizen reception"]

    assert workbook.sheetnames[0] == "Summary"
    assert "Complaints, denunciations" in workbook.sheetnames
    assert sheet.cell(row=_row(sheet, "Visits received"), column=2).value == 22_858


# ---- DOCX -------------------------------------------------------------------------------------


def test_docx_header_carries_the_bodies_the_number_and_the_emblem_line() -> None:
    header = _document().tables[0]
    left, right = header.rows[0].cells

    assert [p.text for p in left.paragraphs] == [
        "THÀNH ỦY HÀ NỘI",
        "BAN DÂN VẬN THÀNH ỦY HÀ NỘI",
        "Số: 15-BC/BDVTU",
    ]
    assert left.paragraphs[1].runs[0].bold
    assert [p.text for p in right.paragraphs[:2]] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    ]
    assert all(p.runs[0].bold for p in right.paragraphs[:2])


def test_docx_dates_the_report_in_the_decree_30_form() -> None:
    december = _paragraph(_document(), "Hà Nội, ngày")
    january = _paragraph(
        _document(dataclasses.replace(DOCUMENT, issued_on=date(2025, 1, 5))), "Hà Nội, ngày"
    )

    assert december.text == "Hà Nội, ngày 15 tháng 12 năm 2024"
    assert december.runs[0].italic
    assert january.text == "Hà Nội, ngày 05 tháng 01 năm 2025"


def test_docx_leaves_room_for_the_number_when_there_is_none_yet() -> None:
    number = _paragraph(_document(dataclasses.replace(DOCUMENT, number="")), "Số:")

    assert number.text.strip() == "Số:"


def test_docx_title_is_centred_bold_with_the_period_under_it() -> None:
    lines = _body(_document())
    kind = _paragraph(_document(), "BÁO CÁO")

    assert _after(lines, "BÁO CÁO") == "Kết quả công tác dân vận năm 2024"
    assert _after(lines, "Kết quả công tác dân vận năm 2024") == (
        "(Kỳ báo cáo: Năm 2024, 01/01/2024 - 31/12/2024)"
    )
    assert kind.runs[0].bold
    assert kind.alignment == WD_ALIGN_PARAGRAPH.CENTER


def test_docx_has_results_limitations_and_tasks_in_that_order() -> None:
    lines = _body(_document())

    sections = ["I. KẾT QUẢ THỰC HIỆN", "II. HẠN CHẾ", "III. NHIỆM VỤ TRỌNG TÂM"]

    assert [lines.index(section) for section in sections] == sorted(
        lines.index(section) for section in sections
    )
    assert _after(lines, "II. HẠN CHẾ") == "Một số nơi còn chậm giải quyết đơn thư."
    assert _after(lines, "III. NHIỆM VỤ TRỌNG TÂM") == DOCUMENT.narrative.tasks


def test_docx_states_visits_with_their_change_against_last_year() -> None:
    lines = _body(_document())

    assert (
        "- Tiếp 22.858 lượt công dân, giảm 5,7% so với cùng kỳ năm 2023; "
        "trong đó: tiếp thường xuyên 11.107, tiếp định kỳ 11.751." in lines
    )


def test_docx_states_an_increase_and_the_breakdown_of_petitions() -> None:
    lines = _body(_document())

    assert (
        "- Tiếp nhận 5.120 đơn thư, tăng 3,2% so với cùng kỳ năm 2023; "
        "trong đó: khiếu nại 1.200, tố cáo 300." in lines
    )


def test_docx_states_a_rate_as_reached_with_its_change_in_points() -> None:
    lines = _body(_document())

    assert (
        "- Tỷ lệ thực hiện lịch tiếp định kỳ đạt 92,3%, "
        "tăng 9,0 điểm phần trăm so với cùng kỳ năm 2023." in lines
    )


def test_docx_says_when_last_year_had_nothing_instead_of_a_percentage() -> None:
    lines = _body(_document())

    assert "- Tổ chức 3 cuộc giám sát, cùng kỳ năm 2023 không có." in lines


def test_docx_states_an_average_with_a_decimal_comma_and_a_missing_rate_as_such() -> None:
    lines = _body(_document())

    assert "- Thời gian giải quyết bình quân 24,5 ngày, giảm 9,3% so với cùng kỳ năm 2023." in lines
    assert "- Tỷ lệ giải quyết: chưa có số liệu để tính." in lines


def test_docx_has_a_figures_table_per_area_with_figures() -> None:
    tables = _document().tables[1:-1]  # between the header and the signature
    reception = [[cell.text for cell in row.cells] for row in tables[1].rows]

    assert len(tables) == 4  # dialogues has no figures, so no table
    assert reception[0] == ["Chỉ tiêu", "Năm 2024", "Cùng kỳ năm 2023", "Tăng, giảm"]
    assert reception[1] == ["Lượt tiếp công dân", "22.858", "24.240", "-5,7%"]
    assert reception[2] == ["Tỷ lệ thực hiện lịch tiếp định kỳ", "92,3%", "83,3%", "+9,0 điểm %"]


def test_docx_places_the_narrative_results_after_the_areas() -> None:
    lines = _body(_document())

    assert (
        _after(lines, "6. Đánh giá chung")
        == "Công tác dân vận chính quyền có chuyển biến tích cực."
    )
    assert "Tổ dân vận hoạt động tốt." in lines


def test_docx_empty_narrative_says_there_is_no_content_yet() -> None:
    lines = _body(_document(dataclasses.replace(DOCUMENT, narrative=Narrative())))

    assert _after(lines, "6. Đánh giá chung") == "(Chưa có nội dung)"
    assert _after(lines, "II. HẠN CHẾ") == "(Chưa có nội dung)"
    assert _after(lines, "III. NHIỆM VỤ TRỌNG TÂM") == "(Chưa có nội dung)"


def test_docx_lists_the_peoples_concerns_with_hot_spots_in_bold() -> None:
    document = _document()
    lines = _body(document)
    hot = _paragraph(document, "1. Bồi thường")
    calm = _paragraph(document, "2. Ô nhiễm")

    assert lines.index("IV. TÌNH HÌNH NHÂN DÂN") > lines.index("III. NHIỆM VỤ TRỌNG TÂM")
    assert _after(lines, "IV. TÌNH HÌNH NHÂN DÂN") == (
        "Có 2 vấn đề Nhân dân quan tâm, trong đó 1 điểm nóng."
    )
    assert hot.text == "1. Bồi thường giải phóng mặt bằng Vành đai 4 (điểm nóng)"
    assert [run.bold for run in hot.runs if "điểm nóng" in run.text] == [True]
    assert "điểm nóng" not in calm.text
    assert "Địa bàn: Huyện Thanh Oai, Huyện Thường Tín." in lines


def test_docx_without_concerns_has_no_peoples_situation_section() -> None:
    lines = _body(_document(dataclasses.replace(DOCUMENT, concerns=[])))

    assert "IV. TÌNH HÌNH NHÂN DÂN" not in lines


def test_docx_ends_with_recipients_and_the_signing_body() -> None:
    closing = _document().tables[-1]
    left, right = closing.rows[0].cells

    assert [p.text for p in left.paragraphs] == [
        "Nơi nhận:",
        "- Thành ủy Hà Nội (để báo cáo);",
        "- Lưu: VT.",
    ]
    assert [p.text for p in right.paragraphs] == ["T/M BAN DÂN VẬN THÀNH ỦY HÀ NỘI"]


def test_docx_prints_its_status_in_the_footer_and_metadata() -> None:
    document = _document(dataclasses.replace(DOCUMENT, status="approved"))

    footer = document.sections[0].footer.paragraphs[0].text

    assert footer == "Trạng thái: Đã duyệt"
    assert document.core_properties.content_status == "Đã duyệt"
    assert document.core_properties.title == DOCUMENT.title


def test_docx_is_set_in_times_new_roman_on_a4() -> None:
    document = _document()
    normal = document.styles["Normal"].font
    width = document.sections[0].page_width

    assert normal.name == "Times New Roman"
    assert 'w:eastAsia="Times New Roman"' in document.styles["Normal"].element.xml
    assert normal.size.pt == 14
    assert width is not None
    assert round(width.mm) == 210


def test_docx_in_english_uses_english_labels_and_numbers() -> None:
    lines = _body(_document(dataclasses.replace(DOCUMENT, language="en")))

    assert "I. RESULTS" in lines
    assert "2. Citizen reception" in lines
    assert (
        "- Visits received: 22,858, down 5.7% on the same period of 2023; "
        "of which: Regular reception 11,107, Periodic 11,751." in lines
    )


# ---- the document's particulars ---------------------------------------------------------------


def test_a_report_with_an_unknown_status_is_refused() -> None:
    with pytest.raises(ValueError, match="status"):
        dataclasses.replace(DOCUMENT, status="published")


def test_a_report_in_an_unsupported_language_is_refused() -> None:
    with pytest.raises(ValueError, match="language"):
        dataclasses.replace(DOCUMENT, language="fr")


def test_download_names_are_ascii_and_say_unit_and_period() -> None:
    district = VIEW.model_copy(update={"unit_code": "old-001", "period": "2024Q3"})

    assert export_filename(DOCUMENT, "docx") == "bao-cao-01-2024.docx"
    assert export_filename(dataclasses.replace(DOCUMENT, view=district), ".xlsx") == (
        "bao-cao-old-001-2024q3.xlsx"
    )


def test_media_types_announce_what_the_files_are() -> None:
    # Office names a package's main part after the package's own media type.
    docx_types = _content_types(render_docx(DOCUMENT))
    xlsx_types = _content_types(render_xlsx(DOCUMENT))

    assert f'ContentType="{DOCX_MEDIA_TYPE}.main+xml"' in docx_types
    assert f'ContentType="{XLSX_MEDIA_TYPE}.main+xml"' in xlsx_types


def _content_types(package: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        return archive.read("[Content_Types].xml").decode()
