"""Applying events to a build of the projection, a batch in one transaction.

Each build keeps its own inbox (consumer "figures@<build>"), so the live consumer and a rebuild
may both meet an event and it still counts once in each build.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from danvan.db import upsert_insert
from danvan.inbox import inbox_table
from danvan.pull import Delivered
from danvan.timeutil import as_utc, utcnow
from danvan.units import UnitTree
from services.reporting.counting import Count, Once, PeriodAmount, effects
from services.reporting.rollup import DayKey, PeriodKey, Placer, spread_amounts, spread_counts
from services.reporting.store import (
    onces_table,
    period_tallies_table,
    positions_table,
    tallies_table,
)

# Bound the IN lists and multi-row statements well under every backend's parameter limit.
_CHUNK = 500


def inbox_name(build: int) -> str:
    return f"figures@{build}"


class Projector:
    def __init__(self, units: UnitTree) -> None:
        self._placer = Placer(units)

    async def apply(
        self, session: AsyncSession, deliveries: Sequence[Delivered], builds: Iterable[int]
    ) -> None:
        for build in builds:
            fresh = await _claim(session, build, deliveries)
            found = [effect for d in fresh for effect in effects(d.event)]
            counts = [e for e in found if isinstance(e, Count)]
            onces = [e for e in found if isinstance(e, Once)]
            amounts = [e for e in found if isinstance(e, PeriodAmount)]
            added, removed = await _settle_onces(session, build, onces)
            rows = spread_counts(self._placer, [*counts, *added])
            for key, value in spread_counts(self._placer, removed, sign=-1).items():
                rows[key] = rows.get(key, 0) + value
            await _add_tallies(session, build, rows)
            await _add_period_tallies(session, build, spread_amounts(self._placer, amounts))
            await _advance(session, build, deliveries)


async def _claim(
    session: AsyncSession, build: int, deliveries: Sequence[Delivered]
) -> list[Delivered]:
    """The deliveries this build has not applied yet, now recorded as applied."""
    consumer = inbox_name(build)
    by_id: dict[str, Delivered] = {}
    for delivery in deliveries:
        by_id.setdefault(str(delivery.event.id), delivery)
    seen: set[str] = set()
    ids = list(by_id)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        result = await session.execute(
            select(inbox_table.c.event_id).where(
                inbox_table.c.consumer == consumer, inbox_table.c.event_id.in_(chunk)
            )
        )
        seen.update(result.scalars())
    fresh = [delivery for event_id, delivery in by_id.items() if event_id not in seen]
    now = utcnow()
    rows = [{"consumer": consumer, "event_id": str(d.event.id), "processed_at": now} for d in fresh]
    for start in range(0, len(rows), _CHUNK):
        await session.execute(inbox_table.insert(), rows[start : start + _CHUNK])
    return fresh


async def _settle_onces(
    session: AsyncSession, build: int, onces: Sequence[Once]
) -> tuple[list[Count], list[Count]]:
    """Counts to add and to take back so each key counts once, at its first occurrence."""
    best: dict[str, Once] = {}
    for once in onces:
        held = best.get(once.key)
        if held is None or once.rank < held.rank:
            best[once.key] = once
    if not best:
        return [], []
    stored: dict[str, Once] = {}
    keys = list(best)
    for start in range(0, len(keys), _CHUNK):
        result = await session.execute(
            select(onces_table).where(
                onces_table.c.build == build, onces_table.c.key.in_(keys[start : start + _CHUNK])
            )
        )
        for row in result.mappings():
            count = Count(row["unit_id"], row["day"], row["indicator"], _dims(row["dimensions"]))
            stored[row["key"]] = Once(row["key"], count, row["event_id"])
    added: list[Count] = []
    removed: list[Count] = []
    winners: list[Once] = []
    for key, once in best.items():
        previous = stored.get(key)
        if previous is not None and previous.rank <= once.rank:
            continue
        if previous is not None:
            removed.append(previous.count)
        added.append(once.count)
        winners.append(once)
    await _store_onces(session, build, winners)
    return added, removed


def _dims(text: str) -> tuple[str, ...]:
    return tuple(text.split("\n"))


async def _store_onces(session: AsyncSession, build: int, winners: Sequence[Once]) -> None:
    if not winners:
        return
    insert = upsert_insert(session)
    rows = [
        {
            "build": build,
            "key": once.key,
            "day": once.count.day,
            "unit_id": once.count.unit_id,
            "event_id": once.event_id,
            "indicator": once.count.indicator,
            "dimensions": "\n".join(once.count.dimensions),
        }
        for once in winners
    ]
    for start in range(0, len(rows), _CHUNK):
        statement = insert(onces_table)
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["build", "key"],
                set_={
                    name: statement.excluded[name]
                    for name in ("day", "unit_id", "event_id", "indicator", "dimensions")
                },
            ),
            rows[start : start + _CHUNK],
        )


async def _add_tallies(session: AsyncSession, build: int, rows: dict[DayKey, int]) -> None:
    values = [
        {
            "build": build,
            "view": view,
            "unit_id": unit,
            "indicator": indicator,
            "dimension": dimension,
            "day": day,
            "amount": amount,
        }
        for (view, unit, indicator, dimension, day), amount in sorted(rows.items())
    ]
    await _upsert_adding(session, tallies_table, values, _DAY_KEY)


async def _add_period_tallies(
    session: AsyncSession, build: int, rows: dict[PeriodKey, int]
) -> None:
    values = [
        {
            "build": build,
            "view": view,
            "unit_id": unit,
            "indicator": indicator,
            "dimension": dimension,
            "period": period,
            "source": source,
            "amount": amount,
        }
        for (view, unit, indicator, dimension, period, source), amount in sorted(rows.items())
    ]
    await _upsert_adding(session, period_tallies_table, values, _PERIOD_KEY)


_DAY_KEY = ["build", "view", "unit_id", "indicator", "dimension", "day"]
_PERIOD_KEY = ["build", "view", "unit_id", "indicator", "dimension", "period", "source"]


async def _upsert_adding(
    session: AsyncSession, table: Table, values: list[dict[str, object]], key: list[str]
) -> None:
    """Insert the rows, or add their amounts to the rows already there. Sorted rows keep two
    writers on PostgreSQL from locking the same rows in opposite orders."""
    insert = upsert_insert(session)
    for start in range(0, len(values), _CHUNK):
        statement = insert(table)
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=key,
                set_={"amount": table.c.amount + statement.excluded.amount},
            ),
            values[start : start + _CHUNK],
        )


async def _advance(session: AsyncSession, build: int, deliveries: Sequence[Delivered]) -> None:
    """Remember the furthest event applied from each stream."""
    furthest: dict[str, tuple[int, datetime]] = {}
    for d in deliveries:
        held = furthest.get(d.stream)
        if held is None or d.sequence > held[0]:
            furthest[d.stream] = (d.sequence, as_utc(d.event.time))
    if not furthest:
        return
    result = await session.execute(
        select(positions_table.c.stream, positions_table.c.sequence).where(
            positions_table.c.build == build,
            positions_table.c.stream.in_(list(furthest)),
        )
    )
    known = {stream: sequence for stream, sequence in result.all()}
    now = utcnow()
    insert = upsert_insert(session)
    for stream, (sequence, event_time) in furthest.items():
        if known.get(stream, 0) >= sequence:
            continue
        statement = insert(positions_table).values(
            build=build, stream=stream, sequence=sequence, event_time=event_time, applied_at=now
        )
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["build", "stream"],
                set_={"sequence": sequence, "event_time": event_time, "applied_at": now},
            )
        )
