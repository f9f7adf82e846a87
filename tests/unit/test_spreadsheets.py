"""Spreadsheets: uploads read as Excel shows them, exports Excel opens without surprises."""

from __future__ import annotations

import io
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook  # type: ignore[import-untyped]

from danvan.spreadsheets import (
    CSV_MEDIA_TYPE,
    XLSX_MEDIA_TYPE,
    SheetRow,
    SpreadsheetError,
    Table,
    read_table,
    stream_table,
    write_csv,
    write_xlsx,
)

HEADER = ["Mô hình", "Đơn vị", "Ngày công nhận"]
ROWS: list[list[object]] = [
    ["Dân vận khéo", "Phường Hồng Hà", date(2024, 5, 1)],
    ["Nhà văn hóa bản", "Xã Đắk Lắk", date(2023, 12, 31)],
]
EXPECTED_VALUES = [
    {"Mô hình": "Dân vận khéo", "Đơn vị": "Phường Hồng Hà", "Ngày công nhận": "2024-05-01"},
    {"Mô hình": "Nhà văn hóa bản", "Đơn vị": "Xã Đắk Lắk", "Ngày công nhận": "2023-12-31"},
]

# The tone marks cp1258 stores as separate combining characters.
_CP1258_TONES = "\u0300\u0301\u0303\u0309\u0323"


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def cp1258(text: str) -> bytes:
    """Text as Vietnamese Windows tools save it: vowel letters precomposed, tones combining."""
    out = []
    for char in text:
        decomposed = nfd(char)
        tones = "".join(mark for mark in decomposed if mark in _CP1258_TONES)
        letter = "".join(mark for mark in decomposed if mark not in _CP1258_TONES)
        out.append(unicodedata.normalize("NFC", letter) + tones)
    return "".join(out).encode("cp1258")


def xlsx(*rows: Sequence[object]) -> bytes:
    """A workbook built cell by cell, as Excel would save it, not by our writer."""
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def values(table: Table) -> list[dict[str, str]]:
    return [row.values for row in table.rows]


def numbers(table: Table) -> list[int]:
    return [row.number for row in table.rows]


# --- round trips -------------------------------------------------------------------------


def test_csv_export_reads_back_with_vietnamese_text_and_dates() -> None:
    table = read_table("mo-hinh.csv", write_csv(HEADER, ROWS))

    assert table.header == HEADER
    assert table.rows == [SheetRow(2, EXPECTED_VALUES[0]), SheetRow(3, EXPECTED_VALUES[1])]


def test_xlsx_export_reads_back_with_vietnamese_text_and_dates() -> None:
    table = read_table("mo-hinh.xlsx", write_xlsx(HEADER, ROWS))

    assert table.header == HEADER
    assert table.rows == [SheetRow(2, EXPECTED_VALUES[0]), SheetRow(3, EXPECTED_VALUES[1])]


def test_csv_export_starts_with_a_bom_so_excel_shows_vietnamese() -> None:
    content = write_csv(["Tên"], [["Dân vận khéo"]])

    assert content == "\ufeffTên\r\nDân vận khéo\r\n".encode()


def test_xlsx_export_stores_dates_and_numbers_as_such_with_a_bold_frozen_header() -> None:
    content = write_xlsx(
        ["Ngày", "Số", "Có"], [[date(2024, 5, 1), 12.5, True]], sheet_title="Mô hình"
    )

    sheet = load_workbook(io.BytesIO(content))["Mô hình"]
    assert sheet["A1"].font.b
    assert sheet.freeze_panes == "A2"
    assert sheet["A2"].value == datetime(2024, 5, 1)
    assert sheet["A2"].is_date
    assert sheet["B2"].value == 12.5
    assert sheet["C2"].value is True


def test_aware_datetimes_are_exported_in_vietnam_time() -> None:
    moment = datetime(2024, 5, 1, 1, 30, tzinfo=UTC)

    csv_table = read_table("a.csv", write_csv(["Lúc"], [[moment]]))
    xlsx_table = read_table("a.xlsx", write_xlsx(["Lúc"], [[moment]]))

    assert values(csv_table) == [{"Lúc": "2024-05-01T08:30:00+07:00"}]
    assert values(xlsx_table) == [{"Lúc": "2024-05-01T08:30:00"}]


def test_media_types_name_csv_and_xlsx() -> None:
    assert CSV_MEDIA_TYPE.startswith("text/csv")
    assert XLSX_MEDIA_TYPE == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- export safety -----------------------------------------------------------------------


def test_csv_export_defuses_citizen_text_that_excel_would_run_as_a_formula() -> None:
    content = write_csv(["Nội dung"], [['=HYPERLINK("http://x")'], ["@SUM(A1)"], ["-2+cmd|x"]])

    assert values(read_table("a.csv", content)) == [
        {"Nội dung": '\'=HYPERLINK("http://x")'},
        {"Nội dung": "'@SUM(A1)"},
        {"Nội dung": "'-2+cmd|x"},
    ]


def test_csv_export_leaves_negative_numbers_and_phone_numbers_alone() -> None:
    content = write_csv(["Giá trị"], [[-5], ["-3.5"], ["+84 912 345 678"]])

    assert values(read_table("a.csv", content)) == [
        {"Giá trị": "-5"},
        {"Giá trị": "-3.5"},
        {"Giá trị": "+84 912 345 678"},
    ]


def test_xlsx_export_keeps_formula_like_text_as_text() -> None:
    content = write_xlsx(["Nội dung"], [["=1+1"], ["#N/A"]])

    sheet = load_workbook(io.BytesIO(content)).active
    assert [sheet["A2"].data_type, sheet["A2"].value] == ["s", "=1+1"]
    assert [sheet["A3"].data_type, sheet["A3"].value] == ["s", "#N/A"]


def test_xlsx_export_drops_control_characters_pasted_from_other_programs() -> None:
    content = write_xlsx(["Ghi chú"], [["Dân\x0bvận\x00 khéo"]])

    assert values(read_table("a.xlsx", content)) == [{"Ghi chú": "Dânvận khéo"}]


def test_export_row_of_the_wrong_width_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="export row 3 has 1 values for 2 columns"):
        write_csv(["a", "b"], [["1", "2"], ["3"]])
    with pytest.raises(ValueError, match="export row 2 has 3 values for 2 columns"):
        write_xlsx(["a", "b"], [["1", "2", "3"]])


def test_failed_xlsx_export_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def rows() -> Iterator[list[object]]:
        yield ["A"]
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError, match="database went away"):
        write_xlsx(["Tên"], rows())

    assert list(tmp_path.iterdir()) == []


# --- text encodings and delimiters -------------------------------------------------------


def test_decomposed_diacritics_from_windows_tools_come_back_composed() -> None:
    csv_content = nfd("Mô hình,Đơn vị\nDân vận khéo,  Phường Hồng Hà \n").encode()
    xlsx_content = xlsx(
        [nfd("Mô hình"), nfd("Đơn vị")], [nfd("Dân vận khéo"), nfd("Phường Hồng Hà")]
    )

    for table in (read_table("a.csv", csv_content), read_table("a.xlsx", xlsx_content)):
        assert table.header == ["Mô hình", "Đơn vị"]
        assert values(table) == [{"Mô hình": "Dân vận khéo", "Đơn vị": "Phường Hồng Hà"}]


def test_csv_saved_by_excel_as_utf8_with_bom_is_read() -> None:
    content = "\ufeffHọ tên,Xã\r\nNguyễn Văn A,Hồng Hà\r\n".encode()

    table = read_table("a.csv", content)

    assert table.header == ["Họ tên", "Xã"]
    assert values(table) == [{"Họ tên": "Nguyễn Văn A", "Xã": "Hồng Hà"}]


def test_semicolon_csv_from_vietnamese_excel_is_read() -> None:
    content = "Mô hình;Địa chỉ\r\nDân vận khéo;Phường 1, Quận 3\r\n".encode()

    table = read_table("a.csv", content)

    assert table.header == ["Mô hình", "Địa chỉ"]
    assert values(table) == [{"Mô hình": "Dân vận khéo", "Địa chỉ": "Phường 1, Quận 3"}]


def test_tab_separated_csv_is_read() -> None:
    content = "Mô hình\tĐịa chỉ\nDân vận khéo\tPhường 1, Quận 3\n".encode()

    assert values(read_table("a.csv", content)) == [
        {"Mô hình": "Dân vận khéo", "Địa chỉ": "Phường 1, Quận 3"}
    ]


def test_quoted_header_names_holding_another_delimiter_do_not_fool_the_sniffer() -> None:
    content = '"Tên; viết tắt",Xã\n"DVK; mô hình",Hồng Hà\n'.encode()

    assert read_table("a.csv", content).header == ["Tên; viết tắt", "Xã"]


def test_csv_from_old_windows_tools_in_cp1258_is_read() -> None:
    content = cp1258("Mô hình;Đơn vị\r\nDân vận khéo;Phường Hồng Hà\r\n")

    table = read_table("a.csv", content)

    assert table.header == ["Mô hình", "Đơn vị"]
    assert values(table) == [{"Mô hình": "Dân vận khéo", "Đơn vị": "Phường Hồng Hà"}]


def test_csv_saved_as_excel_unicode_text_utf16_is_read() -> None:
    content = "Mô hình\tĐơn vị\r\nDân vận khéo\tPhường Hồng Hà\r\n".encode("utf-16")

    assert values(read_table("a.csv", content)) == [
        {"Mô hình": "Dân vận khéo", "Đơn vị": "Phường Hồng Hà"}
    ]


def test_csv_in_no_known_encoding_asks_for_utf8() -> None:
    content = b"T\xean\n\x81\x8a\n"  # neither UTF-8 nor cp1258

    with pytest.raises(SpreadsheetError, match="save it as CSV UTF-8"):
        read_table("a.csv", content)


def test_workbook_uploaded_with_a_csv_name_is_refused_with_a_hint() -> None:
    with pytest.raises(SpreadsheetError, match=r"upload it as \.xlsx"):
        read_table("a.csv", xlsx(["a"], ["1"]))


def test_quoted_cell_spanning_lines_is_one_excel_row() -> None:
    content = 'Tên,Ghi chú\nA,"dòng 1\ndòng 2"\nB,x\n'.encode()

    table = read_table("a.csv", content)

    assert numbers(table) == [2, 3]
    assert table.rows[0].values["Ghi chú"] == "dòng 1\ndòng 2"


# --- rows and numbering ------------------------------------------------------------------


def test_empty_rows_are_skipped_but_row_numbers_match_excel() -> None:
    csv_content = "Tên,Xã\n\nA,Hồng Hà\n , \n,,\nB,Đắk Lắk\n".encode()
    xlsx_content = xlsx(["Tên", "Xã"], [], ["A", "Hồng Hà"], [" ", None], [], ["B", "Đắk Lắk"])

    csv_table = read_table("a.csv", csv_content)
    xlsx_table = read_table("a.xlsx", xlsx_content)

    assert numbers(csv_table) == [3, 6]
    assert numbers(xlsx_table) == [3, 6]
    assert (
        values(csv_table)
        == values(xlsx_table)
        == [
            {"Tên": "A", "Xã": "Hồng Hà"},
            {"Tên": "B", "Xã": "Đắk Lắk"},
        ]
    )


def test_short_rows_are_padded_with_empty_values() -> None:
    table = read_table("a.csv", b"a,b,c\n1\n")

    assert values(table) == [{"a": "1", "b": "", "c": ""}]


def test_trailing_empty_header_columns_and_cells_are_ignored() -> None:
    table = read_table("a.csv", b"a,b,,\n1,2,,\n")

    assert table.header == ["a", "b"]
    assert values(table) == [{"a": "1", "b": "2"}]


def test_value_right_of_the_last_named_column_is_refused_with_its_row() -> None:
    with pytest.raises(SpreadsheetError, match=r"Row 3 has a value in column 3 \(C\)") as info:
        read_table("a.csv", b"a,b\n1,2\n3,4,5\n")

    assert (info.value.row, info.value.column) == (3, 3)


def test_xlsx_numbers_dates_and_booleans_read_as_excel_shows_them() -> None:
    content = xlsx(
        ["Ngày", "Lúc", "Giờ", "Số", "Thập phân", "Nhỏ", "Tính ra", "Có"],
        [
            date(2024, 5, 1),
            datetime(2024, 5, 1, 8, 30),
            time(7, 15),
            12.0,
            3.5,
            0.00001,
            0.1 + 0.2,
            True,
        ],
    )

    assert values(read_table("a.xlsx", content)) == [
        {
            "Ngày": "2024-05-01",
            "Lúc": "2024-05-01T08:30:00",
            "Giờ": "07:15:00",
            "Số": "12",
            "Thập phân": "3.5",
            "Nhỏ": "0.00001",
            "Tính ra": "0.3",
            "Có": "true",
        }
    ]


def test_xlsx_header_typed_as_numbers_reads_as_text() -> None:
    table = read_table("a.xlsx", xlsx([2023, 2024.0], [1, 2]))

    assert table.header == ["2023", "2024"]


def test_xlsx_with_a_wrong_dimension_tag_is_read_in_full() -> None:
    # Some generators declare a one-cell sheet; read-only openpyxl would believe them.
    content = _rewrite_sheet(
        xlsx(["Tên", "Xã"], ["A", "Hồng Hà"], ["B", "Đắk Lắk"]),
        lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1"', xml),
    )

    table = read_table("a.xlsx", content)

    assert table.header == ["Tên", "Xã"]
    assert values(table) == [{"Tên": "A", "Xã": "Hồng Hà"}, {"Tên": "B", "Xã": "Đắk Lắk"}]


def _rewrite_sheet(content: bytes, change: object) -> bytes:
    assert callable(change)
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            target.writestr(item, data)
    return buffer.getvalue()


def test_only_the_first_worksheet_is_read() -> None:
    workbook = Workbook()
    workbook.active.append(["Tên"])
    workbook.active.append(["đầu"])
    workbook.create_sheet("khác").append(["Khác"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    assert values(read_table("a.xlsx", buffer.getvalue())) == [{"Tên": "đầu"}]


def test_ten_thousand_row_upload_is_read() -> None:
    rows = [[f"Mô hình {n}", f"Phường {n % 30}", n] for n in range(10_000)]

    for name, content in (
        ("a.csv", write_csv(["Tên", "Phường", "Số"], rows)),
        ("a.xlsx", write_xlsx(["Tên", "Phường", "Số"], rows)),
    ):
        table = read_table(name, content)
        assert len(table.rows) == 10_000
        assert table.rows[-1] == SheetRow(
            10_001, {"Tên": "Mô hình 9999", "Phường": "Phường 9", "Số": "9999"}
        )


def test_rows_can_be_streamed_one_at_a_time() -> None:
    stream = stream_table("a.xlsx", write_xlsx(["Tên"], [["A"], ["B"], ["C"]]), max_rows=2)

    assert stream.header == ["Tên"]
    assert next(stream.rows) == SheetRow(2, {"Tên": "A"})
    assert next(stream.rows) == SheetRow(3, {"Tên": "B"})
    with pytest.raises(SpreadsheetError, match="more than 2 data rows"):
        next(stream.rows)


# --- refusals ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "message"),
    [
        ("mo-hinh.txt", r"Unsupported file type '\.txt'"),
        ("mo-hinh", r"Unsupported file type '\(no extension\)'"),
        ("mo-hinh.xls", r"old Excel format \(\.xls\)"),
    ],
)
def test_unknown_extension_is_refused(filename: str, message: str) -> None:
    with pytest.raises(SpreadsheetError, match=message):
        read_table(filename, b"a,b\n1,2\n")


def test_extension_is_matched_without_regard_to_case_or_windows_paths() -> None:
    table = read_table("C:\\Users\\cb\\Desktop\\MO-HINH.CSV", b"a\n1\n")

    assert values(table) == [{"a": "1"}]


@pytest.mark.parametrize(
    "content",
    [
        b"this is not a workbook",
        xlsx(["a"], ["1"])[:500],  # cut off mid-upload
        b"PK\x05\x06" + b"\x00" * 18,  # an empty zip archive
    ],
    ids=["text", "truncated", "empty-zip"],
)
def test_corrupt_xlsx_is_refused(content: bytes) -> None:
    with pytest.raises(SpreadsheetError, match=r"cannot be read as an Excel workbook"):
        read_table("a.xlsx", content)


def test_duplicate_header_names_are_refused_with_their_columns() -> None:
    with pytest.raises(SpreadsheetError, match=r"Columns 1 \(A\) and 3 \(C\) are both named 'Tên'"):
        read_table("a.csv", "Tên,Xã,Tên\n1,2,3\n".encode())


def test_decomposed_and_composed_duplicate_header_names_are_refused() -> None:
    with pytest.raises(SpreadsheetError, match="both named 'Xã'"):
        read_table("a.csv", f"Xã,{nfd('Xã')}\n1,2\n".encode())


def test_blank_header_name_is_refused_with_its_column() -> None:
    with pytest.raises(SpreadsheetError, match=r"Column 2 \(B\) of row 1 has no name") as info:
        read_table("a.xlsx", xlsx(["Tên", None, "Xã"], ["A", "x", "B"]))

    assert info.value.column == 2


@pytest.mark.parametrize(
    "content", [b"", b"\xef\xbb\xbf", b"\n\na,b\n"], ids=["empty", "bom", "blank"]
)
def test_file_without_a_header_in_row_1_is_refused(content: bytes) -> None:
    with pytest.raises(SpreadsheetError, match=r"row 1 must hold the column names|Row 1 is empty"):
        read_table("a.csv", content)


def test_too_many_rows_are_refused() -> None:
    content = write_csv(["Tên"], [[f"Mô hình {n}"] for n in range(11)])

    assert len(read_table("a.csv", content, max_rows=11).rows) == 11
    with pytest.raises(SpreadsheetError, match="more than 10 data rows") as info:
        read_table("a.csv", content, max_rows=10)
    assert info.value.row == 12


def test_empty_rows_do_not_count_towards_the_row_limit() -> None:
    content = b"a\n1\n\n\n\n2\n"

    assert numbers(read_table("a.csv", content, max_rows=2)) == [2, 6]
