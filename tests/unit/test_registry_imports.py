"""Reading a spreadsheet of models: its header row and its cells, without servers."""

from __future__ import annotations

import pytest

from danvan.contracts.registry import DEFAULT_TOPICS, MAX_IMPORT_ROWS, ModelCreate, ModelField
from danvan.contracts.rpc import ErrorCode, ErrorDetail, ServiceError
from danvan.importing import read_import_file
from danvan.spreadsheets import SpreadsheetError, write_csv
from services.registry.domain import available_topics
from services.registry.imports import COLUMN_ALIASES, map_columns, row_request

API_COLUMNS = ["name", "field", "unit_code"]


def header_refusal(columns: list[str]) -> list[ErrorDetail]:
    with pytest.raises(ServiceError) as caught:
        map_columns(columns)
    assert caught.value.code is ErrorCode.VALIDATION
    assert all(detail.row == 1 for detail in caught.value.details)
    return caught.value.details


def cells(values: dict[str, str], columns: list[str] | None = None) -> dict[str, object]:
    """A row of cells read under the given header (the API's names by default)."""
    header = columns or list(values)
    return row_request(values, map_columns(header), DEFAULT_TOPICS)


def a_row(**values: str) -> dict[str, str]:
    return {"name": "Cổng trường an toàn", "field": "economy", "unit_code": "00097", **values}


# ---- the header row ------------------------------------------------------------------------


def test_the_apis_names_are_columns() -> None:
    columns = list(COLUMN_ALIASES)
    assert map_columns(columns) == {column: column for column in columns}


def test_vietnamese_headings_fill_their_details() -> None:
    assert map_columns(
        [
            "Tên mô hình",
            "Lĩnh vực",
            "Mã đơn vị",
            "Chuyên đề",
            "Thôn, tổ dân phố",
            "Tiêu chí",
            "Ngày bắt đầu",
            "Ngày dự kiến đánh giá",
            "Ngày đăng ký",
            "Lực lượng thực hiện",
        ]
    ) == {
        "Tên mô hình": "name",
        "Lĩnh vực": "field",
        "Mã đơn vị": "unit_code",
        "Chuyên đề": "topics",
        "Thôn, tổ dân phố": "locality",
        "Tiêu chí": "criteria",
        "Ngày bắt đầu": "start_date",
        "Ngày dự kiến đánh giá": "planned_evaluation_date",
        "Ngày đăng ký": "registered_on",
        "Lực lượng thực hiện": "implementing_forces",
    }


@pytest.mark.parametrize(
    "heading",
    ["Tên mô hình", "ten mo hinh", "TÊN MÔ HÌNH", "TEN MO HINH", "  Tên   mô hình ", "Tên"],
)
def test_a_vietnamese_heading_matches_with_or_without_marks_in_any_case(heading: str) -> None:
    assert map_columns([heading, "field", "unit_code"])[heading] == "name"


@pytest.mark.parametrize("heading", ["Name", "NAME", "name"])
def test_an_english_heading_matches_in_any_case(heading: str) -> None:
    assert map_columns([heading, "Field", "UNIT_CODE"]) == {
        heading: "name",
        "Field": "field",
        "UNIT_CODE": "unit_code",
    }


def test_the_d_bar_folds_to_d_in_headings() -> None:
    assert map_columns(["name", "field", "Đơn vị"])["Đơn vị"] == "unit_code"
    assert map_columns(["name", "field", "Mã đơn vị hành chính"])["Mã đơn vị hành chính"] == (
        "unit_code"
    )


def test_an_unknown_column_is_refused_by_its_heading_on_row_1() -> None:
    problems = header_refusal(["name", "field", "unit_code", "Ghi chú"])
    assert len(problems) == 1
    assert problems[0].field == "Ghi chú"
    assert problems[0].reason.en == "unknown column"
    assert "unit_code" in (problems[0].hint.en if problems[0].hint else "")


def test_a_repeated_column_is_refused() -> None:
    problems = header_refusal(["Tên mô hình", "field", "unit_code", "name"])
    assert [(p.field, p.reason.en) for p in problems] == [("name", "a second name column")]


def test_the_same_heading_twice_is_refused() -> None:
    problems = header_refusal(["name", "field", "unit_code", "field"])
    assert [(p.field, p.reason.en) for p in problems] == [("field", "a second field column")]


@pytest.mark.parametrize("missing", API_COLUMNS)
def test_a_missing_required_column_is_refused(missing: str) -> None:
    problems = header_refusal([*(c for c in API_COLUMNS if c != missing), "locality"])
    assert [(p.field, p.reason.en) for p in problems] == [(missing, "missing column")]


def test_every_problem_of_the_header_is_named_at_once() -> None:
    problems = header_refusal(["Tên mô hình", "Ghi chú", "ten", "STT"])
    assert [(p.field, p.reason.en) for p in problems] == [
        ("Ghi chú", "unknown column"),
        ("ten", "a second name column"),
        ("STT", "unknown column"),
        ("field", "missing column"),
        ("unit_code", "missing column"),
    ]


# ---- the cells of a row -----------------------------------------------------------------------


def test_a_row_becomes_a_registration_request() -> None:
    assert cells(a_row(locality=" Tổ dân phố số 5 ")) == {
        "name": "Cổng trường an toàn",
        "field": "economy",
        "unit_code": "00097",
        "locality": "Tổ dân phố số 5",
    }


def test_cells_fill_details_under_vietnamese_headings() -> None:
    columns = ["Tên mô hình", "Lĩnh vực", "Mã đơn vị"]
    values = {"Tên mô hình": "Dân vận khéo", "Lĩnh vực": "Kinh tế", "Mã đơn vị": "00097"}
    assert cells(values, columns) == {
        "name": "Dân vận khéo",
        "field": "economy",
        "unit_code": "00097",
    }


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("economy", ModelField.ECONOMY),
        ("ECONOMY", ModelField.ECONOMY),
        ("Kinh tế", ModelField.ECONOMY),
        ("kinh te", ModelField.ECONOMY),
        ("Economy", ModelField.ECONOMY),
        ("Văn hóa - xã hội", ModelField.CULTURE_SOCIETY),
        ("VAN HOA - XA HOI", ModelField.CULTURE_SOCIETY),
        ("Culture and society", ModelField.CULTURE_SOCIETY),
        ("Quốc phòng - an ninh", ModelField.DEFENCE_SECURITY),
        ("Xây dựng hệ thống chính trị", ModelField.POLITICAL_SYSTEM),
        ("building the political system", ModelField.POLITICAL_SYSTEM),
    ],
)
def test_the_field_is_given_as_its_code_or_its_vietnamese_or_english_label(
    cell: str, code: ModelField
) -> None:
    assert cells(a_row(field=cell))["field"] == code.value


def test_an_unknown_field_is_passed_on_for_validation_to_refuse() -> None:
    assert cells(a_row(field="Nông nghiệp"))["field"] == "Nông nghiệp"


def test_topics_are_split_on_semicolons_and_given_as_codes_or_labels() -> None:
    row = a_row(topics="Chuyển đổi số; giai phong mat bang ;new_rural_areas;; Ethnic minorities")
    assert cells(row)["topics"] == [
        "digital_transformation",
        "land_clearance",
        "new_rural_areas",
        "ethnic_minorities",
    ]


def test_topics_on_separate_lines_of_a_cell_are_split() -> None:
    row = a_row(topics="Chuyển đổi số\nĐô thị văn minh")
    assert cells(row)["topics"] == ["digital_transformation", "civilised_urban_areas"]


def test_an_unknown_topic_is_passed_on_for_the_check_to_refuse() -> None:
    assert cells(a_row(topics="Biển đảo; land_clearance"))["topics"] == [
        "Biển đảo",
        "land_clearance",
    ]


def test_a_configured_topic_is_known_by_its_labels() -> None:
    topics = available_topics({"border_areas": "Vùng biên giới|Border areas"})
    columns = map_columns([*API_COLUMNS, "topics"])
    row = row_request(a_row(topics="vung bien gioi; BORDER AREAS"), columns, topics)
    assert row["topics"] == ["border_areas", "border_areas"]


def test_a_configured_topic_whose_label_holds_a_comma_is_known_by_it() -> None:
    topics = available_topics({"sea_islands": "Biển, đảo|Sea and islands"})
    columns = map_columns([*API_COLUMNS, "topics"])
    row = row_request(a_row(topics="Biển, đảo"), columns, topics)
    assert row["topics"] == ["sea_islands"]


def test_criteria_are_split_on_semicolons_and_lines_keeping_commas() -> None:
    row = a_row(criteria="Không còn rác; Có camera, đèn chiếu sáng\n 100% hộ cam kết ;")
    assert cells(row)["criteria"] == [
        "Không còn rác",
        "Có camera, đèn chiếu sáng",
        "100% hộ cam kết",
    ]


@pytest.mark.parametrize(
    ("cell", "iso"),
    [
        ("02/03/2026", "2026-03-02"),
        ("2/3/2026", "2026-03-02"),
        ("31.12.2025", "2025-12-31"),
        ("01-07-2025", "2025-07-01"),
        ("2026-03-02", "2026-03-02"),
    ],
)
@pytest.mark.parametrize("detail", ["start_date", "planned_evaluation_date", "registered_on"])
def test_dates_are_read_day_first_or_iso(detail: str, cell: str, iso: str) -> None:
    assert cells(a_row(**{detail: cell}))[detail] == iso


def test_a_date_that_is_not_a_date_is_passed_on_for_validation_to_refuse() -> None:
    assert cells(a_row(start_date="tháng 3"))["start_date"] == "tháng 3"


def test_empty_cells_are_left_out() -> None:
    row = a_row(locality="", topics="  ", criteria="", start_date="", description="\t")
    assert cells(row) == {"name": "Cổng trường an toàn", "field": "economy", "unit_code": "00097"}


def test_cells_of_columns_not_in_the_header_are_ignored() -> None:
    columns = map_columns(API_COLUMNS)
    assert "STT" not in row_request(a_row(STT="1"), columns, DEFAULT_TOPICS)
    assert row_request(a_row(STT="1"), columns, DEFAULT_TOPICS) == cells(a_row())


def test_a_full_vietnamese_row_is_a_valid_registration() -> None:
    columns = [
        "Tên mô hình",
        "Lĩnh vực",
        "Chuyên đề",
        "Mã đơn vị",
        "Tiêu chí",
        "Ngày bắt đầu",
        "Ngày dự kiến đánh giá",
        "Ngày đăng ký",
    ]
    values = {
        "Tên mô hình": "Cổng trường an toàn văn minh",
        "Lĩnh vực": "Văn hóa - xã hội",
        "Chuyên đề": "Đô thị văn minh",
        "Mã đơn vị": "00097",
        "Tiêu chí": "Không còn hàng quán lấn chiếm cổng trường",
        "Ngày bắt đầu": "02/03/2026",
        "Ngày dự kiến đánh giá": "01/10/2026",
        "Ngày đăng ký": "",
    }
    command = ModelCreate.model_validate(cells(values, columns))
    assert command.field is ModelField.CULTURE_SOCIETY
    assert command.topics == ["civilised_urban_areas"]
    assert command.start_date is not None
    assert command.start_date.isoformat() == "2026-03-02"
    assert command.registered_on is None


def test_a_file_larger_than_one_import_takes_is_refused_before_any_row_is_sent() -> None:
    rows = [["Mô hình", "economy", "00097"]] * (MAX_IMPORT_ROWS + 1)
    content = write_csv(["name", "field", "unit_code"], rows)
    with pytest.raises(SpreadsheetError):
        read_import_file("a.csv", content)
    assert len(read_import_file("a.csv", content[: content.rindex(b"\r\n", 0, -2)]).rows) == (
        MAX_IMPORT_ROWS
    )
