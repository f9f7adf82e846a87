"""Spreadsheets in and out: uploaded CSV and XLSX files read as rows of text, exports written.

Reading turns every cell into a stripped, NFC-normalised string keyed by its column name, so
the code that validates an upload deals with one type and one Unicode form whatever tool made
the file. Row numbers are the ones a person sees in Excel (the header is row 1), so an error
can point at the row to fix; entirely empty rows are skipped but still counted.

Choices a caller should know:

- The first row is the header. A blank or repeated column name is an error, and so is a value
  in a column to the right of the last named one (trailing empty cells are fine): silently
  dropping data the user typed would be worse than asking them to fix the file.
- CSV is decoded as UTF-8 (with or without BOM), then as UTF-16 when it carries a UTF-16 BOM
  (Excel's "Unicode Text"), then as cp1258. Legacy Vietnamese encodings (TCVN3, VNI) decode
  as cp1258 without error and come out garbled; no reader can tell them apart reliably.
- CSV exports escape values that Excel would run as formulas (see ``write_csv``); XLSX exports
  store all text as text, so they need no escaping.
- Aware datetimes are exported in Vietnam's time zone; XLSX cannot store an offset at all.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from math import isfinite
from pathlib import PureWindowsPath
from typing import Any, Final

from openpyxl import Workbook, load_workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

from danvan.clock import VIETNAM
from danvan.contracts.rpc import Message
from danvan.messages import MessageError

CSV_MEDIA_TYPE: Final = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MEDIA_TYPE: Final = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

DEFAULT_MAX_ROWS: Final = 50_000

_DELIMITERS: Final = (",", ";", "\t")  # in order of preference when counts tie
_ZIP_MAGIC: Final = b"PK\x03\x04"
_OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the pre-2007 binary .xls format
_UTF16_BOMS: Final = (b"\xff\xfe", b"\xfe\xff")

# openpyxl loads a sheet's shared strings whole, so a small upload that unzips to gigabytes
# (a "zip bomb") would exhaust memory; real 50,000-row workbooks unzip to well under this.
MAX_XLSX_UNZIPPED_BYTES: Final = 256 * 1024 * 1024

# openpyxl ships no type hints; its objects are Any here rather than a dependency on stubs.
_Openpyxl = Any

_Rows = Generator[list[str], None, None]

# Excel reads a CSV cell that starts with one of these as a formula, which can run commands
# or leak data when a citizen's text lands in an export (OWASP "CSV injection").
_FORMULA_TRIGGERS: Final = ("=", "+", "-", "@", "\t", "\r")
# Signed numbers and phone numbers ("-5", "+84 912 345 678") start with a trigger but cannot
# call a function or reach a cell, so they are left as they are.
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9][0-9 .,()/-]*")


class SpreadsheetError(MessageError):
    """A file that cannot be read as a table, with the row and column to fix when known."""

    def __init__(
        self, message: Message, *, row: int | None = None, column: int | None = None
    ) -> None:
        super().__init__(message)
        self.row = row
        self.column = column


@dataclass(frozen=True, slots=True)
class SheetRow:
    number: int  # as Excel shows it: the header is row 1, the first data row is 2
    values: dict[str, str]


@dataclass(frozen=True, slots=True)
class Table:
    header: list[str]
    rows: list[SheetRow]


@dataclass(frozen=True, slots=True)
class RowStream:
    """A header read up front and rows read as they are consumed; errors come mid-iteration."""

    header: list[str]
    rows: Iterator[SheetRow]


# --- reading -----------------------------------------------------------------------------


def read_table(filename: str, content: bytes, *, max_rows: int = DEFAULT_MAX_ROWS) -> Table:
    """Read an uploaded ``.csv`` or ``.xlsx`` file (by its name's extension) into a table.

    Raises SpreadsheetError for an unsupported or unreadable file, a blank or repeated column
    name, a value to the right of the last named column, or more than ``max_rows`` data rows.
    Parsing is CPU-bound (openpyxl reads XLSX at roughly 60,000 cells a second), so async code
    should call this in a worker thread.
    """
    stream = stream_table(filename, content, max_rows=max_rows)
    return Table(header=stream.header, rows=list(stream.rows))


def stream_table(filename: str, content: bytes, *, max_rows: int = DEFAULT_MAX_ROWS) -> RowStream:
    """Like ``read_table``, but rows are produced one at a time."""
    raw = _raw_rows(filename, content)
    try:
        header = _header(next(raw, None))
    except BaseException:
        raw.close()  # an XLSX reader holds its workbook open until closed
        raise
    return RowStream(header=header, rows=_data_rows(header, raw, max_rows))


def _raw_rows(filename: str, content: bytes) -> _Rows:
    """Every row from row 1, empty ones included, as cleaned cell texts."""
    # PureWindowsPath also understands the C:\\...\\name.csv some browsers send.
    extension = PureWindowsPath(filename).suffix.lower()
    if extension == ".csv":
        return _csv_rows(content)
    if extension == ".xlsx":
        return _xlsx_rows(content)
    if extension == ".xls":
        raise SpreadsheetError(
            Message(
                vi="Không hỗ trợ định dạng Excel cũ (.xls): hãy lưu tệp dưới dạng .xlsx hoặc "
                "CSV UTF-8 rồi tải lên lại",
                en="The old Excel format (.xls) is not supported: save the file as .xlsx or as "
                "CSV UTF-8 and upload it again",
            )
        )
    raise SpreadsheetError(
        Message(
            vi=f"Không hỗ trợ loại tệp {extension or '(không có phần mở rộng)'!r} của "
            f"{filename!r}: hãy tải lên tệp .csv hoặc .xlsx",
            en=f"Unsupported file type {extension or '(no extension)'!r} in {filename!r}: "
            "upload a .csv or .xlsx file",
        )
    )


def _header(cells: list[str] | None) -> list[str]:
    if cells is None:
        raise SpreadsheetError(
            Message(
                vi="Tệp trống: dòng 1 phải chứa tên các cột",
                en="The file is empty: row 1 must hold the column names",
            ),
            row=1,
        )
    while cells and not cells[-1]:
        cells = cells[:-1]
    if not cells:
        raise SpreadsheetError(
            Message(
                vi="Dòng 1 trống: dòng này phải chứa tên các cột",
                en="Row 1 is empty: it must hold the column names",
            ),
            row=1,
        )
    first_seen: dict[str, int] = {}
    for column, name in enumerate(cells, start=1):
        if not name:
            label = _column_label(column)
            raise SpreadsheetError(
                Message(
                    vi=f"Cột {label} của dòng 1 chưa có tên",
                    en=f"Column {label} of row 1 has no name",
                ),
                row=1,
                column=column,
            )
        if name in first_seen:
            first, second = _column_label(first_seen[name]), _column_label(column)
            raise SpreadsheetError(
                Message(
                    vi=f"Cột {first} và cột {second} cùng mang tên {name!r}",
                    en=f"Columns {first} and {second} are both named {name!r}",
                ),
                row=1,
                column=column,
            )
        first_seen[name] = column
    return cells


def _data_rows(header: list[str], raw: _Rows, max_rows: int) -> Iterator[SheetRow]:
    width = len(header)
    count = 0
    try:
        for number, cells in enumerate(raw, start=2):
            _check_width(cells, width, number)
            if not any(cells):
                continue
            count += 1
            if count > max_rows:
                raise SpreadsheetError(
                    Message(
                        vi=f"Tệp có hơn {max_rows} dòng dữ liệu: hãy chia thành các tệp nhỏ hơn",
                        en=f"The file has more than {max_rows} data rows: "
                        "split it into smaller files",
                    ),
                    row=number,
                )
            cells.extend("" for _ in range(width - len(cells)))
            yield SheetRow(number=number, values=dict(zip(header, cells, strict=False)))
    finally:
        raw.close()  # an abandoned XLSX stream releases its workbook


def _check_width(cells: list[str], width: int, number: int) -> None:
    for column in range(width + 1, len(cells) + 1):
        if cells[column - 1]:
            cell, last = _column_label(column), _column_label(width)
            raise SpreadsheetError(
                Message(
                    vi=f"Dòng {number} có giá trị ở cột {cell}, bên phải cột có tên cuối cùng "
                    f"{last}: hãy đặt tên cho cột đó hoặc xóa ô này",
                    en=f"Row {number} has a value in column {cell}, right of the last named "
                    f"column {last}: name that column or clear the cell",
                ),
                row=number,
                column=column,
            )


def _column_label(column: int) -> str:
    return f"{column} ({get_column_letter(column)})"


def _clean(text: str) -> str:
    # Windows tools and some keyboards produce decomposed diacritics ("a" + U+0302 + U+0323);
    # NFC makes "Dân vận" typed either way compare and store the same.
    return unicodedata.normalize("NFC", text.strip())


# --- CSV ---------------------------------------------------------------------------------


def _csv_rows(content: bytes) -> _Rows:
    text = _decode(content)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    # Records, not physical lines: a quoted cell with line breaks is still one Excel row.
    number = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise SpreadsheetError(
                Message(
                    vi=f"Dòng {number} không đọc được theo định dạng CSV",
                    en=f"Row {number} cannot be read as CSV: {exc}",
                ),
                row=number,
            ) from exc
        yield [_clean(cell) for cell in cells]
        number += 1


def _decode(content: bytes) -> str:
    if content.startswith(_ZIP_MAGIC):
        raise SpreadsheetError(
            Message(
                vi="Tệp này là bảng tính Excel nhưng mang đuôi .csv: hãy tải lên dưới dạng .xlsx",
                en="This file is an Excel workbook with a .csv name: upload it as .xlsx",
            )
        )
    if content.startswith(_OLE_MAGIC):
        raise SpreadsheetError(
            Message(
                vi="Tệp này là bảng tính Excel cũ (.xls): hãy lưu dưới dạng .xlsx hoặc CSV UTF-8",
                en="This file is an old Excel workbook (.xls): save it as .xlsx or as CSV UTF-8",
            )
        )
    text = _decode_text(content)
    if "\x00" in text:
        raise SpreadsheetError(
            Message(
                vi="Tệp này không phải tệp CSV dạng văn bản: hãy lưu dưới dạng CSV UTF-8",
                en="This file is not a text CSV file: save it as CSV UTF-8",
            )
        )
    return text


def _decode_text(content: bytes) -> str:
    encoding = "utf-16" if content.startswith(_UTF16_BOMS) else "utf-8-sig"
    try:
        return content.decode(encoding)
    except UnicodeDecodeError:
        pass
    try:
        # Vietnamese Windows code page, which older tools still write.
        return content.decode("cp1258")
    except UnicodeDecodeError:
        raise SpreadsheetError(
            Message(
                vi="Tệp CSV không dùng bảng mã văn bản nào đã biết: hãy lưu dưới dạng CSV UTF-8",
                en="The CSV file is not in a known text encoding: save it as CSV UTF-8",
            )
        ) from None


def _sniff_delimiter(text: str) -> str:
    """The candidate delimiter that occurs most in the header line, outside quotes.

    Only the header is looked at because data cells are full of commas ("Phường 1, Quận 3")
    that fool csv.Sniffer, while column names rarely hold a delimiter.
    """
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted  # a doubled quote toggles twice, which is right
        elif quoted:
            continue
        elif char in "\r\n":
            break
        elif char in counts:
            counts[char] += 1
    best = max(_DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


# --- XLSX --------------------------------------------------------------------------------


def _xlsx_rows(content: bytes) -> _Rows:
    workbook = _open_workbook(content)
    try:
        sheet = _first_worksheet(workbook)
        # Read-only mode trusts the sheet's <dimension> tag and cuts rows and columns beyond
        # it; some generators write a wrong one, so read whatever cells are there instead.
        sheet.reset_dimensions()
        rows = iter(sheet.iter_rows(values_only=True))
        number = 1
        while True:
            try:
                values = next(rows)
            except StopIteration:
                return
            except Exception as exc:  # see _open_workbook
                raise _unreadable(exc, row=number) from exc
            yield [_cell_text(value) for value in values]
            number += 1
    finally:
        workbook.close()


def _open_workbook(content: bytes) -> _Openpyxl:
    _check_unzipped_size(content)
    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:
        # openpyxl reports a damaged file with whatever broke (BadZipFile, KeyError,
        # ValueError, XML parse errors...); for an uploaded file each means the same thing.
        raise _unreadable(exc) from exc


def _check_unzipped_size(content: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            # zipfile stops each member at its declared size, so the sum can be trusted.
            unzipped = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise _unreadable(exc) from exc
    if unzipped > MAX_XLSX_UNZIPPED_BYTES:
        size, limit = unzipped // 2**20, MAX_XLSX_UNZIPPED_BYTES // 2**20
        raise SpreadsheetError(
            Message(
                vi=f"Bảng tính giải nén ra {size} MiB, vượt quá {limit} MiB cho phép: "
                "hãy chia thành các tệp nhỏ hơn",
                en=f"The workbook unpacks to {size} MiB, more than the {limit} MiB allowed: "
                "split it into smaller files",
            )
        )


def _first_worksheet(workbook: _Openpyxl) -> _Openpyxl:
    sheets = workbook.worksheets
    if not sheets:
        raise SpreadsheetError(
            Message(vi="Bảng tính không có trang tính nào", en="The workbook has no worksheet")
        )
    return sheets[0]


def _unreadable(exc: Exception, *, row: int | None = None) -> SpreadsheetError:
    where = Message(vi=f" ở dòng {row}", en=f" at row {row}") if row is not None else None
    return SpreadsheetError(
        Message(
            vi=f"Không đọc được tệp như một bảng tính Excel (.xlsx){where.vi if where else ''}",
            en=f"The file cannot be read as an Excel workbook (.xlsx){where.en if where else ''}"
            f": {type(exc).__name__}: {exc}",
        ),
        row=row,
    )


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, bool):  # before int: bool is an int
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, datetime):
        return _datetime_text(value)
    if isinstance(value, time):
        return value.isoformat(timespec=_timespec(value))
    if isinstance(value, date):
        return value.isoformat()
    return _clean(str(value))


def _float_text(value: float) -> str:
    """A float as Excel displays it: 12.0 as "12", 0.1 + 0.2 as "0.3", 1e-05 as "0.00001"."""
    if not isfinite(value):
        return str(value)
    if value == 0:
        return "0"  # not "-0"
    # Excel shows at most 15 significant digits; Decimal then spells out the exponent.
    return format(Decimal(f"{value:.15g}"), "f")


def _datetime_text(value: datetime) -> str:
    if value.time() == time(0):
        return value.date().isoformat()
    return value.isoformat(timespec=_timespec(value))


def _timespec(value: datetime | time) -> str:
    # openpyxl rounds Excel's fractional days to milliseconds.
    return "milliseconds" if value.microsecond else "seconds"


# --- writing -----------------------------------------------------------------------------


def write_csv(
    header: Sequence[str], rows: Iterable[Sequence[object]], *, escape_formulas: bool = True
) -> bytes:
    """CSV for Excel: UTF-8 with a BOM (without it Excel garbles Vietnamese), ``,``, CRLF.

    None is written empty, booleans "true"/"false", floats as Excel shows them (15 significant
    digits, no exponent), dates and times ISO, datetimes to the second, aware ones in Vietnam's
    time zone with their offset. With ``escape_formulas`` (the default), a text
    that Excel would run as a formula (``=``, ``+``, ``-``, ``@``…) gets a leading ``'``;
    plain signed numbers and phone numbers are left alone.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_csv_text(name, escape_formulas) for name in header])
    for number, row in enumerate(rows, start=2):
        _check_export_width(row, len(header), number)
        writer.writerow([_csv_text(value, escape_formulas) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def write_xlsx(
    header: Sequence[str], rows: Iterable[Sequence[object]], *, sheet_title: str = "data"
) -> bytes:
    """An XLSX workbook of one sheet with a bold, frozen header row.

    Numbers, booleans and dates are stored as such (aware datetimes in Vietnam's time zone),
    every text as text, even one that starts with ``=``. Characters XML cannot hold (control
    characters pasted from other programs) are dropped. A sheet title over 31 characters or
    holding ``[]:*?/\\`` is refused by openpyxl with ValueError.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title)
    sheet.freeze_panes = "A2"
    try:
        sheet.append([_header_cell(sheet, name) for name in header])
        for number, row in enumerate(rows, start=2):
            _check_export_width(row, len(header), number)
            sheet.append([_xlsx_value(sheet, value) for value in row])
    except BaseException:
        _discard(workbook)
        raise
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _discard(workbook: _Openpyxl) -> None:
    """Release a half-written workbook's temporary file.

    A write-only sheet streams its rows to a temporary file that only saving removes; left
    alone it would stay on disk until the process exits and complain when collected.
    """
    with contextlib.suppress(Exception):  # the export has already failed; keep that error
        workbook.save(io.BytesIO())


def _check_export_width(row: Sequence[object], width: int, number: int) -> None:
    if len(row) != width:
        raise ValueError(f"export row {number} has {len(row)} values for {width} columns")


def _csv_text(value: object, escape_formulas: bool) -> str:
    text = _export_text(value)
    if escape_formulas and _looks_like_formula(text):
        return "'" + text
    return text


def _export_text(value: object) -> str:
    if isinstance(value, Enum):
        return _export_text(value.value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return _local(value).isoformat(timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _looks_like_formula(text: str) -> bool:
    return text.startswith(_FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(text)


def _header_cell(sheet: _Openpyxl, name: str) -> _Openpyxl:
    cell = _text_cell(sheet, name)
    cell.font = Font(bold=True)
    return cell


def _xlsx_value(sheet: _Openpyxl, value: object) -> object:
    if isinstance(value, Enum):
        return _xlsx_value(sheet, value.value)
    if isinstance(value, datetime):
        return _local(value).replace(tzinfo=None)
    if value is None or isinstance(value, bool | int | Decimal | date | time):
        return value
    if isinstance(value, float):
        return value if isfinite(value) else str(value)
    text = str(value)
    if text.startswith("=") or text in ERROR_CODES or ILLEGAL_CHARACTERS_RE.search(text):
        return _text_cell(sheet, text)
    return text


def _text_cell(sheet: _Openpyxl, text: str) -> _Openpyxl:
    """A cell that holds ``text`` as text: openpyxl would store "=…" as a formula."""
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", text))
    cell.data_type = "s"
    return cell


def _local(moment: datetime) -> datetime:
    return moment if moment.tzinfo is None else moment.astimezone(VIETNAM)
