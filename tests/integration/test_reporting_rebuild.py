"""Rebuilding reporting's figures from the streams, through the gateway, on a real nats-server
and a real database (SQLite and PostgreSQL): every figure comes back exactly as it was; while
the rebuild runs the dashboard keeps the old figures, a second rebuild is refused, and events
that arrive meanwhile count once in the new build."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from nats.js.client import JetStreamContext
from sqlalchemy import delete, insert, select, update

from danvan import pull
from danvan.contracts.rpc import Role
from danvan.db import transaction
from danvan.embedded import EmbeddedNats
from danvan.inbox import inbox_table
from danvan.pull import BATCH_SIZE, Delivered
from danvan.timeutil import utcnow
from services.reporting import builds
from services.reporting.projection import inbox_name
from services.reporting.store import (
    builds_table,
    tallies_table,
    year_tallies_table,
)
from tests.conftest import MakeDatabase
from tests.reporting_stack import (
    REBUILD,
    Event,
    ReportingStack,
    crowd_visit,
    figure_of,
    model_registered,
    petition_accepted,
    petition_concluded,
    petition_received,
    rebuild_finished,
    rebuild_status,
    reporting_stack,
    without_freshness,
)
from tests.waiting import eventually

HONG_HA, HAI_BA_TRUNG, HANOI = "00097", "00256", "01"
# (unit, period, basis, boundaries): the views compared before and after.
VIEWS = [
    ("VN", "2024", "calendar", "current"),
    (HANOI, "2024", "calendar", "current"),
    (HONG_HA, "2024", "calendar", "current"),
    (HAI_BA_TRUNG, "2024", "calendar", "current"),
    ("old-01", "2024", "calendar", "historical"),
    ("old-00001", "2024", "calendar", "historical"),
    (HANOI, "2026Q1", "calendar", "current"),
    (HONG_HA, "2026Q1", "cutoff", "current"),
    (HONG_HA, "202601", "calendar", "current"),
]


@pytest.fixture
async def stack(
    make_database: MakeDatabase, fresh_nats: EmbeddedNats, tmp_path: Path
) -> AsyncIterator[ReportingStack]:
    url = await make_database("reporting")
    async with reporting_stack(tmp_path, fresh_nats.url, url) as running:
        yield running


def history() -> list[Event]:
    """Facts of every kind the projection keeps: a merged and a split commune's (2024), a
    province's own, a crowd case over two visits, petitions with their rates."""
    case = uuid.uuid4()
    petitions = [uuid.uuid4(), uuid.uuid4()]
    return [
        model_registered("old-00001", date(2024, 3, 5)),
        model_registered("old-00244", date(2024, 5, 20)),
        petition_received("old-00001", date(2024, 8, 1)),
        model_registered(HANOI, date(2026, 1, 5)),
        crowd_visit(HONG_HA, date(2026, 2, 10), case),
        crowd_visit(HONG_HA, date(2026, 1, 20), case),
        *[petition_accepted(HONG_HA, date(2026, 1, 12), p) for p in petitions],
        petition_concluded(HONG_HA, date(2026, 2, 16), petitions[0], on_time=False, days=21),
    ]


async def enter(stack: ReportingStack, *rows: tuple[str, str, str, int], source: str) -> None:
    body = {
        "source": source,
        "entries": [
            {"unit_code": u, "period": p, "indicator": i, "value": v} for u, p, i, v in rows
        ],
    }
    reply = await stack.client.post(
        "/api/v1/figures", json=body, headers=stack.auth(HANOI, Role.OFFICER)
    )
    assert reply.status_code == 201, reply.text


async def views(stack: ReportingStack) -> list[dict[str, Any]]:
    return [
        await stack.unit_figures(unit, period, basis=basis, boundaries=boundaries)
        for unit, period, basis, boundaries in VIEWS
    ]


async def builds_kept(stack: ReportingStack) -> set[int | str]:
    """The builds whose rows remain, in every table that holds builds and in the inbox."""
    async with stack.service.db() as session:
        kept: set[int | str] = set()
        for table in builds.BUILD_TABLES:
            kept |= set(await session.scalars(select(table.c.build).distinct()))
        figures = inbox_table.c.consumer.like("figures@%")
        kept |= set(await session.scalars(select(inbox_table.c.consumer).where(figures).distinct()))
        return kept


async def test_a_rebuild_gives_every_figure_back_exactly_and_only_an_admin_may_start_it(
    stack: ReportingStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The replaced build goes a few rows per transaction, so that writes waiting meanwhile
    # are not held for its whole size: here in many chunks.
    monkeypatch.setattr(builds, "DROP_CHUNK", 3)
    events = history()
    await stack.publish_all(events)
    await stack.publish(events[0], msg_id=f"{events[0].id}-again")  # a republish, counted once
    await enter(stack, (HONG_HA, "202601", "supervision.sessions", 3), source="manual")
    await enter(stack, (HONG_HA, "202601", "supervision.sessions", 4), source="manual")
    await enter(stack, ("old-00001", "2024", "petitions.received", 120), source="imported")
    await stack.wait_for(HONG_HA, "2024", "petitions.received", 121)
    await stack.wait_for(HONG_HA, "202601", "supervision.sessions", 4)
    await stack.settled()
    before = await views(stack)
    positions = {p["stream"]: p["sequence"] for p in before[0]["current_as_of"]}
    assert positions == {"REGISTRY": 4, "RECEPTION": 6, "REPORTING": 3}
    assert (figure_of(before[3], "models.registered")["attributed"]) == 1  # a check of the data
    first = await rebuild_status(stack)
    assert first["running"] is False
    assert await builds_kept(stack) == {first["build"], inbox_name(first["build"])}

    for role in (Role.LEADER, Role.OFFICER, Role.VIEWER):
        refused = await stack.client.post(REBUILD, headers=stack.auth("VN", role))
        assert refused.status_code == 403, refused.text
    looked = await stack.client.get(REBUILD, headers=stack.auth("VN", Role.LEADER))
    assert looked.status_code == 403, looked.text

    started = await stack.client.post(REBUILD, headers=stack.auth("VN", Role.ADMIN))
    assert started.status_code == 202, started.text
    assert started.json()["running"] is True
    assert started.json()["building"] == first["build"] + 1
    assert started.json()["total"] == sum(positions.values())
    done = await rebuild_finished(stack)
    assert done["error"] is None
    assert (done["build"], done["building"]) == (first["build"] + 1, None)
    assert done["applied"] == done["total"] == sum(positions.values())

    after = await views(stack)
    assert without_freshness(after) == without_freshness(before)
    assert {p["stream"]: p["sequence"] for p in after[0]["current_as_of"]} == positions

    new = done["build"]

    async def only_the_new_build_is_left() -> bool:
        return await builds_kept(stack) == {new, inbox_name(new)}

    await eventually(only_the_new_build_is_left)


async def test_during_a_rebuild_the_old_figures_show_a_second_is_refused_and_new_events_count_once(
    stack: ReportingStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    await stack.publish_all(history())
    await stack.wait_for(HANOI, "2026Q1", "petitions.accepted", 2)
    await stack.settled()
    old = await views(stack)

    # Hold the rebuild after it has begun, so the test can look at it while it runs.
    gate = asyncio.Event()
    replay = pull.replay

    async def held(
        js: JetStreamContext, source: str, *, until: int, batch_size: int = BATCH_SIZE
    ) -> AsyncIterator[list[Delivered]]:
        await gate.wait()
        async for batch in replay(js, source, until=until, batch_size=batch_size):
            yield batch

    monkeypatch.setattr(builds, "replay", held)
    # Events the live consumer may not have applied when the rebuild begins: the live consumer
    # and the rebuild both meet them.
    late = [model_registered(HONG_HA, date(2026, 1, day)) for day in (6, 7)]
    await stack.publish_all(late)
    admin = stack.auth("VN", Role.ADMIN)
    started = await stack.client.post(REBUILD, headers=admin)
    assert started.status_code == 202, started.text
    building = started.json()["building"]

    second = await stack.client.post(REBUILD, headers=admin)
    assert second.status_code == 409, second.text
    running = await rebuild_status(stack)
    assert (running["running"], running["building"]) == (True, building)

    # The dashboard answers from the active build: everything from before the rebuild.
    await stack.wait_for(HANOI, "2026Q1", "models.registered", 3)
    await stack.settled()
    meanwhile = await views(stack)
    assert without_freshness(meanwhile[:6]) == without_freshness(old[:6])  # 2024: untouched
    assert figure_of(meanwhile[6], "petitions.accepted")["amount"] == 2
    assert figure_of(meanwhile[6], "crowd.cases")["amount"] == 1

    # Events and an entered figure while it runs, and a republish of an event it will replay.
    during = [
        model_registered(HAI_BA_TRUNG, date(2026, 2, 2)),
        crowd_visit(HONG_HA, date(2026, 3, 3), uuid.uuid4()),
    ]
    await stack.publish_all(during)
    await stack.publish(late[0], msg_id=f"{late[0].id}-again")
    await enter(stack, (HONG_HA, "202602", "inspections.held", 2), source="manual")
    await stack.wait_for(HANOI, "2026Q1", "inspections.held", 2)
    await stack.wait_for(HANOI, "2026Q1", "models.registered", 4)
    await stack.settled()
    assert (await rebuild_status(stack))["running"] is True
    expected = await views(stack)
    assert figure_of(expected[6], "crowd.cases")["amount"] == 2

    gate.set()
    done = await rebuild_finished(stack)
    assert done["error"] is None
    assert (done["build"], done["building"]) == (building, None)
    after = await views(stack)
    assert without_freshness(after) == without_freshness(expected)
    hanoi = after[6]
    assert figure_of(hanoi, "models.registered")["amount"] == 4
    assert figure_of(hanoi, "crowd.cases")["amount"] == 2
    assert figure_of(hanoi, "inspections.held")["amount"] == 2


async def test_a_build_from_before_the_year_rows_shows_the_same_years_and_is_rebuilt_by_itself(
    stack: ReportingStack,
) -> None:
    await stack.publish_all(history())
    await stack.wait_for(HONG_HA, "2024", "petitions.received", 1)
    await stack.wait_for(HONG_HA, "2026Q1", "petitions.accepted", 2)
    await stack.settled()
    before = await views(stack)
    first = await rebuild_status(stack)
    # As a build made before the year rows were kept: none, and a key without their mark.
    async with transaction(stack.service.db) as session:
        await session.execute(delete(year_tallies_table))
        await session.execute(update(builds_table).values(units_key=""))

    assert without_freshness(await views(stack)) == without_freshness(before)

    await stack.service.jobs["units-rebuild"]()
    done = await rebuild_finished(stack)
    assert (done["build"], done["error"]) == (first["build"] + 1, None)
    assert done["units"] == stack.units.key
    async with stack.service.db() as session:
        kept = await session.execute(
            select(year_tallies_table.c.build).where(year_tallies_table.c.build == done["build"])
        )
        assert kept.first() is not None
    assert without_freshness(await views(stack)) == without_freshness(before)


async def test_rows_of_an_old_build_a_stopped_process_left_are_deleted_by_the_next(
    stack: ReportingStack,
) -> None:
    await stack.publish_all(history()[:3])
    await stack.settled()
    await stack.client.post(REBUILD, headers=stack.auth("VN", Role.ADMIN))
    done = await rebuild_finished(stack)
    await eventually(lambda: only_active_kept(stack, done["build"]))
    # As if the process had stopped while deleting the replaced build's rows.
    old = done["build"] - 1
    async with transaction(stack.service.db) as session:
        await session.execute(
            insert(tallies_table).values(
                build=old,
                view="both",
                unit_id="VN",
                indicator="models.registered",
                dimension="",
                day=date(2024, 3, 1),
                amount=1,
            )
        )
        await session.execute(
            insert(inbox_table).values(
                consumer=inbox_name(old), event_id=str(uuid.uuid4()), processed_at=utcnow()
            )
        )
    assert await builds_kept(stack) == {
        old,
        inbox_name(old),
        done["build"],
        inbox_name(done["build"]),
    }

    await stack.service.jobs["leftover-builds"]()

    assert await builds_kept(stack) == {done["build"], inbox_name(done["build"])}


async def only_active_kept(stack: ReportingStack, build: int) -> bool:
    return await builds_kept(stack) == {build, inbox_name(build)}
