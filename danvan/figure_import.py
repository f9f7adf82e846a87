"""Reading a spreadsheet of historical figures (one row per unit, period, indicator and
breakdown) into the request that imports them, marked imported. Headers may be the API's
names or Vietnamese headings; an indicator may be named by its code or its label."""

from __future__ import annotations

import re

from danvan.contracts.reporting import (
    INDICATORS,
    TOTAL,
    FigureEntries,
    FigureEntry,
    FigureSource,
)
from danvan.contracts.rpc import ErrorCode, ErrorDetail, Message, ServiceError
from danvan.spreadsheets import Table
from danvan.text import fold

MAX_FIGURE_ROWS = 5000

_HEADERS = {
    "unit_code": ("unit_code", "ma don vi", "don vi", "unit"),
    "period": ("period", "ky", "ky bao cao"),
    "indicator": ("indicator", "chi tieu"),
    "dimension": ("dimension", "phan to"),
    "value": ("value", "so lieu", "gia tri"),
    "note": ("note", "ghi chu"),
}
_REQUIRED = ("unit_code", "period", "indicator", "value")
_BY_LABEL = {
    fold(label): code
    for code, indicator in INDICATORS.items()
    for label in (code, *indicator.labels.values())
}
_DIGITS = re.compile(r"[0-9]+")
_NO_SUCH_COLUMN = Message(vi="dòng 1 không có cột này", en="no such column in row 1")
_NOT_AN_INDICATOR = Message(
    vi="không phải mã hay tên của một chỉ tiêu", en="not an indicator code or label"
)
_NOT_A_COUNT = Message(vi="không phải một số nguyên", en="not a whole number")


def _column_names(header: list[str]) -> dict[str, str]:
    """Our field name for each column of the file that names one."""
    found: dict[str, str] = {}
    for column in header:
        key = fold(column).replace("_", " ").strip()
        for name, aliases in _HEADERS.items():
            if key in {a.replace("_", " ") for a in aliases}:
                found[name] = column
    return found


def _number(text: str) -> int | None:
    """ "22.858", "22,858", "22 858" and "22858" are all 22,858: counts have no fractions."""
    cleaned = text.strip().replace("\u00a0", "")
    if not cleaned:
        return None
    parts = re.split(r"[ .,]", cleaned)
    if not all(_DIGITS.fullmatch(p) for p in parts) or any(len(p) != 3 for p in parts[1:]):
        return None
    return int("".join(parts))


def figure_entries(table: Table) -> FigureEntries:
    """The rows as an import request; a 422 naming each bad row and column if any is wrong."""
    columns = _column_names(table.header)
    missing = [name for name in _REQUIRED if name not in columns]
    if missing:
        names = ", ".join(missing)
        raise ServiceError(
            ErrorCode.VALIDATION,
            Message(vi=f"tệp thiếu (các) cột {names}", en=f"the file lacks the column(s) {names}"),
            [ErrorDetail(field=name, reason=_NO_SUCH_COLUMN) for name in missing],
        )
    if not table.rows:
        raise ServiceError(
            ErrorCode.VALIDATION,
            Message(
                vi="tệp không có số liệu nào bên dưới dòng tiêu đề",
                en="the file has no figures below its header",
            ),
        )
    if len(table.rows) > MAX_FIGURE_ROWS:
        raise ServiceError(
            ErrorCode.VALIDATION,
            Message(
                vi=f"mỗi lần nhập chỉ nhận tối đa {MAX_FIGURE_ROWS} dòng",
                en=f"one import takes at most {MAX_FIGURE_ROWS} rows",
            ),
        )
    errors: list[ErrorDetail] = []
    entries: list[FigureEntry] = []
    for row in table.rows:
        values = {name: row.values.get(column, "").strip() for name, column in columns.items()}
        indicator = _BY_LABEL.get(fold(values["indicator"]))
        value = _number(values["value"])
        if indicator is None:
            errors.append(ErrorDetail(field="indicator", reason=_NOT_AN_INDICATOR, row=row.number))
        if value is None:
            errors.append(ErrorDetail(field="value", reason=_NOT_A_COUNT, row=row.number))
        if indicator is None or value is None:
            continue
        entries.append(
            FigureEntry(
                unit_code=values["unit_code"],
                period=values["period"],
                indicator=indicator,
                dimension=values.get("dimension", TOTAL),
                value=value,
                note=values.get("note", ""),
            )
        )
    if errors:
        raise ServiceError(
            ErrorCode.VALIDATION,
            Message(
                vi=f"tệp có {len(errors)} lỗi; không dòng nào được nhập",
                en=f"{len(errors)} problem(s) in the file; nothing was imported",
            ),
            errors,
        )
    return FigureEntries(source=FigureSource.IMPORTED, entries=entries)
