"""Sorting and cursors of list queries, without a database."""

from __future__ import annotations

import base64
import json
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import column

from danvan.contracts.rpc import ErrorCode, ServiceError
from danvan.pagination import (
    Sort,
    SortOption,
    as_date,
    as_datetime,
    decode_cursor,
    encode_cursor,
    parse_sort,
)

OPTIONS: dict[str, SortOption] = {
    "name": SortOption(column("name_sort")),
    "registered_on": SortOption(column("registered_on"), as_date),
    "updated_at": SortOption(column("updated_at"), as_datetime),
    "version": SortOption(column("version")),
}
ROW_ID = "7d1c6c2e-5b8a-4f0e-9a57-2f4f7d0b1c11"


def sort(code: str | None, default: str = "-registered_on") -> Sort:
    return parse_sort(code, OPTIONS, default)


def refused(call: Any, *args: Any) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        call(*args)
    assert caught.value.code is ErrorCode.VALIDATION
    return caught.value


def raw_cursor(payload: Any) -> str:
    """A cursor as `encode_cursor` would write it, around any payload."""
    text = json.dumps(payload, ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(text).decode().rstrip("=")


# ---- parse_sort ---------------------------------------------------------------------------


def test_a_key_sorts_ascending() -> None:
    chosen = sort("name")
    assert (chosen.key, chosen.descending, chosen.code) == ("name", False, "name")
    assert chosen.column is OPTIONS["name"].column


def test_a_dash_sorts_descending() -> None:
    chosen = sort("-name")
    assert (chosen.key, chosen.descending, chosen.code) == ("name", True, "-name")
    assert chosen.column is OPTIONS["name"].column


def test_no_sort_takes_the_default() -> None:
    chosen = sort(None)
    assert (chosen.key, chosen.descending) == ("registered_on", True)
    assert chosen.decode is as_date
    assert sort("", default="name").code == "name"


def test_the_sort_keeps_its_options_decoder() -> None:
    assert sort("updated_at").decode is as_datetime
    assert sort("-version").decode("7") == "7"


@pytest.mark.parametrize("code", ["colour", "-colour", "-", "name_sort", "Name", "--name"])
def test_an_unknown_sort_key_is_refused_naming_the_choices(code: str) -> None:
    error = refused(sort, code)
    assert [d.field for d in error.details] == ["sort"]
    assert "name, registered_on, updated_at, version" in error.details[0].reason.en


# ---- cursors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "value"),
    [
        ("name", "Phường Hồng Hà"),
        ("-name", 'Xã Đắk Pơ "trích dẫn" / + ='),
        ("version", 12),
        ("-version", None),
        ("registered_on", date(2026, 3, 2)),
        ("-registered_on", date(2025, 6, 30)),
        ("updated_at", datetime(2026, 11, 23, 8, 30, 15, 123456)),
    ],
)
def test_a_cursor_gives_back_the_last_rows_value_and_id(code: str, value: Any) -> None:
    chosen = sort(code)
    cursor = encode_cursor(chosen, value, ROW_ID)
    assert decode_cursor(cursor, chosen) == (value, ROW_ID)


def test_a_date_comes_back_as_a_date() -> None:
    chosen = sort("registered_on")
    decoded, _ = decode_cursor(encode_cursor(chosen, date(2026, 3, 2), ROW_ID), chosen)
    assert type(decoded) is date
    assert decoded == date(2026, 3, 2)


def test_a_cursor_is_url_safe_and_unpadded() -> None:
    chosen = sort("name")
    for length in range(1, 8):
        cursor = encode_cursor(chosen, "Hà Nội" * length, ROW_ID)
        assert "=" not in cursor
        assert set(cursor) <= set(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        )
        assert decode_cursor(cursor, chosen)[0] == "Hà Nội" * length


def test_a_numeric_row_id_comes_back_as_text() -> None:
    chosen = sort("version")
    assert decode_cursor(raw_cursor(["version", 3, 42]), chosen) == (3, "42")


@pytest.mark.parametrize(
    ("made_for", "used_with"),
    [("name", "-name"), ("-name", "name"), ("name", "version"), ("registered_on", "updated_at")],
)
def test_a_cursor_made_for_another_sort_is_refused(made_for: str, used_with: str) -> None:
    cursor = encode_cursor(sort(made_for), "2026-03-02", ROW_ID)
    error = refused(decode_cursor, cursor, sort(used_with))
    assert [d.field for d in error.details] == ["cursor"]
    assert made_for in error.details[0].reason.en


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "a",
        "not a cursor!",
        "%%%%",
        "////",
        raw_cursor(["name", "x"]),
        raw_cursor(["name", "x", ROW_ID, "extra"]),
        raw_cursor(42),
        raw_cursor(None),
        raw_cursor({"code": "name"}),
        base64.urlsafe_b64encode(b"\xff\xfe\x00garbage").decode(),
    ],
)
def test_garbage_is_refused_as_an_invalid_cursor(cursor: str) -> None:
    error = refused(decode_cursor, cursor, sort("name"))
    assert error.message.en == "invalid cursor"
    assert [d.field for d in error.details] == ["cursor"]


@pytest.mark.parametrize("value", ["yesterday", "2026-02-30", 2026, None, ["2026-03-02"]])
def test_a_cursor_whose_value_is_not_a_date_is_refused_for_a_date_sort(value: Any) -> None:
    cursor = raw_cursor(["registered_on", value, ROW_ID])
    error = refused(decode_cursor, cursor, sort("registered_on"))
    assert [d.field for d in error.details] == ["cursor"]
