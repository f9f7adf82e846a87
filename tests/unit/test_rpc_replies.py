"""Every rpc answer has one shape: {"ok": true, "data"} or {"ok": false, "error"}."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel
from sqlalchemy.exc import OperationalError

from danvan.bus import handle_rpc
from danvan.contracts.rpc import (
    MAX_REPLY_DETAILS,
    ErrorCode,
    ErrorDetail,
    Message,
    Principal,
    Role,
    ServiceError,
)

PRINCIPAL = {"sub": "u", "unit": "01", "roles": ["officer"]}


class Echo(BaseModel):
    text: str


async def echo(principal: Principal, request: Echo) -> dict[str, Any]:
    return {"text": request.text, "by": principal.sub, "roles": list(principal.roles)}


async def test_a_handled_request_answers_ok_with_its_data() -> None:
    reply = await handle_rpc({"principal": PRINCIPAL, "data": {"text": "xin chào"}}, Echo, echo)
    assert reply == {"ok": True, "data": {"text": "xin chào", "by": "u", "roles": [Role.OFFICER]}}


async def test_a_malformed_request_names_each_bad_field() -> None:
    reply = await handle_rpc({"principal": PRINCIPAL, "data": {"txt": 1}}, Echo, echo)
    assert reply["ok"] is False
    assert reply["error"]["code"] == "validation_error"
    assert [d["field"] for d in reply["error"]["details"]] == ["text"]
    no_principal = await handle_rpc({"data": {"text": "a"}}, Echo, echo)
    assert no_principal["error"]["details"][0]["field"] == "principal"


async def test_a_refusal_travels_with_its_code() -> None:
    async def refuse(_principal: Principal, _request: Echo) -> dict[str, Any]:
        raise ServiceError(
            ErrorCode.CONFLICT, Message(vi="đã được công nhận", en="already recognised")
        )

    reply = await handle_rpc({"principal": PRINCIPAL, "data": {"text": "a"}}, Echo, refuse)
    assert reply["error"] == {
        "code": "conflict",
        "message": {"vi": "đã được công nhận", "en": "already recognised"},
        "details": [],
    }


async def test_an_unreachable_database_answers_unavailable() -> None:
    async def database_down(_principal: Principal, _request: Echo) -> dict[str, Any]:
        raise OperationalError("INSERT …", {}, ConnectionRefusedError("refused"))

    reply = await handle_rpc({"principal": PRINCIPAL, "data": {"text": "a"}}, Echo, database_down)
    assert reply["error"]["code"] == "unavailable"


async def test_an_unexpected_failure_answers_internal_error_without_its_details() -> None:
    async def broken(_principal: Principal, _request: Echo) -> dict[str, Any]:
        raise KeyError("secret detail")

    reply = await handle_rpc({"principal": PRINCIPAL, "data": {"text": "a"}}, Echo, broken)
    assert reply["error"]["code"] == "internal_error"
    assert "secret" not in str(reply)


async def test_text_no_database_can_keep_is_refused_naming_where_it_is() -> None:
    class Entries(BaseModel):
        entries: list[dict[str, str]]

    async def keep(_principal: Principal, request: Entries) -> dict[str, Any]:
        raise AssertionError("the handler must not run")

    data = {"entries": [{"note": "tốt"}, {"note": "a\x00b"}, {"bad\ud800key": "x"}]}
    reply = await handle_rpc({"principal": PRINCIPAL, "data": data}, Entries, keep)
    assert reply["error"]["code"] == "validation_error"
    assert [d["field"] for d in reply["error"]["details"]] == [
        "entries.1.note",
        "entries.2.'bad\\ud800key'",
    ]


async def test_an_error_with_thousands_of_details_still_fits_one_message() -> None:
    many = [
        ErrorDetail(
            field="value", reason=Message(vi=f"dòng {n} sai", en=f"row {n} is wrong"), row=n
        )
        for n in range(5000)
    ]

    async def refuse(_principal: Principal, _request: Echo) -> dict[str, Any]:
        raise ServiceError(ErrorCode.VALIDATION, Message(vi="5000 lỗi", en="5000 problems"), many)

    reply = await handle_rpc({"principal": PRINCIPAL, "data": {"text": "a"}}, Echo, refuse)
    details = reply["error"]["details"]
    assert len(details) == MAX_REPLY_DETAILS
    assert details[-2]["row"] == MAX_REPLY_DETAILS - 2
    assert details[-1]["reason"]["en"] == f"… and {5000 - MAX_REPLY_DETAILS + 1} more"
    assert len(json.dumps(reply)) < 1_000_000
