"""Reading the projection: each unit's sums over a span of days and a set of periods."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from danvan.contracts.reporting import Boundaries, FigureSource, StreamPosition
from danvan.periods import CUTOFF_DAY, Basis, Period, PeriodKind, periods_within
from danvan.timeutil import as_utc_or_none
from services.reporting.builds import Builds
from services.reporting.rollup import views_read
from services.reporting.store import (
    period_tallies_table,
    positions_table,
    tallies_table,
    year_tallies_table,
)

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
    builds: Builds,
    boundaries: Boundaries,
    unit_ids: Sequence[str],
    period: Period,
    basis: Basis,
) -> dict[str, UnitSums]:
    """Each unit's counts of `period` on `basis` plus the figures entered for `period` or any
    period inside it (entered figures name a period, not a day, so the basis does not move
    them)."""
    found = {unit_id: UnitSums() for unit_id in unit_ids}
    if not unit_ids:
        return found
    build = builds.active
    where = _Where(build, views_read(boundaries), unit_ids)
    if builds.years and period.kind is PeriodKind.YEAR:
        await _add_year(session, found, where, period.year)
        if basis is Basis.CUTOFF:
            # 15 December of the year before comes in, this year's 15 December goes.
            await _add_halves(session, found, where, _december_tail(period.year - 1))
            await _add_halves(session, found, where, _december_tail(period.year), sign=-1)
    else:
        await _add_halves(session, found, where, period.date_range(basis))
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
            period_tallies_table.c.view.in_(where.views),
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


@dataclass(frozen=True, slots=True)
class _Where:
    build: int
    views: tuple[str, str]
    unit_ids: Sequence[str]


def _december_tail(year: int) -> tuple[date, date]:
    """The last half-month of `year`, which the cut-off basis counts in the next year."""
    return date(year, 12, CUTOFF_DAY), date(year, 12, 31)


async def _add_halves(
    session: AsyncSession,
    found: dict[str, UnitSums],
    where: _Where,
    span: tuple[date, date],
    *,
    sign: int = 1,
) -> None:
    """Add the half-month rows inside `span` (a period's range: whole half-months)."""
    t = tallies_table.c
    rows = await session.execute(
        select(t.unit_id, t.indicator, t.dimension, func.sum(t.amount))
        .where(
            t.build == where.build,
            t.view.in_(where.views),
            t.unit_id.in_(where.unit_ids),
            t.day.between(*span),
        )
        .group_by(t.unit_id, t.indicator, t.dimension)
    )
    for unit_id, indicator, dimension, amount in rows.all():
        found[unit_id].amounts[indicator][dimension] += sign * int(amount)


async def _add_year(
    session: AsyncSession, found: dict[str, UnitSums], where: _Where, year: int
) -> None:
    # One row per unit, indicator and dimension in each view: summed here, not grouped.
    t = year_tallies_table.c
    rows = await session.execute(
        select(t.unit_id, t.indicator, t.dimension, t.amount).where(
            t.build == where.build,
            t.view.in_(where.views),
            t.unit_id.in_(where.unit_ids),
            t.year == year,
        )
    )
    for unit_id, indicator, dimension, amount in rows:
        found[unit_id].amounts[indicator][dimension] += amount


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
