"""Every rpc answer has one shape: {"ok": true, "data"} or {"ok": false, "error"}."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlalchemy.exc import OperationalError

from danvan.bus import handle_rpc
from danvan.contracts.rpc import ErrorCode, Message, Principal, Role, ServiceError

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
