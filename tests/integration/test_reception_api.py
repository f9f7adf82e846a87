"""Reception through the gateway, on a real nats-server and a real database (SQLite and
PostgreSQL): visits and crowd delegations, petitions with their legal deadlines, overdue
exactly once, personal data shown only to the handling unit, duplicates, dialogues."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from danvan.contracts.catalog import events_of
from danvan.contracts.rpc import Role
from danvan.embedded import EmbeddedNats
from tests.conftest import MakeDatabase
from tests.reception_stack import ReceptionStack, reception_stack
from tests.stream_reader import read_stream
from tests.waiting import eventually

COMMUNE = "00097"  # Phường Hồng Hà, Hà Nội
OTHER_COMMUNE = "00004"  # Phường Ba Đình, Hà Nội
HANOI = "01"
HOA: dict[str, Any] = {
    "name": "Lê Thị Hoa",
    "id_number": "001190012345",
    "phone": "0912345678",
    "address": {"unit_code": COMMUNE, "street": "Ngõ 12 Âu Cơ"},
}


@pytest.fixture
async def stack(
    make_database: MakeDatabase, fresh_nats: EmbeddedNats, tmp_path: Path
) -> AsyncIterator[ReceptionStack]:
    url = await make_database("reception")
    async with reception_stack(tmp_path, fresh_nats.url, url) as running:
        yield running


async def post(
    stack: ReceptionStack, path: str, body: Any, unit: str = COMMUNE, role: Role = Role.OFFICER
) -> Any:
    return await stack.client.post(path, json=body, headers=stack.auth(unit, role))


async def crowd_visit(stack: ReceptionStack, **overrides: Any) -> dict[str, Any]:
    body = {
        "unit_code": COMMUNE,
        "mode": "periodic",
        "receiver_name": "Trần Văn Bình",
        "receiver_role": "head",
        "headcount": 12,
        "visitors": [HOA],
        "representatives": [HOA, {"name": "Phạm Văn Nam"}],
        "matter": "Bồi thường giải phóng mặt bằng dự án đường vành đai",
        **overrides,
    }
    reply = await post(stack, "/api/v1/visits", body)
    assert reply.status_code == 201, reply.text
    result: dict[str, Any] = reply.json()
    return result


async def complaint(stack: ReceptionStack, case_id: str | None = None, **overrides: Any) -> Any:
    body = {
        "unit_code": COMMUNE,
        "source": "in_person",
        "petition_class": "complaint",
        "sector": "compensation",
        "petitioner": {**HOA, "kind": "crowd"},
        "respondent": "Ban Quản lý dự án",
        "summary": "Khiếu nại quyết định phê duyệt đơn giá bồi thường",
        **({"case_id": case_id} if case_id else {}),
        **overrides,
    }
    return await post(stack, "/api/v1/petitions", body)


async def events(stack: ReceptionStack) -> list[Any]:
    return await read_stream(stack.nats_url, "RECEPTION")


async def test_a_crowd_complaint_is_accepted_becomes_nearly_due_then_overdue_once_and_concluded(
    stack: ReceptionStack,
) -> None:
    visit = await crowd_visit(stack)
    assert visit["crowd"] is True
    assert visit["warnings"] == []
    filed = await complaint(stack, visit["case_id"], visit_id=visit["id"])
    assert filed.status_code == 201, filed.text
    petition = filed.json()
    assert petition["case_id"] == visit["case_id"]
    pid = petition["id"]
    # received Monday 2026-11-16: acceptance within 7 working days (Tue 24 Nov is a holiday)
    classify = await post(stack, f"/api/v1/petitions/{pid}/classify", None)
    assert classify.status_code == 200, classify.text
    accept = await post(stack, f"/api/v1/petitions/{pid}/accept", {}, role=Role.LEADER)
    assert accept.status_code == 200, accept.text
    detail = (
        await stack.client.get(f"/api/v1/petitions/{pid}", headers=stack.auth(COMMUNE))
    ).json()
    resolution = [d for d in detail["deadlines"] if d["rule_code"] == "complaint_first_resolution"]
    assert resolution[0]["due_on"] == "2026-12-16"  # 30 days after 2026-11-16
    assert {
        d["state"] for d in detail["deadlines"] if d["rule_code"] != resolution[0]["rule_code"]
    } == {"met"}

    stack.clock.advance(timedelta(days=27))  # 2026-12-13: three days left
    nearly = await stack.client.get(
        "/api/v1/petitions", params={"due_within_days": 5}, headers=stack.auth(COMMUNE)
    )
    assert [p["id"] for p in nearly.json()["data"]] == [pid]
    configured = await stack.client.get(
        "/api/v1/petitions", params={"nearly_due": "true"}, headers=stack.auth(COMMUNE)
    )
    assert [p["id"] for p in configured.json()["data"]] == [pid]

    stack.clock.advance(timedelta(days=4))  # 2026-12-17: the day after the due day
    admin = stack.auth("VN", Role.ADMIN)
    first = await stack.client.post("/api/v1/admin/deadline-check", headers=admin)
    second = await stack.client.post("/api/v1/admin/deadline-check", headers=admin)
    assert first.json()["overdue_marked"] == 1, first.text
    assert second.json()["overdue_marked"] == 0
    overdue = await stack.client.get(
        "/api/v1/petitions", params={"overdue": "true"}, headers=stack.auth(COMMUNE)
    )
    assert overdue.json()["total"] == 1

    concluded = await post(
        stack,
        f"/api/v1/petitions/{pid}/conclude",
        {"conclusion": "partly_upheld", "decision_number": "45/QĐ-UBND"},
        role=Role.LEADER,
    )
    assert concluded.status_code == 200, concluded.text
    assert concluded.json()["status"] == "concluded"

    async def all_published() -> bool:
        received = await events(stack)
        return any(r.subject.startswith("evt.reception.petition.concluded") for r in received)

    await eventually(all_published)
    received = await events(stack)
    kinds = [r.subject.rsplit(".", 1)[0] for r in received]
    assert kinds.count("evt.reception.petition.overdue") == 1
    concluded_event = next(r for r in received if "concluded" in r.subject)
    assert concluded_event.event["data"]["on_time"] is False
    assert concluded_event.subject.endswith(".01")


async def test_a_leader_of_another_commune_can_neither_see_nor_change_it(
    stack: ReceptionStack,
) -> None:
    petition = (await complaint(stack)).json()
    other = stack.auth(OTHER_COMMUNE, Role.LEADER)
    seen = await stack.client.get(f"/api/v1/petitions/{petition['id']}", headers=other)
    assert seen.status_code == 403
    changed = await stack.client.post(
        f"/api/v1/petitions/{petition['id']}/classify", json={}, headers=other
    )
    assert changed.status_code == 403
    listed = await stack.client.get("/api/v1/petitions", headers=other)
    assert listed.json()["total"] == 0
    detail = (
        await stack.client.get(f"/api/v1/petitions/{petition['id']}", headers=stack.auth(COMMUNE))
    ).json()
    assert detail["status"] == "received"
    assert len(detail["history"]) == 1


async def test_a_denouncers_identity_is_in_no_event_and_shown_only_to_the_handling_unit(
    stack: ReceptionStack,
) -> None:
    reply = await complaint(
        stack,
        petition_class="denunciation",
        sector="corruption",
        petitioner={**HOA, "kind": "individual"},
        summary="Tố cáo cán bộ địa chính nhận tiền",
    )
    assert reply.status_code == 201, reply.text
    pid = reply.json()["id"]
    city = await stack.client.get(
        f"/api/v1/petitions/{pid}", headers=stack.auth(HANOI, Role.LEADER)
    )
    assert city.status_code == 200
    assert city.json()["petitioner"]["name"] == "***"
    assert city.json()["petitioner"]["id_number"] is None
    listed = await stack.client.get("/api/v1/petitions", headers=stack.auth(COMMUNE, Role.VIEWER))
    assert listed.json()["data"][0]["petitioner"]["name"] == "***"
    own = await stack.client.get(
        f"/api/v1/petitions/{pid}", headers=stack.auth(COMMUNE, Role.OFFICER)
    )
    assert own.json()["petitioner"]["name"] == HOA["name"]

    async def published() -> bool:
        return bool(await events(stack))

    await eventually(published)
    stream = json.dumps([r.event for r in await events(stack)], ensure_ascii=False)
    assert HOA["name"] not in stream
    assert HOA["id_number"] not in stream
    assert HOA["phone"] not in stream

    trail = await stack.client.get(
        "/api/v1/audit/personal-data",
        params={"record_id": pid},
        headers=stack.auth(HANOI, Role.ADMIN),
    )
    entries = trail.json()["data"]
    assert [(e["reader"], e["action"]) for e in entries] == [(f"{COMMUNE}-officer", "read")]


async def test_a_repeat_visit_is_offered_its_case_and_linked_to_it(stack: ReceptionStack) -> None:
    first = await crowd_visit(stack)
    again = await post(
        stack,
        "/api/v1/visits",
        {
            "unit_code": COMMUNE,
            "mode": "regular",
            "receiver_name": "Cán bộ tiếp dân",
            "receiver_role": "officer",
            "headcount": 1,
            "visitors": [HOA],
            "matter": "Hỏi lại về bồi thường giải phóng mặt bằng",
        },
    )
    assert again.status_code == 409, again.text
    (offer,) = again.json()["error"]["details"]
    assert offer["hint"] == first["case_id"]
    linked = await crowd_visit(
        stack,
        mode="regular",
        receiver_role="officer",
        headcount=1,
        representatives=[],
        case_id=first["case_id"],
    )
    assert linked["repeat"] is True
    assert linked["case_id"] == first["case_id"]


async def test_a_delegation_with_too_many_representatives_is_recorded_with_a_warning(
    stack: ReceptionStack,
) -> None:
    visit = await crowd_visit(
        stack,
        headcount=7,
        representatives=[{"name": f"Đại diện {n}"} for n in range(3)],
        new_case=True,
    )
    assert visit["crowd"] is True
    # A warning is kept with the visit in both languages, for the reader's portal to choose.
    assert "at most 2 representatives" in visit["warnings"][0]["en"]
    assert "tối đa 2 người đại diện" in visit["warnings"][0]["vi"]


async def test_a_dialogue_records_its_follow_ups_and_their_completion(
    stack: ReceptionStack,
) -> None:
    reply = await post(
        stack,
        "/api/v1/dialogues",
        {
            "unit_code": COMMUNE,
            "level": "commune",
            "held_on": "2026-11-10",
            "chair": "Trần Văn Bình",
            "participants": 120,
            "opinions_raised": 14,
            "topic": "Trật tự vỉa hè",
            "follow_ups": [
                {"description": "Lắp đèn ngõ 12", "owner": "Phòng Kinh tế", "due_on": "2026-12-31"}
            ],
        },
    )
    assert reply.status_code == 201, reply.text
    dialogue = reply.json()
    follow_up = dialogue["follow_ups"][0]
    done = await stack.client.put(
        f"/api/v1/dialogues/{dialogue['id']}/follow-ups/{follow_up['id']}",
        json={"status": "done"},
        headers=stack.auth(COMMUNE),
    )
    assert done.status_code == 200, done.text
    assert done.json()["follow_ups"][0]["status"] == "done"


async def test_the_heads_reception_days_are_counted_against_the_weekly_rule(
    stack: ReceptionStack,
) -> None:
    for day in ("2026-11-02", "2026-11-09"):
        await crowd_visit(stack, received_on=day, new_case=True)
    reply = await stack.client.get(
        f"/api/v1/units/{COMMUNE}/reception-schedule",
        params={"period": "202611"},
        headers=stack.auth(COMMUNE),
    )
    schedule = reply.json()
    assert reply.status_code == 200, reply.text
    # Today is Monday 16 November: the weeks of 2 and 9 November are over and each had a day.
    assert (schedule["held_days"], schedule["required_days"], schedule["kept"]) == (2, 2, True)
    stack.clock.advance(timedelta(days=7))
    later = await stack.client.get(
        f"/api/v1/units/{COMMUNE}/reception-schedule",
        params={"period": "202611"},
        headers=stack.auth(COMMUNE),
    )
    assert later.json()["missing_periods"] == ["2026-W47"]
    assert later.json()["kept"] is False


async def test_every_kind_of_reception_event_reaches_an_outside_subscriber(
    stack: ReceptionStack,
) -> None:
    await test_a_crowd_complaint_is_accepted_becomes_nearly_due_then_overdue_once_and_concluded(
        stack
    )
    await test_a_dialogue_records_its_follow_ups_and_their_completion(stack)
    pid = (await complaint(stack, new_case=True, summary="Khác")).json()["id"]
    await post(stack, f"/api/v1/petitions/{pid}/withdraw", {"reason": "Rút đơn"})
    den = (
        await complaint(stack, new_case=True, petition_class="denunciation", summary="Tố cáo")
    ).json()["id"]
    await post(stack, f"/api/v1/petitions/{den}/classify", None)
    await post(stack, f"/api/v1/petitions/{den}/accept", {"complex": True}, role=Role.LEADER)
    await post(stack, f"/api/v1/petitions/{den}/verify", None)
    ext = await post(
        stack, f"/api/v1/petitions/{den}/extend", {"decision_number": "9/QĐ"}, role=Role.LEADER
    )
    assert ext.status_code == 200, ext.text
    await post(
        stack,
        f"/api/v1/petitions/{den}/conclude",
        {"conclusion": "upheld", "decision_number": "10/QĐ"},
        role=Role.LEADER,
    )
    enforce = await post(stack, f"/api/v1/petitions/{den}/enforce", None, role=Role.LEADER)
    assert enforce.status_code == 200, enforce.text
    for action, body in [
        ("reject", {"reason": "Không đủ điều kiện"}),
        ("forward", {"to_body": "Thanh tra Thành phố", "dispatch_number": "1/PC"}),
    ]:
        other = (await complaint(stack, new_case=True, summary=action)).json()["id"]
        role = Role.LEADER if action == "reject" else Role.OFFICER
        moved = await post(stack, f"/api/v1/petitions/{other}/{action}", body, role=role)
        assert moved.status_code == 200, moved.text
    visit = await crowd_visit(stack, new_case=True, received_on="2026-12-15")
    replied = await post(stack, f"/api/v1/visits/{visit['id']}/reply", {"summary": "Đã trả lời"})
    assert replied.status_code == 200, replied.text
    await crowd_visit(stack, new_case=True, received_on="2026-12-01")  # its reply is late
    check = await stack.client.post(
        "/api/v1/admin/deadline-check", headers=stack.auth("VN", Role.ADMIN)
    )
    assert check.json()["overdue_marked"] >= 1, check.text
    expected = {cls.event_type() for cls in events_of("reception")}

    async def all_kinds() -> bool:
        return {r.event["type"] for r in await events(stack)} == expected

    await eventually(all_kinds)
