"""The registry through the gateway, on a real nats-server and a real database (SQLite and
PostgreSQL): the lifecycle, scope, versioned changes, search, lists, exemplars, the
organisation directory, contests, and the events an outside subscriber reads."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from danvan.contracts.catalog import events_of
from danvan.contracts.rpc import Role
from danvan.embedded import EmbeddedNats
from tests.conftest import MakeDatabase
from tests.registry_stack import RegistryStack, registry_stack
from tests.stream_reader import read_stream, stream_size
from tests.waiting import eventually

COMMUNE = "00097"  # Phường Hồng Hà, Hà Nội
HANOI = "01"
OTHER_PROVINCE = "79"


@pytest.fixture
async def stack(
    make_database: MakeDatabase, fresh_nats: EmbeddedNats, tmp_path: Path
) -> AsyncIterator[RegistryStack]:
    url = await make_database("registry")
    async with registry_stack(tmp_path, fresh_nats.url, url) as running:
        yield running


async def register(
    stack: RegistryStack, name: str = "Cổng trường an toàn văn minh", **details: Any
) -> dict[str, Any]:
    body = {
        "name": name,
        "field": "culture_society",
        "unit_code": COMMUNE,
        "registered_on": "2026-03-02",
        **details,
    }
    reply = await stack.client.post(
        "/api/v1/models", json=body, headers=stack.auth(COMMUNE, Role.OFFICER)
    )
    assert reply.status_code == 201, reply.text
    result: dict[str, Any] = reply.json()
    return result


async def step(
    stack: RegistryStack,
    model_id: str,
    action: str,
    body: dict[str, Any] | None = None,
    *,
    unit: str = HANOI,
    role: Role = Role.LEADER,
    resource: str = "models",
) -> Any:
    return await stack.client.post(
        f"/api/v1/{resource}/{model_id}/{action}",
        json=body,
        headers=stack.auth(unit, role),
    )


async def events(stack: RegistryStack, count: int) -> list[Any]:
    async def arrived() -> bool:
        return await stream_size(stack.nats_url, "REGISTRY") >= count

    await eventually(arrived)
    return await read_stream(stack.nats_url, "REGISTRY")


RECOGNITION: dict[str, Any] = {
    "level": "province",
    "decision_number": "1234/QĐ-UBND",
    "on": "2026-10-15",
    "awards": [
        {
            "kind": "certificate_of_merit",
            "title": "Bằng khen của Ủy ban nhân dân Thành phố",
            "recipient_kind": "collective",
            "recipient_name": "Chi bộ Tổ dân phố số 5",
            "granting_body": "Ủy ban nhân dân thành phố Hà Nội",
        }
    ],
}
RECOGNITION_TODAY = {key: value for key, value in RECOGNITION.items() if key != "on"}


async def test_a_model_goes_from_registration_to_recognition_with_an_award(
    stack: RegistryStack,
) -> None:
    model = await register(stack, locality="Tổ dân phố số 5", topics=["civilised_urban_areas"])
    assert model["status"] == "registered"
    assert model["version"] == 1
    model_id = model["id"]
    steps: list[tuple[str, dict[str, Any] | None, str]] = [
        ("start", {"on": "2026-03-10"}, "implementing"),
        (
            "appraise",
            {"on": "2026-09-01", "appraiser": "Ban Dân vận", "findings": "Đạt", "score": 92},
            "appraised",
        ),
        ("evaluate", {"on": "2026-09-20", "proposed": True}, "evaluated"),
        ("recognise", RECOGNITION, "recognised"),
    ]
    for action, body, status in steps:
        role = Role.OFFICER if action == "start" else Role.LEADER
        unit = COMMUNE if action == "start" else HANOI
        reply = await step(stack, model_id, action, body, unit=unit, role=role)
        assert reply.status_code == 200, reply.text
        assert reply.json()["status"] == status

    detail = (
        await stack.client.get(f"/api/v1/models/{model_id}", headers=stack.auth(COMMUNE))
    ).json()
    assert detail["recognition_level"] == "province"
    assert detail["recognised_on"] == "2026-10-15"
    assert detail["version"] == 5
    assert [h["action"] for h in detail["history"]] == [
        "registered",
        "start",
        "appraise",
        "evaluate",
        "recognise",
    ]
    assert detail["history"][2]["details"]["score"] == 92
    assert detail["awards"][0]["recipient_name"] == "Chi bộ Tổ dân phố số 5"

    received = await events(stack, 5)
    assert [r.subject for r in received] == [
        f"evt.registry.model.{verb}.{HANOI}"
        for verb in ("registered", "started", "appraised", "evaluated", "recognised")
    ]
    recognised = received[-1].event
    assert recognised["type"] == "vn.danvan.registry.model.recognised.v1"
    assert recognised["unitcode"] == COMMUNE
    assert recognised["occurredon"] == "2026-10-15"
    assert recognised["data"]["awards"][0]["kind"] == "certificate_of_merit"
    assert {r.msg_id for r in received} == {r.event["id"] for r in received}


async def test_a_step_out_of_scope_is_refused_with_403_and_changes_nothing(
    stack: RegistryStack,
) -> None:
    model = await register(stack)
    before = len(await events(stack, 1))
    reply = await step(stack, model["id"], "start", unit=OTHER_PROVINCE, role=Role.LEADER)
    assert reply.status_code == 403, reply.text
    assert reply.json()["error"]["code"] == "forbidden"
    detail = (
        await stack.client.get(f"/api/v1/models/{model['id']}", headers=stack.auth(COMMUNE))
    ).json()
    assert detail["status"] == "registered"
    assert detail["version"] == 1
    assert len(detail["history"]) == 1
    # A step that is allowed, after it: its event is the only one that reaches the stream.
    started = await step(stack, model["id"], "start", unit=COMMUNE)
    assert started.status_code == 200, started.text
    received = await events(stack, before + 1)
    assert len(received) == before + 1
    assert received[-1].event["type"] == "vn.danvan.registry.model.started.v1"


async def test_a_forbidden_transition_answers_409_and_a_wrong_role_403(
    stack: RegistryStack,
) -> None:
    model = await register(stack)
    skipped = await step(stack, model["id"], "recognise", RECOGNITION, unit=HANOI, role=Role.LEADER)
    assert skipped.status_code == 409, skipped.text
    assert "allowed now: start, withdraw" in skipped.json()["error"]["message"]
    officer = await step(
        stack,
        model["id"],
        "appraise",
        {"appraiser": "x", "findings": "y", "score": 1},
        unit=COMMUNE,
        role=Role.OFFICER,
    )
    assert officer.status_code == 403


async def test_a_model_outside_the_callers_unit_is_not_shown(stack: RegistryStack) -> None:
    model = await register(stack)
    reply = await stack.client.get(
        f"/api/v1/models/{model['id']}", headers=stack.auth(OTHER_PROVINCE, Role.LEADER)
    )
    assert reply.status_code == 403
    listing = await stack.client.get(
        "/api/v1/models", headers=stack.auth(OTHER_PROVINCE, Role.LEADER)
    )
    assert listing.json()["total"] == 0


async def test_a_change_makes_a_new_version_and_its_event_carries_what_changed(
    stack: RegistryStack,
) -> None:
    model = await register(stack)
    reply = await stack.client.patch(
        f"/api/v1/models/{model['id']}",
        json={"expected_version": 1, "changes": {"target_group": "Học sinh, phụ huynh"}},
        headers=stack.auth(COMMUNE),
    )
    assert reply.status_code == 200, reply.text
    assert reply.json()["version"] == 2
    assert reply.json()["target_group"] == "Học sinh, phụ huynh"
    stale = await stack.client.patch(
        f"/api/v1/models/{model['id']}",
        json={"expected_version": 1, "changes": {"target_group": "Hộ kinh doanh"}},
        headers=stack.auth(COMMUNE),
    )
    assert stale.status_code == 409
    invalid = await stack.client.patch(
        f"/api/v1/models/{model['id']}",
        json={"changes": {"name": "   "}},
        headers=stack.auth(COMMUNE),
    )
    assert invalid.status_code == 422
    assert invalid.json()["error"]["details"][0]["field"] == "changes.name"
    received = await events(stack, 2)
    updated = received[-1]
    assert updated.subject == f"evt.registry.model.updated.{HANOI}"
    assert updated.event["data"]["changes"] == {
        "target_group": {"old": "", "new": "Học sinh, phụ huynh"}
    }
    assert updated.event["data"]["record_version"] == 2


NAMES = [
    "Dân vận khéo trong vận động Nhân dân bàn giao mặt bằng",
    "Ngõ, xóm liên gia tự quản",
    "Hàng cây đại đoàn kết",
    "Bóng đèn an ninh",
    "Vì môi trường mạng xã hội bình yên",
]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("dan van kheo", [NAMES[0]]),
        ("DÂN VẬN KHÉO", [NAMES[0]]),
        ("Dân vận khéo", [NAMES[0]]),
        ("ngo xom", [NAMES[1]]),
        ("đoàn kết", [NAMES[2]]),
        ("doan ket", [NAMES[2]]),
        ("an ninh", [NAMES[3]]),
        ("binh yen mang", [NAMES[4]]),
        ("tu quan khéo", []),
        ("100%_", []),
    ],
)
async def test_search_ignores_diacritics_and_case(
    stack: RegistryStack, query: str, expected: list[str]
) -> None:
    for name in NAMES:
        await register(stack, name)
    reply = await stack.client.get(
        "/api/v1/models", params={"q": query}, headers=stack.auth(HANOI, Role.VIEWER)
    )
    assert reply.status_code == 200, reply.text
    assert sorted(m["name"] for m in reply.json()["data"]) == sorted(expected)
    assert reply.json()["total"] == len(expected)


async def test_pages_follow_a_cursor_in_vietnamese_name_order_with_a_total(
    stack: RegistryStack,
) -> None:
    names = [f"Mô hình {n}" for n in range(1, 13)] + ["Đường hoa", "Dương liễu", "Ánh sáng"]
    for name in names:
        await register(stack, name)
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"sort": "name", "limit": 4}
        if cursor:
            params["cursor"] = cursor
        page = (
            await stack.client.get("/api/v1/models", params=params, headers=stack.auth(HANOI))
        ).json()
        assert page["total"] == len(names)
        seen += [m["name"] for m in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen[:3] == ["Ánh sáng", "Dương liễu", "Đường hoa"]
    assert seen[3:] == [f"Mô hình {n}" for n in range(1, 13)]
    bad = await stack.client.get(
        "/api/v1/models", params={"sort": "colour"}, headers=stack.auth(HANOI)
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["field"] == "sort"


async def test_lists_filter_by_unit_field_status_year_and_recognition(
    stack: RegistryStack,
) -> None:
    first = await register(stack, "Mô hình kinh tế", field="economy")
    await register(stack, "Mô hình an ninh", field="defence_security", registered_on="2025-08-01")
    await step(stack, first["id"], "withdraw", {"reason": "Trùng lặp"}, unit=COMMUNE)

    async def names(**params: Any) -> list[str]:
        reply = await stack.client.get("/api/v1/models", params=params, headers=stack.auth(HANOI))
        assert reply.status_code == 200, reply.text
        return [m["name"] for m in reply.json()["data"]]

    assert await names(field="economy") == ["Mô hình kinh tế"]
    assert await names(status="withdrawn") == ["Mô hình kinh tế"]
    assert await names(year=2025) == ["Mô hình an ninh"]
    assert await names(recognised="true") == []
    assert sorted(await names(unit_code=COMMUNE)) == ["Mô hình an ninh", "Mô hình kinh tế"]
    assert await names(unit_code="00004") == []  # another commune of Hà Nội


async def test_an_exemplar_is_registered_evaluated_and_withdrawn(stack: RegistryStack) -> None:
    reply = await stack.client.post(
        "/api/v1/exemplars",
        json={
            "kind": "individual",
            "name": "Nguyễn Thị Lan",
            "field": "economy",
            "unit_code": COMMUNE,
            "achievement": "Vận động 40 hộ hiến đất mở rộng ngõ",
        },
        headers=stack.auth(COMMUNE),
    )
    assert reply.status_code == 201, reply.text
    exemplar = reply.json()
    assert exemplar["registered_on"] == "2026-11-23"
    for action, body in [
        ("start", None),
        ("appraise", {"appraiser": "Tổ khảo sát", "findings": "Tốt", "score": 80}),
        ("evaluate", {"proposed": False, "remarks": "Chưa đủ tiêu chí"}),
    ]:
        reply = await step(stack, exemplar["id"], action, body, resource="exemplars")
        assert reply.status_code == 200, reply.text
    refused = await step(
        stack, exemplar["id"], "recognise", RECOGNITION_TODAY, resource="exemplars"
    )
    assert refused.status_code == 409
    reply = await step(
        stack, exemplar["id"], "not-recognise", {"reason": "Chưa đủ"}, resource="exemplars"
    )
    assert reply.json()["status"] == "not_recognised"
    found = await stack.client.get(
        "/api/v1/exemplars", params={"q": "nguyen thi lan"}, headers=stack.auth(COMMUNE)
    )
    assert found.json()["total"] == 1
    received = await events(stack, 5)
    assert [r.subject.split(".")[3] for r in received] == [
        "registered",
        "started",
        "appraised",
        "evaluated",
        "not_recognised",
    ]


async def test_admins_keep_the_organisation_directory_and_models_name_it(
    stack: RegistryStack,
) -> None:
    officer_try = await stack.client.post(
        "/api/v1/organisations",
        json={"name": "Công an thành phố Hà Nội", "kind": "police", "unit_code": HANOI},
        headers=stack.auth(HANOI, Role.LEADER),
    )
    assert officer_try.status_code == 403
    created = await stack.client.post(
        "/api/v1/organisations",
        json={"name": "Công an thành phố Hà Nội", "kind": "police", "unit_code": HANOI},
        headers=stack.auth(HANOI, Role.ADMIN),
    )
    assert created.status_code == 201, created.text
    org_id = created.json()["id"]
    model = await register(stack, "Vì môi trường mạng xã hội bình yên", organisation_id=org_id)
    by_org = await stack.client.get(
        "/api/v1/models", params={"organisation_id": org_id}, headers=stack.auth(HANOI)
    )
    assert [m["id"] for m in by_org.json()["data"]] == [model["id"]]
    listed = await stack.client.get(
        "/api/v1/organisations", params={"q": "cong an"}, headers=stack.auth(COMMUNE)
    )
    assert listed.json()["total"] == 0  # a commune sees its own subtree's directory only
    listed = await stack.client.get(
        "/api/v1/organisations", params={"q": "cong an"}, headers=stack.auth(HANOI)
    )
    assert listed.json()["total"] == 1
    deactivated = await stack.client.patch(
        f"/api/v1/organisations/{org_id}",
        json={"active": False},
        headers=stack.auth(HANOI, Role.ADMIN),
    )
    assert deactivated.json()["active"] is False
    reply = await stack.client.post(
        "/api/v1/models",
        json={
            "name": "Mô hình mới",
            "field": "economy",
            "unit_code": COMMUNE,
            "organisation_id": org_id,
        },
        headers=stack.auth(COMMUNE),
    )
    assert reply.status_code == 422
    assert reply.json()["error"]["details"][0]["field"] == "organisation_id"


async def test_a_contest_takes_entries_from_its_unit_and_records_results(
    stack: RegistryStack,
) -> None:
    model = await register(stack)
    created = await stack.client.post(
        "/api/v1/contests",
        json={
            "name": "Hội thi Dân vận khéo phường Hồng Hà năm 2026",
            "level": "commune",
            "year": 2026,
            "unit_code": COMMUNE,
        },
        headers=stack.auth(COMMUNE, Role.LEADER),
    )
    assert created.status_code == 201, created.text
    contest_id = created.json()["id"]
    entry = await stack.client.post(
        f"/api/v1/contests/{contest_id}/entries",
        json={"kind": "model", "record_id": model["id"]},
        headers=stack.auth(COMMUNE),
    )
    assert entry.status_code == 201, entry.text
    again = await stack.client.post(
        f"/api/v1/contests/{contest_id}/entries",
        json={"kind": "model", "record_id": model["id"]},
        headers=stack.auth(COMMUNE),
    )
    assert again.status_code == 409
    result = await stack.client.put(
        f"/api/v1/contests/{contest_id}/entries/{entry.json()['id']}/result",
        json={"prize": "first", "score": 95},
        headers=stack.auth(COMMUNE, Role.LEADER),
    )
    assert result.status_code == 200, result.text
    detail = (
        await stack.client.get(f"/api/v1/contests/{contest_id}", headers=stack.auth(COMMUNE))
    ).json()
    assert detail["results"][0]["prize"] == "first"
    listed = await stack.client.get(
        "/api/v1/contests", params={"q": "hoi thi"}, headers=stack.auth(HANOI)
    )
    assert listed.json()["data"][0]["entries"] == 1
    received = await events(stack, 4)
    assert [r.subject for r in received[-3:]] == [
        f"evt.registry.contest.{verb}.{HANOI}"
        for verb in ("created", "entry_added", "result_recorded")
    ]


async def test_every_kind_of_registry_event_reaches_an_outside_subscriber(
    stack: RegistryStack,
) -> None:
    await test_admins_keep_the_organisation_directory_and_models_name_it(stack)
    await test_a_contest_takes_entries_from_its_unit_and_records_results(stack)
    for resource, body in [
        ("models", {"name": "Mô hình A", "field": "economy", "unit_code": COMMUNE}),
        (
            "exemplars",
            {
                "kind": "collective",
                "name": "Chi hội Phụ nữ",
                "field": "economy",
                "unit_code": COMMUNE,
                "achievement": "Vận động",
            },
        ),
    ]:
        for ending in ("recognise", "not-recognise", "withdraw"):
            created = await stack.client.post(
                f"/api/v1/{resource}", json=body, headers=stack.auth(COMMUNE)
            )
            record_id = created.json()["id"]
            await stack.client.patch(
                f"/api/v1/{resource}/{record_id}",
                json={"changes": {"name": body["name"] + " (sửa)"}},
                headers=stack.auth(COMMUNE),
            )
            actions: list[tuple[str, dict[str, Any] | None]] = [
                ("start", None),
                ("appraise", {"appraiser": "Tổ", "findings": "Tốt", "score": 90}),
                ("evaluate", {"proposed": True}),
            ]
            last: dict[str, Any] = {
                "recognise": RECOGNITION_TODAY,
                "not-recognise": {"reason": "Chưa đạt"},
                "withdraw": {"reason": "Rút"},
            }[ending]
            for action, action_body in [*actions, (ending, last)]:
                reply = await step(stack, record_id, action, action_body, resource=resource)
                assert reply.status_code == 200, reply.text
    expected = {cls.event_type() for cls in events_of("registry")}
    received: list[Any] = []

    async def all_kinds_arrived() -> bool:
        received[:] = await read_stream(stack.nats_url, "REGISTRY")
        return {r.event["type"] for r in received} == expected

    await eventually(all_kinds_arrived)
    assert all(r.subject.endswith(f".{HANOI}") for r in received)
    assert len({r.event["id"] for r in received}) == len(received)
