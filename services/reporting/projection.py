"""Applying events to a build of the projection, a batch in one transaction.

Each build keeps its own inbox (consumer "figures@<build>"), so the live consumer and a rebuild
may both meet an event and it still counts once in each build.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from danvan.bulk_writes import add_amounts, existing, insert_rows
from danvan.db import upsert_insert
from danvan.inbox import inbox_table
from danvan.pull import Delivered
from danvan.timeutil import as_utc, utcnow
from services.reporting.counting import Count, Once, PeriodAmount, effects
from services.reporting.rollup import (
    DayKey,
    PeriodKey,
    Placer,
    YearKey,
    by_year,
    spread_amounts,
    spread_counts,
)
from services.reporting.store import (
    onces_table,
    period_tallies_table,
    positions_table,
    tallies_table,
    year_tallies_table,
)

# Bound the IN lists and multi-row statements well under every backend's parameter limit.
_CHUNK = 500


def inbox_name(build: int) -> str:
    return f"figures@{build}"


@dataclass(frozen=True, slots=True)
class Prepared:
    """What a batch counts, worked out before its transaction: the events (each once), the
    rows their plain counts and entered amounts add to, and their once-counted keys."""

    deliveries: list[Delivered]
    #: the furthest event of each stream in the batch, repeats included
    furthest: dict[str, tuple[int, datetime]]
    counts: dict[DayKey, int]
    amounts: dict[PeriodKey, int]
    onces: list[Once]


class Projector:
    def __init__(self, placer: Placer) -> None:
        self._placer = placer

    def prepare(self, deliveries: Sequence[Delivered]) -> Prepared:
        """The batch's counts: pure work, done before its transaction begins."""
        by_id: dict[str, Delivered] = {}
        for delivery in deliveries:
            by_id.setdefault(str(delivery.event.id), delivery)
        found = [effect for d in by_id.values() for effect in effects(d.event)]
        return Prepared(
            deliveries=list(by_id.values()),
            furthest=_furthest(deliveries),
            counts=spread_counts(self._placer, [e for e in found if isinstance(e, Count)]),
            amounts=spread_amounts(self._placer, [e for e in found if isinstance(e, PeriodAmount)]),
            onces=[e for e in found if isinstance(e, Once)],
        )

    async def apply(
        self, session: AsyncSession, batch: Sequence[Delivered] | Prepared, builds: Iterable[int]
    ) -> None:
        prepared = batch if isinstance(batch, Prepared) else self.prepare(batch)
        for build in builds:
            fresh = await _claim(session, build, prepared.deliveries)
            # An event this build already has (the live consumer and a rebuild both met it,
            # or it came again): the batch's counts without it.
            mine = prepared if len(fresh) == len(prepared.deliveries) else self.prepare(fresh)
            added, removed = await _settle_onces(session, build, mine.onces)
            rows = dict(mine.counts)
            for key, value in spread_counts(self._placer, added).items():
                rows[key] = rows.get(key, 0) + value
            for key, value in spread_counts(self._placer, removed, sign=-1).items():
                rows[key] = rows.get(key, 0) + value
            await _add_tallies(session, build, rows)
            await _add_year_tallies(session, build, by_year(rows))
            await _add_period_tallies(session, build, mine.amounts)
            await _advance(session, build, prepared.furthest)


async def _claim(
    session: AsyncSession, build: int, deliveries: Sequence[Delivered]
) -> list[Delivered]:
    """The deliveries (each a different event) this build has not applied yet, now recorded
    as applied."""
    consumer = inbox_name(build)
    ids = [str(d.event.id) for d in deliveries]
    seen = await existing(session, inbox_table, ("consumer", consumer), "event_id", ids)
    fresh = [d for d, event_id in zip(deliveries, ids, strict=True) if event_id not in seen]
    now = utcnow()
    await insert_rows(
        session,
        inbox_table,
        ("consumer", "event_id", "processed_at"),
        [(consumer, str(d.event.id), now) for d in fresh],
    )
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
    values = [(build, *key, amount) for key, amount in sorted(rows.items())]
    await add_amounts(session, tallies_table, _DAY_KEY, "amount", values)


async def _add_year_tallies(session: AsyncSession, build: int, rows: dict[YearKey, int]) -> None:
    values = [(build, *key, amount) for key, amount in sorted(rows.items())]
    await add_amounts(session, year_tallies_table, _YEAR_KEY, "amount", values)


async def _add_period_tallies(
    session: AsyncSession, build: int, rows: dict[PeriodKey, int]
) -> None:
    # Sorted rows keep two writers on PostgreSQL from locking the same rows in opposite orders.
    values = [(build, *key, amount) for key, amount in sorted(rows.items())]
    await add_amounts(session, period_tallies_table, _PERIOD_KEY, "amount", values)


_DAY_KEY = ["build", "view", "unit_id", "indicator", "dimension", "day"]
_YEAR_KEY = ["build", "view", "unit_id", "indicator", "dimension", "year"]
_PERIOD_KEY = ["build", "view", "unit_id", "indicator", "dimension", "period", "source"]


def _furthest(deliveries: Sequence[Delivered]) -> dict[str, tuple[int, datetime]]:
    furthest: dict[str, tuple[int, datetime]] = {}
    for d in deliveries:
        held = furthest.get(d.stream)
        if held is None or d.sequence > held[0]:
            furthest[d.stream] = (d.sequence, as_utc(d.event.time))
    return furthest


async def _advance(
    session: AsyncSession, build: int, furthest: dict[str, tuple[int, datetime]]
) -> None:
    """Remember the furthest event applied from each stream."""
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
