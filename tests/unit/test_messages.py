"""Sentences in both languages outside the gateway: the terminal's language, the shared
refusals, the errors that carry a Message, and sentences kept from before they were
bilingual."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from rich.console import Console

from danvan.contracts.reception import VisitPublic
from danvan.contracts.rpc import ErrorCode, ErrorDetail, Language, Message, ServiceError
from danvan.import_command import print_errors
from danvan.messages import MessageError, not_found, terminal_language
from danvan.periods import InvalidPeriod, Period
from danvan.spreadsheets import SpreadsheetError, read_table


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({}, Language.VI),
        ({"LANG": "vi_VN.UTF-8"}, Language.VI),
        ({"LANG": "en_US.UTF-8"}, Language.EN),
        ({"LANG": "en"}, Language.EN),
        ({"LANG": "C.UTF-8"}, Language.VI),
        ({"LANG": "fr_FR.UTF-8"}, Language.VI),
        ({"LANG": "en_GB.UTF-8", "LC_MESSAGES": "vi_VN.UTF-8"}, Language.VI),
        ({"LANG": "vi_VN.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, Language.EN),
        ({"LC_ALL": "vi_VN.UTF-8", "LC_MESSAGES": "en_US.UTF-8", "LANG": "en"}, Language.VI),
        ({"LC_ALL": "", "LANG": "en_US.UTF-8"}, Language.EN),
    ],
)
def test_a_command_speaks_the_terminals_language_vietnamese_unless_english(
    environ: dict[str, str], language: Language
) -> None:
    assert terminal_language(environ) is language


def test_a_missing_record_is_named_in_both_languages() -> None:
    error = not_found(Message(vi="mô hình", en="model"), "m-1")
    assert error.code is ErrorCode.NOT_FOUND
    assert error.message == Message(vi="không có mô hình m-1", en="no model m-1")
    assert str(error) == "no model m-1"


def test_an_error_that_carries_a_message_reads_as_its_english() -> None:
    error = MessageError(Message(vi="không được để trống", en="must not be blank"))
    assert str(error) == "must not be blank"
    assert isinstance(error, ValueError)


def test_a_bad_period_code_says_why_in_both_languages() -> None:
    with pytest.raises(InvalidPeriod) as caught:
        Period.parse("2026Q5")
    assert "quý phải từ 1 đến 4" in caught.value.message.vi
    assert "quarter must be 1 to 4" in caught.value.message.en


def test_an_unreadable_spreadsheet_says_why_in_both_languages() -> None:
    with pytest.raises(SpreadsheetError) as caught:
        read_table("cũ.xls", b"")
    assert "định dạng Excel cũ (.xls)" in caught.value.message.vi
    assert "old Excel format (.xls)" in caught.value.message.en


def test_a_warning_kept_from_before_warnings_were_bilingual_reads_in_both() -> None:
    visit = {
        "id": uuid.uuid4(),
        "unit_code": "00097",
        "mode": "regular",
        "received_on": date(2026, 3, 2),
        "receiver_name": "Nguyễn Văn Bình",
        "receiver_role": "officer",
        "headcount": 7,
        "crowd": True,
        "representatives_count": 3,
        "repeat": False,
        "case_id": uuid.uuid4(),
        "matter": "Bồi thường giải phóng mặt bằng",
        "content": "",
        "received_documents": "",
        "warnings": ["a delegation of 7 people should send at most 2 representatives"],
        "visitors": [],
        "representatives": [],
        "created_by": "tester",
        "created_at": datetime(2026, 3, 2, tzinfo=UTC),
    }
    [warning] = VisitPublic.model_validate(visit).warnings
    assert warning.vi == warning.en == visit["warnings"][0]  # type: ignore[index]


REFUSAL = ServiceError(
    ErrorCode.VALIDATION,
    Message(vi="1 trên 2 dòng có lỗi", en="1 of 2 rows have errors"),
    [
        ErrorDetail(
            field="Lĩnh vực",
            row=3,
            reason=Message(vi="không có lĩnh vực này", en="no such field"),
            hint=Message(vi="xem danh sách", en="see the list"),
        )
    ],
)


@pytest.mark.parametrize(
    ("language", "said", "not_said"),
    [
        (Language.VI, ["1 trên 2 dòng có lỗi", "không có lĩnh vực này (xem danh sách)"], "rows"),
        (Language.EN, ["1 of 2 rows have errors", "no such field (see the list)"], "dòng"),
    ],
)
def test_the_import_command_lists_a_refusal_in_the_terminals_language(
    language: Language, said: list[str], not_said: str
) -> None:
    console = Console(record=True, width=200)
    print_errors(REFUSAL, console, language)
    output = console.export_text()
    for text in said:
        assert text in output
    assert not_said not in output
    assert "Lĩnh vực" in output
