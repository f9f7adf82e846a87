"""Reading the projection: each unit's sums over a span of days and a set of periods."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from danvan.contracts.reporting import Boundaries, FigureSource, StreamPosition
from danvan.periods import Period, periods_within
from danvan.timeutil import as_utc_or_none
from services.reporting.rollup import views_read
from services.reporting.store import period_tallies_table, positions_table, tallies_table

# indicator → dimension ("" for the total) → amount
Amounts = dict[str, dict[str, int]]


@dataclass
class UnitSums:
    amounts: Amounts = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    # indicator → source → the part of its total that was entered or imported
    sources: dict[str, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )

    def total(self, indicator: str, dimension: str = "") -> int:
        return self.amounts.get(indicator, {}).get(dimension, 0)

    def part(self, indicator: str, source: FigureSource) -> int:
        return self.sources.get(indicator, {}).get(source.value, 0)


async def sums(
    session: AsyncSession,
    build: int,
    boundaries: Boundaries,
    unit_ids: Sequence[str],
    start: date,
    end: date,
    period: Period,
) -> dict[str, UnitSums]:
    """Each unit's counts of [start, end] plus the figures entered for `period` or any period
    inside it (entered figures name a period, not a day, so the basis does not move them)."""
    found = {unit_id: UnitSums() for unit_id in unit_ids}
    if not unit_ids:
        return found
    views = views_read(boundaries)
    days = await session.execute(
        select(
            tallies_table.c.unit_id,
            tallies_table.c.indicator,
            tallies_table.c.dimension,
            func.sum(tallies_table.c.amount),
        )
        .where(
            tallies_table.c.build == build,
            tallies_table.c.view.in_(views),
            tallies_table.c.unit_id.in_(unit_ids),
            tallies_table.c.day.between(start, end),
        )
        .group_by(tallies_table.c.unit_id, tallies_table.c.indicator, tallies_table.c.dimension)
    )
    for unit_id, indicator, dimension, amount in days.all():
        found[unit_id].amounts[indicator][dimension] += int(amount)
    periods = [p.code for p in periods_within(period)]
    entered = await session.execute(
        select(
            period_tallies_table.c.unit_id,
            period_tallies_table.c.indicator,
            period_tallies_table.c.dimension,
            period_tallies_table.c.source,
            func.sum(period_tallies_table.c.amount),
        )
        .where(
            period_tallies_table.c.build == build,
            period_tallies_table.c.view.in_(views),
            period_tallies_table.c.unit_id.in_(unit_ids),
            period_tallies_table.c.period.in_(periods),
        )
        .group_by(
            period_tallies_table.c.unit_id,
            period_tallies_table.c.indicator,
            period_tallies_table.c.dimension,
            period_tallies_table.c.source,
        )
    )
    for unit_id, indicator, dimension, source, amount in entered.all():
        unit = found[unit_id]
        unit.amounts[indicator][dimension] += int(amount)
        if dimension == "":
            unit.sources[indicator][source] += int(amount)
    return found


async def positions(session: AsyncSession, build: int) -> list[StreamPosition]:
    result = await session.execute(
        select(positions_table)
        .where(positions_table.c.build == build)
        .order_by(positions_table.c.stream)
    )
    return [
        StreamPosition(
            stream=row["stream"],
            sequence=row["sequence"],
            event_time=as_utc_or_none(row["event_time"]),
            applied_at=as_utc_or_none(row["applied_at"]),
        )
        for row in result.mappings()
    ]
