"""Pydantic's validation errors read in Vietnamese: a sentence per error type that names the
field, filled with what the error knows (a length, a bound, the choices), and pydantic's own
English beside it."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum
from typing import Any, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

# Pydantic's own list of its error types with an example context each (not re-exported).
from pydantic_core._pydantic_core import list_all_errors

from danvan.contracts.registry import ModelCreate
from danvan.contracts.rpc import Message
from danvan.messages import MessageError
from danvan.validation_errors import (
    COLUMN,
    UNKNOWN,
    VIETNAMESE,
    WHOLE_REQUEST,
    dotted,
    validation_details,
    vietnamese,
)


class Colour(StrEnum):
    RED = "red"
    GREEN = "green"
    BLUE = "blue"


class Form(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=2, max_length=5)
    code: str = Field(default="A1", pattern=r"^[A-Z][0-9]$")
    tags: list[str] = Field(default_factory=list, min_length=0, max_length=2)
    count: int = Field(default=1, ge=1, lt=10)
    share: float = Field(default=0.5, gt=0, le=1)
    active: bool = True
    on: date = date(2026, 1, 1)
    id: uuid.UUID = uuid.UUID(int=1)
    colour: Colour = Colour.RED
    kind: Literal["model", "exemplar"] = "model"
    nested: dict[str, int] = Field(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _not_admin(cls, value: str) -> str:
        if value == "admin":
            raise MessageError(Message(vi="tên này đã được dành riêng", en="this name is reserved"))
        if value == "root":
            raise ValueError("reserved by the system")
        return value


def errors_of(data: Any) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as caught:
        Form.model_validate(data)
    return [dict(item) for item in caught.value.errors()]


def the_detail(data: Any) -> tuple[str | None, Message]:
    details = validation_details(errors_of(data))
    assert len(details) == 1, details
    return details[0].field, details[0].reason


@pytest.mark.parametrize(
    ("data", "field", "vietnamese_says"),
    [
        ({}, "name", "thiếu trường name"),
        ({"name": "An", "colour2": 1}, "colour2", "không nhận trường colour2"),
        ({"name": "A"}, "name", "trường name phải có ít nhất 2 ký tự"),
        ({"name": "Nguyễn"}, "name", "trường name chỉ được có tối đa 5 ký tự"),
        ({"name": 12}, "name", "trường name phải là một chuỗi ký tự"),
        ({"name": "An", "code": "a1"}, "code", "không đúng dạng quy định (mẫu ^[A-Z][0-9]$)"),
        ({"name": "An", "tags": ["a", "b", "c"]}, "tags", "chỉ được có tối đa 2 phần tử"),
        ({"name": "An", "tags": "a"}, "tags", "trường tags phải là một danh sách"),
        ({"name": "An", "count": 0}, "count", "trường count phải lớn hơn hoặc bằng 1"),
        ({"name": "An", "count": 10}, "count", "trường count phải nhỏ hơn 10"),
        ({"name": "An", "share": 0}, "share", "trường share phải lớn hơn 0"),
        ({"name": "An", "share": 2}, "share", "trường share phải nhỏ hơn hoặc bằng 1"),
        ({"name": "An", "count": "mười"}, "count", "trường count phải là một số nguyên"),
        ({"name": "An", "count": 1.5}, "count", "không có phần thập phân"),
        ({"name": "An", "share": "nửa"}, "share", "trường share phải là một số"),
        ({"name": "An", "active": "có lẽ"}, "active", "phải là true hoặc false"),
        ({"name": "An", "on": "15/10/2026"}, "on", "trường on phải là một ngày hợp lệ"),
        ({"name": "An", "on": "2026-10-15T10:30:00"}, "on", "phải là một ngày, không kèm giờ"),
        ({"name": "An", "id": "abc"}, "id", "trường id phải là một UUID hợp lệ"),
        ({"name": "An", "colour": "pink"}, "colour", "'red', 'green' hoặc 'blue'"),
        ({"name": "An", "kind": "person"}, "kind", "trường kind phải là 'model' hoặc 'exemplar'"),
        ({"name": "An", "nested": [1]}, "nested", "trường nested phải là một đối tượng JSON"),
        ({"name": "An", "nested": {"a": "x"}}, "nested.a", "trường nested.a phải là một số"),
    ],
)
def test_each_kind_of_invalid_field_reads_in_vietnamese_and_names_the_field(
    data: dict[str, Any], field: str, vietnamese_says: str
) -> None:
    found, reason = the_detail(data)
    assert found == field
    assert vietnamese_says in reason.vi
    assert f" {field}" in reason.vi
    assert reason.en == errors_of(data)[0]["msg"]


def test_a_body_that_is_not_an_object_is_the_whole_request() -> None:
    field, reason = the_detail([1, 2])
    assert field is None
    assert reason.vi.startswith(WHOLE_REQUEST)
    assert reason.en.startswith("Input should be a valid dictionary")


def test_invalid_json_says_so_in_vietnamese() -> None:
    with pytest.raises(ValidationError) as caught:
        Form.model_validate_json("{not json")
    [detail] = validation_details(caught.value.errors())
    assert detail.reason.vi == "nội dung yêu cầu không phải là JSON hợp lệ"
    assert detail.reason.en.startswith("Invalid JSON")


def test_our_own_validators_say_why_in_both_languages() -> None:
    field, reason = the_detail({"name": "admin"})
    assert field == "name"
    assert reason.vi == "trường name: tên này đã được dành riêng"
    assert reason.en == "Value error, this name is reserved"


def test_a_validator_that_speaks_only_english_still_names_the_field_in_vietnamese() -> None:
    _, reason = the_detail({"name": "root"})
    assert reason.vi == "giá trị của trường name không hợp lệ: reserved by the system"
    assert reason.en == "Value error, reserved by the system"


def test_a_registration_with_a_blank_name_is_refused_in_both_languages() -> None:
    with pytest.raises(ValidationError) as caught:
        ModelCreate.model_validate(
            {"name": "   ", "field": "economy", "unit_code": "00097", "registered_on": "2026-03-02"}
        )
    [detail] = validation_details(caught.value.errors())
    assert detail.field == "name"
    assert detail.reason.vi == "trường name: không được để trống"
    assert "must not be blank" in detail.reason.en


def test_an_unknown_error_type_falls_back_to_a_sentence_naming_the_field() -> None:
    item = {"type": "some_new_pydantic_type", "loc": ("petitioner", "name"), "msg": "Odd input"}
    [detail] = validation_details([item])
    assert detail.field == "petitioner.name"
    assert detail.reason.vi == "giá trị của trường petitioner.name không hợp lệ"
    assert detail.reason.en == "Odd input"


def test_a_template_whose_context_is_missing_falls_back_rather_than_failing() -> None:
    item = {"type": "string_too_short", "loc": ("name",), "msg": "Too short", "ctx": {}}
    assert vietnamese(item, "trường name") == UNKNOWN.format(subject="trường name")


def test_a_spreadsheet_column_is_called_a_column() -> None:
    [detail] = validation_details(
        errors_of({}), field_of=lambda location: "Tên mô hình", noun=COLUMN
    )
    assert detail.field == "Tên mô hình"
    assert detail.reason.vi == "thiếu cột Tên mô hình, là thông tin bắt buộc"


def test_a_location_reads_as_a_dotted_field() -> None:
    assert dotted(("petitioner", "address", "unit_code")) == "petitioner.address.unit_code"
    assert dotted(("concerns", 0, "unit_codes", 2)) == "concerns.0.unit_codes.2"
    assert dotted(()) is None


PYDANTIC_ERRORS = {info["type"]: info for info in list_all_errors()}


@pytest.mark.parametrize("kind", sorted(VIETNAMESE))
def test_every_vietnamese_sentence_is_for_a_real_error_type_and_fills_from_its_context(
    kind: str,
) -> None:
    assert kind in PYDANTIC_ERRORS, f"{kind} is not a pydantic error type"
    context = PYDANTIC_ERRORS[kind].get("example_context") or {}
    said = vietnamese({"type": kind, "ctx": context, "msg": ""}, "trường x")
    assert said != UNKNOWN.format(subject="trường x"), f"{kind} lacks a value its sentence needs"
    assert "trường x" in said
    assert "{" not in said.replace("{...}", "")
