"""The scheduled check on real servers: overdue is emitted once even from two copies of the
service at the same moment; a unit's digest is published once a day; personal data of closed
cases is anonymised after the retention period, and that is audited."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from danvan.contracts.rpc import Role
from danvan.embedded import EmbeddedNats
from danvan.units import load_units
from services.reception.app import build as build_reception
from tests.conftest import MakeDatabase
from tests.integration.test_reception_api import COMMUNE, HANOI, complaint, post
from tests.reception_stack import ReceptionStack, reception_stack
from tests.stream_reader import read_stream
from tests.waiting import eventually

CHECK = "reception-deadline-check"


@pytest.fixture
async def stack(
    make_database: MakeDatabase, fresh_nats: EmbeddedNats, tmp_path: Path
) -> AsyncIterator[ReceptionStack]:
    url = await make_database("reception")
    async with reception_stack(tmp_path, fresh_nats.url, url, retention_days=30) as running:
        yield running


async def subjects(stack: ReceptionStack) -> list[str]:
    return [r.subject for r in await read_stream(stack.nats_url, "RECEPTION")]


async def test_two_copies_checking_at_once_emit_overdue_once(stack: ReceptionStack) -> None:
    second = build_reception(stack.settings, units=load_units(), clock=stack.clock)
    await second.start()
    try:
        filed = await complaint(stack)
        assert filed.status_code == 201, filed.text
        stack.clock.advance(timedelta(days=20))  # past the 7 working days to accept it
        results = await asyncio.gather(
            stack.service.jobs[CHECK](), second.jobs[CHECK](), stack.service.jobs[CHECK]()
        )
        assert sum(r.overdue_marked for r in results) == 1
    finally:
        await second.stop()

    async def published() -> bool:
        return any(".petition.overdue." in s for s in await subjects(stack))

    await eventually(published)
    await asyncio.sleep(0.2)
    assert sum(".petition.overdue." in s for s in await subjects(stack)) == 1


async def test_a_units_digest_is_published_once_a_day(stack: ReceptionStack) -> None:
    await complaint(stack)
    stack.clock.advance(timedelta(days=5))  # acceptance due in a few days: nearly due
    digest = await stack.client.get(
        f"/api/v1/units/{COMMUNE}/reception-digest", headers=stack.auth(COMMUNE)
    )
    assert [i["rule_code"] for i in digest.json()["nearly_due"]] == ["complaint_acceptance"]
    first = await stack.service.jobs[CHECK]()
    again = await stack.service.jobs[CHECK]()
    assert (first.digests_published, again.digests_published) == (1, 0)
    stack.clock.advance(timedelta(days=1))
    assert (await stack.service.jobs[CHECK]()).digests_published == 1

    async def two_digests() -> bool:
        return sum(".digest.published." in s for s in await subjects(stack)) == 2

    await eventually(two_digests)


async def test_personal_data_of_a_closed_case_is_anonymised_after_retention_and_audited(
    stack: ReceptionStack,
) -> None:
    pid = (await complaint(stack)).json()["id"]
    withdrawn = await post(stack, f"/api/v1/petitions/{pid}/withdraw", {"reason": "Rút đơn"})
    assert withdrawn.status_code == 200, withdrawn.text
    stack.clock.advance(timedelta(days=29))
    assert (await stack.service.jobs[CHECK]()).anonymised == 0
    stack.clock.advance(timedelta(days=2))
    assert (await stack.service.jobs[CHECK]()).anonymised == 1
    own = await stack.client.get(f"/api/v1/petitions/{pid}", headers=stack.auth(COMMUNE))
    assert own.json()["petitioner"]["name"] == "***"
    assert own.json()["petitioner"]["id_number"] is None
    trail = await stack.client.get(
        "/api/v1/audit/personal-data",
        params={"record_id": pid},
        headers=stack.auth(HANOI, Role.ADMIN),
    )
    actions = [(e["reader"], e["action"]) for e in trail.json()["data"]]
    assert ("system:retention", "anonymised") in actions
    # A new petition from the same person no longer matches the anonymised case.
    again = await complaint(stack, summary="Khiếu nại mới về bồi thường")
    assert again.status_code == 201, again.text
    assert again.json()["case_id"] != own.json()["case_id"]


async def test_the_reply_owed_after_a_reception_is_due_in_ten_working_days(
    stack: ReceptionStack,
) -> None:
    visit = (await post(stack, "/api/v1/visits", VISIT)).json()
    # received Monday 2026-11-16; Tuesday 24 November is a public holiday (Vietnam Culture
    # Day from 2026): ten working days end on Tuesday 1 December.
    assert visit["reply_due_on"] == "2026-12-01"
    stack.clock.advance(timedelta(days=15))  # 2026-12-01: due today, not late yet
    assert (await stack.service.jobs[CHECK]()).overdue_marked == 0
    stack.clock.advance(timedelta(days=1))
    assert (await stack.service.jobs[CHECK]()).overdue_marked == 1
    assert (await stack.service.jobs[CHECK]()).overdue_marked == 0
    late = await post(stack, f"/api/v1/visits/{visit['id']}/reply", {"summary": "Đã trả lời"})
    assert late.json()["replied_on"] == "2026-12-02"
    twice = await post(stack, f"/api/v1/visits/{visit['id']}/reply", {"summary": "Lần nữa"})
    assert twice.status_code == 409
    kept = await stack.client.get(f"/api/v1/visits/{visit['id']}", headers=stack.auth(COMMUNE))
    assert kept.json()["reply_summary"] == "Đã trả lời"  # the first reply, as it was written

    async def replied_late() -> bool:
        received = await read_stream(stack.nats_url, "RECEPTION")
        return any(
            ".visit.replied." in r.subject and r.event["data"]["on_time"] is False for r in received
        )

    await eventually(replied_late)
    assert sum(".visit.reply_overdue." in s for s in await subjects(stack)) == 1


VISIT = {
    "unit_code": COMMUNE,
    "mode": "regular",
    "receiver_name": "Cán bộ tiếp dân",
    "receiver_role": "officer",
    "headcount": 1,
    "visitors": [{"name": "Nguyễn Văn An"}],
    "matter": "Kiến nghị sửa đường ngõ 5",
}
