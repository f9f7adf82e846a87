"""Errors through the gateway in the caller's language: Vietnamese unless `Accept-Language`
prefers English, for refusals made by the gateway itself (a body that fails validation, an
unknown path) and by a service across NATS (not found, out of scope, an unknown unit)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from danvan.contracts.rpc import Role
from danvan.embedded import EmbeddedNats
from tests.conftest import MakeDatabase
from tests.registry_stack import RegistryStack, registry_stack

COMMUNE = "00097"  # Phường Hồng Hà, Hà Nội
OTHER_PROVINCE = "79"


@pytest.fixture
async def stack(
    make_database: MakeDatabase, fresh_nats: EmbeddedNats, tmp_path: Path
) -> AsyncIterator[RegistryStack]:
    url = await make_database("registry")
    async with registry_stack(tmp_path, fresh_nats.url, url) as running:
        yield running


async def ask(
    stack: RegistryStack,
    method: str,
    url: str,
    accept_language: str | None,
    *,
    unit: str = COMMUNE,
    json_content_type: bool = False,
    **options: Any,
) -> httpx.Response:
    """A request with this `Accept-Language`, or with none at all (the stack's client sends
    English by default)."""
    headers = stack.auth(unit)
    if json_content_type:
        headers["Content-Type"] = "application/json"
    request = stack.client.build_request(method, url, headers=headers, **options)
    del request.headers["Accept-Language"]
    if accept_language is not None:
        request.headers["Accept-Language"] = accept_language
    return await stack.client.send(request)


def error_of(reply: httpx.Response, status: int) -> dict[str, Any]:
    assert reply.status_code == status, reply.text
    error: dict[str, Any] = reply.json()["error"]
    return error


async def test_an_error_answers_in_vietnamese_unless_english_is_asked_for(
    stack: RegistryStack,
) -> None:
    missing = uuid.uuid4()
    vietnamese = error_of(await ask(stack, "GET", f"/api/v1/models/{missing}", None), 404)
    assert vietnamese == {
        "code": "not_found",
        "message": f"không có mô hình {missing}",
        "details": [],
    }
    english = error_of(await ask(stack, "GET", f"/api/v1/models/{missing}", "en"), 404)
    assert english["message"] == f"no model {missing}"
    nowhere = error_of(await ask(stack, "GET", "/api/v1/nowhere", None), 404)
    assert nowhere["message"] == "không có địa chỉ này"
    nowhere_en = error_of(await ask(stack, "GET", "/api/v1/nowhere", "en"), 404)
    assert nowhere_en["message"] == "no such path"


async def test_the_language_follows_the_q_values_of_accept_language(stack: RegistryStack) -> None:
    missing = uuid.uuid4()
    expected = {
        "en;q=0.3, vi": f"không có mô hình {missing}",
        "fr, en;q=0.5": f"no model {missing}",
        "en-US,en;q=0.9": f"no model {missing}",
        "vi-VN, en;q=0.8": f"không có mô hình {missing}",
        "!!not a header;;": f"không có mô hình {missing}",
    }
    for header, message in expected.items():
        reply = await ask(stack, "GET", f"/api/v1/models/{missing}", header)
        assert error_of(reply, 404)["message"] == message, header


async def test_a_body_that_fails_validation_names_the_field_in_vietnamese(
    stack: RegistryStack,
) -> None:
    body = {"field": "culture_society", "unit_code": COMMUNE, "registered_on": "03/02/2026"}
    vietnamese = error_of(await ask(stack, "POST", "/api/v1/models", None, json=body), 422)
    assert vietnamese["message"] == "yêu cầu không hợp lệ"
    reasons = {detail["field"]: detail["reason"] for detail in vietnamese["details"]}
    assert reasons["name"] == "thiếu trường name, là thông tin bắt buộc"
    assert reasons["registered_on"].startswith("trường registered_on phải là một ngày hợp lệ")
    english = error_of(await ask(stack, "POST", "/api/v1/models", "en", json=body), 422)
    assert english["message"] == "invalid request"
    assert {d["field"]: d["reason"] for d in english["details"]}["name"] == "Field required"
    blank = {**body, "name": "   ", "registered_on": "2026-03-02"}
    [said] = error_of(await ask(stack, "POST", "/api/v1/models", None, json=blank), 422)["details"]
    assert said == {
        "field": "name",
        "reason": "trường name: không được để trống",
        "hint": None,
        "row": None,
    }
    broken = await ask(
        stack, "POST", "/api/v1/models", None, content=b'{"name": ', json_content_type=True
    )
    [said] = error_of(broken, 422)["details"]
    assert said["field"] is None
    assert said["reason"] == "nội dung yêu cầu không phải là JSON hợp lệ"


async def test_a_bad_query_parameter_is_called_a_parameter(stack: RegistryStack) -> None:
    reply = await ask(stack, "GET", "/api/v1/models", None, params={"limit": "nhiều"})
    [detail] = error_of(reply, 422)["details"]
    assert detail["field"] == "limit"
    assert detail["reason"] == "tham số limit phải là một số nguyên"


async def test_a_refusal_out_of_scope_answers_in_both_languages(stack: RegistryStack) -> None:
    reply = await stack.client.post(
        "/api/v1/models",
        json={"name": "Bóng đèn an ninh", "field": "culture_society", "unit_code": COMMUNE},
        headers=stack.auth(COMMUNE, Role.OFFICER),
    )
    assert reply.status_code == 201, reply.text
    model = f"/api/v1/models/{reply.json()['id']}"
    vietnamese = error_of(await ask(stack, "GET", model, None, unit=OTHER_PROVINCE), 403)
    assert vietnamese["code"] == "forbidden"
    assert (
        vietnamese["message"] == f"đơn vị {COMMUNE} nằm ngoài phạm vi của đơn vị {OTHER_PROVINCE}"
    )
    english = error_of(await ask(stack, "GET", model, "en", unit=OTHER_PROVINCE), 403)
    assert english["message"] == f"unit {COMMUNE} is outside the caller's unit {OTHER_PROVINCE}"


async def test_an_unknown_unit_answers_in_both_languages(stack: RegistryStack) -> None:
    listing, nowhere = "/api/v1/models", {"unit_code": "99999"}
    vietnamese = error_of(await ask(stack, "GET", listing, None, params=nowhere), 422)
    assert vietnamese["message"] == "không có đơn vị hành chính 99999"
    assert vietnamese["details"] == [
        {
            "field": "unit_code",
            "reason": "không có đơn vị hành chính nào mang mã 99999",
            "hint": None,
            "row": None,
        }
    ]
    english = error_of(await ask(stack, "GET", listing, "en", params=nowhere), 422)
    assert english["message"] == "unknown unit 99999"
    assert english["details"][0]["reason"] == "no administrative unit has the code 99999"
