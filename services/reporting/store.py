"""Reporting's tables: per-day counts for every unit and its ancestors, in both views."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import BigInteger, Column, Date, MetaData, String, Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from danvan.contracts.reporting import Boundaries, Figures
from danvan.db import NAMING_CONVENTION, upsert_insert
from services.reporting.projection import Increment

metadata = MetaData(naming_convention=NAMING_CONVENTION)

tallies_table = Table(
    "tallies",
    metadata,
    Column("boundaries", String(12), primary_key=True),
    Column("unit_id", String(20), primary_key=True),
    Column("indicator", String(64), primary_key=True),
    Column("dimension", String(96), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("value", BigInteger, nullable=False),
)


async def add(session: AsyncSession, increments: Iterable[Increment]) -> None:
    rows = [
        {
            "boundaries": i.boundaries.value,
            "unit_id": i.unit_id,
            "indicator": i.indicator,
            "dimension": i.dimension,
            "day": i.day,
            "value": i.delta,
        }
        for i in increments
    ]
    if not rows:
        return
    statement = upsert_insert(session)(tallies_table)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["boundaries", "unit_id", "indicator", "dimension", "day"],
            set_={"value": tallies_table.c.value + statement.excluded.value},
        ),
        rows,
    )


async def figures_for(
    session: AsyncSession,
    boundaries: Boundaries,
    unit_ids: Sequence[str],
    start: date,
    end: date,
) -> dict[str, Figures]:
    """Each unit's counts over [start, end], by indicator and dimension."""
    result: dict[str, Figures] = {unit_id: defaultdict(dict) for unit_id in unit_ids}
    if not unit_ids:
        return result
    rows = await session.execute(
        select(
            tallies_table.c.unit_id,
            tallies_table.c.indicator,
            tallies_table.c.dimension,
            func.sum(tallies_table.c.value),
        )
        .where(
            tallies_table.c.boundaries == boundaries.value,
            tallies_table.c.unit_id.in_(unit_ids),
            tallies_table.c.day.between(start, end),
        )
        .group_by(tallies_table.c.unit_id, tallies_table.c.indicator, tallies_table.c.dimension)
    )
    for unit_id, indicator, dimension, total in rows:
        result[unit_id][indicator][dimension] = int(total)
    return {unit_id: dict(figures) for unit_id, figures in result.items()}
