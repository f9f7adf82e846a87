"""The registry's tables and queries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    delete,
    extract,
    func,
    select,
    update,
)
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from danvan.db import NAMING_CONVENTION, UtcDateTime, bytewise_text
from danvan.pagination import search_condition
from danvan.timeutil import utcnow

metadata = MetaData(naming_convention=NAMING_CONVENTION)

MODEL, EXEMPLAR = "model", "exemplar"


def _record_table(name: str, *extra: Column[Any]) -> Table:
    """Models and exemplars share their columns: the searchable, sortable, filterable facts
    in columns; everything a unit stated, as it stated it, in `details`."""
    return Table(
        name,
        metadata,
        Column("id", String(36), primary_key=True),
        Column("name", String(300), nullable=False),
        # Diacritics folded away, so "dan van kheo" finds "Dân vận khéo" on any database.
        Column("name_folded", String(300), nullable=False, index=True),
        Column("search_folded", Text, nullable=False, server_default=""),
        Column("name_sort", bytewise_text(), nullable=False, server_default=""),
        Column("field", String(32), nullable=False),
        Column("unit_id", String(20), nullable=False, index=True),
        Column("organisation_id", String(36), nullable=True, index=True),
        Column("registered_on", Date, nullable=False),
        Column("status", String(20), nullable=False),
        Column("version", Integer, nullable=False, server_default="1"),
        Column("proposed", Boolean, nullable=True),
        Column("recognition_level", String(12), nullable=True),
        Column("recognised_on", Date, nullable=True),
        Column("last_step_on", Date, nullable=True),
        Column("details", JSON, nullable=False, server_default="{}"),
        Column("created_by", String(100), nullable=False),
        Column("created_at", UtcDateTime(), nullable=False),
        Column("updated_at", UtcDateTime(), nullable=True),
        *extra,
    )


models_table = _record_table(
    "models",
    # "|land_clearance|digital_transformation|": one LIKE finds a topic on any database.
    Column("topics_text", String(900), nullable=False, server_default="|"),
)
exemplars_table = _record_table("exemplars", Column("kind", String(12), nullable=False))
RECORD_TABLES = {MODEL: models_table, EXEMPLAR: exemplars_table}

history_table = Table(
    "record_history",
    metadata,
    Column("record_kind", String(12), primary_key=True),
    Column("record_id", String(36), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("action", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("on", Date, nullable=False),
    Column("by", String(100), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("details", JSON, nullable=False),
)

awards_table = Table(
    "awards",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("record_kind", String(12), nullable=False),
    Column("record_id", String(36), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("title", String(300), nullable=False),
    Column("recipient_kind", String(12), nullable=False),
    Column("recipient_name", String(300), nullable=False),
    Column("granting_body", String(300), nullable=False),
    Column("level", String(12), nullable=False),
    Column("decision_number", String(100), nullable=False),
    Column("decided_on", Date, nullable=False),
)

organisations_table = Table(
    "organisations",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("name_folded", String(300), nullable=False, index=True),
    Column("name_sort", bytewise_text(), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("unit_id", String(20), nullable=False, index=True),
    Column("active", Boolean, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

contests_table = Table(
    "contests",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("name_folded", String(300), nullable=False),
    Column("name_sort", bytewise_text(), nullable=False),
    Column("level", String(12), nullable=False),
    Column("year", Integer, nullable=False, index=True),
    Column("unit_id", String(20), nullable=False, index=True),
    Column("held_on", Date, nullable=True),
    Column("created_by", String(100), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

contest_entries_table = Table(
    "contest_entries",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("contest_id", String(36), ForeignKey("contests.id"), nullable=False, index=True),
    Column("record_kind", String(12), nullable=False),
    Column("record_id", String(36), nullable=False),
    Column("record_name", String(300), nullable=False),
    Column("unit_id", String(20), nullable=False),
    Column("prize", String(16), nullable=True),
    Column("score", Float, nullable=True),
    Column("remarks", Text, nullable=False, server_default=""),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("contest_id", "record_kind", "record_id"),
)


# ---- records ----------------------------------------------------------------------------


async def insert_records(session: AsyncSession, kind: str, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        await session.execute(RECORD_TABLES[kind].insert(), list(rows))


async def insert_history(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        await session.execute(history_table.insert(), list(rows))


async def get_record(session: AsyncSession, kind: str, record_id: uuid.UUID) -> Row[Any] | None:
    table = RECORD_TABLES[kind]
    result = await session.execute(select(table).where(table.c.id == str(record_id)))
    return result.first()


async def update_record(
    session: AsyncSession, kind: str, record_id: uuid.UUID, version: int, values: dict[str, Any]
) -> bool:
    """Write `values` if the record is still at `version` (optimistic locking: two copies of
    the service, or two users, cannot both move the same record from the same state)."""
    table = RECORD_TABLES[kind]
    result = await session.execute(
        update(table)
        .where(and_(table.c.id == str(record_id), table.c.version == version))
        .values(**values, updated_at=utcnow())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def history_of(session: AsyncSession, kind: str, record_id: uuid.UUID) -> Sequence[Row[Any]]:
    result = await session.execute(
        select(history_table)
        .where(
            and_(history_table.c.record_kind == kind, history_table.c.record_id == str(record_id))
        )
        .order_by(history_table.c.version)
    )
    return result.all()


async def insert_awards(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        await session.execute(awards_table.insert(), list(rows))


async def awards_of(session: AsyncSession, kind: str, record_id: uuid.UUID) -> Sequence[Row[Any]]:
    result = await session.execute(
        select(awards_table)
        .where(and_(awards_table.c.record_kind == kind, awards_table.c.record_id == str(record_id)))
        .order_by(awards_table.c.decided_on, awards_table.c.title)
    )
    return result.all()


def record_query(
    kind: str,
    *,
    unit_ids: frozenset[str] | None,
    field: str | None = None,
    statuses: Sequence[str] = (),
    year: int | None = None,
    organisation_id: uuid.UUID | None = None,
    recognised: bool | None = None,
    q: str | None = None,
    topic: str | None = None,
    exemplar_kind: str | None = None,
) -> Select[Any]:
    table = RECORD_TABLES[kind]
    query = select(table)
    if unit_ids is not None:
        query = query.where(table.c.unit_id.in_(sorted(unit_ids)))
    if field:
        query = query.where(table.c.field == field)
    if statuses:
        query = query.where(table.c.status.in_(list(statuses)))
    if year is not None:
        query = query.where(extract("year", table.c.registered_on) == year)
    if organisation_id is not None:
        query = query.where(table.c.organisation_id == str(organisation_id))
    if recognised is not None:
        query = query.where(
            table.c.status == "recognised" if recognised else table.c.status != "recognised"
        )
    if q and q.strip():
        query = query.where(search_condition(table.c.search_folded, q))
    if topic:
        query = query.where(models_table.c.topics_text.like(f"%|{topic}|%"))
    if exemplar_kind:
        query = query.where(exemplars_table.c.kind == exemplar_kind)
    return query


# ---- organisations ----------------------------------------------------------------------


async def get_organisation(session: AsyncSession, org_id: uuid.UUID) -> Row[Any] | None:
    result = await session.execute(
        select(organisations_table).where(organisations_table.c.id == str(org_id))
    )
    return result.first()


async def insert_organisation(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(organisations_table.insert().values(**values))


async def update_organisation(session: AsyncSession, org_id: str, values: dict[str, Any]) -> None:
    await session.execute(
        update(organisations_table).where(organisations_table.c.id == org_id).values(**values)
    )


def organisation_query(
    *, unit_ids: frozenset[str] | None, kind: str | None, active: bool | None, q: str | None
) -> Select[Any]:
    table = organisations_table
    query = select(table)
    if unit_ids is not None:
        query = query.where(table.c.unit_id.in_(sorted(unit_ids)))
    if kind:
        query = query.where(table.c.kind == kind)
    if active is not None:
        query = query.where(table.c.active == active)
    if q and q.strip():
        query = query.where(search_condition(table.c.name_folded, q))
    return query


# ---- contests ---------------------------------------------------------------------------


async def insert_contest(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(contests_table.insert().values(**values))


async def get_contest(session: AsyncSession, contest_id: uuid.UUID) -> Row[Any] | None:
    result = await session.execute(
        select(contests_table).where(contests_table.c.id == str(contest_id))
    )
    return result.first()


async def entries_of(session: AsyncSession, contest_id: uuid.UUID) -> Sequence[Row[Any]]:
    table = contest_entries_table
    result = await session.execute(
        select(table).where(table.c.contest_id == str(contest_id)).order_by(table.c.created_at)
    )
    return result.all()


async def get_entry(
    session: AsyncSession, contest_id: uuid.UUID, entry_id: uuid.UUID
) -> Row[Any] | None:
    table = contest_entries_table
    result = await session.execute(
        select(table).where(
            and_(table.c.contest_id == str(contest_id), table.c.id == str(entry_id))
        )
    )
    return result.first()


async def find_entry(
    session: AsyncSession, contest_id: uuid.UUID, kind: str, record_id: uuid.UUID
) -> Row[Any] | None:
    table = contest_entries_table
    result = await session.execute(
        select(table).where(
            and_(
                table.c.contest_id == str(contest_id),
                table.c.record_kind == kind,
                table.c.record_id == str(record_id),
            )
        )
    )
    return result.first()


async def insert_entry(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(contest_entries_table.insert().values(**values))


async def record_result(session: AsyncSession, entry_id: str, values: dict[str, Any]) -> None:
    await session.execute(
        update(contest_entries_table).where(contest_entries_table.c.id == entry_id).values(**values)
    )


def contest_query(
    *, unit_ids: frozenset[str] | None, year: int | None, level: str | None, q: str | None
) -> Select[Any]:
    table = contests_table
    query = select(table)
    if unit_ids is not None:
        query = query.where(table.c.unit_id.in_(sorted(unit_ids)))
    if year is not None:
        query = query.where(table.c.year == year)
    if level:
        query = query.where(table.c.level == level)
    if q and q.strip():
        query = query.where(search_condition(table.c.name_folded, q))
    return query


async def entry_counts(session: AsyncSession, contest_ids: Sequence[str]) -> dict[str, int]:
    table = contest_entries_table
    result = await session.execute(
        select(table.c.contest_id, func.count())
        .where(table.c.contest_id.in_(list(contest_ids)))
        .group_by(table.c.contest_id)
    )
    return {contest_id: count for contest_id, count in result.all()}


# ---- staged imports ---------------------------------------------------------------------------

imports_table = Table(
    "model_imports",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("created_by", String(100), nullable=False),
    Column("file_name", String(300), nullable=False),
    Column("columns", JSON, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False, index=True),
)

import_rows_table = Table(
    "model_import_rows",
    metadata,
    Column("import_id", String(36), ForeignKey("model_imports.id"), primary_key=True),
    Column("row", Integer, primary_key=True),
    # The checked details of a good row, or the reasons a bad row was refused.
    Column("details", JSON, nullable=True),
    Column("errors", JSON, nullable=True),
)


async def insert_import(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(imports_table.insert().values(**values))


async def get_import(session: AsyncSession, import_id: uuid.UUID) -> Row[Any] | None:
    result = await session.execute(
        select(imports_table).where(imports_table.c.id == str(import_id))
    )
    return result.first()


async def stage_rows(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Stage rows; a chunk sent twice (a retried request) replaces its earlier copy."""
    if not rows:
        return
    await session.execute(
        delete(import_rows_table).where(
            and_(
                import_rows_table.c.import_id == rows[0]["import_id"],
                import_rows_table.c.row.in_([r["row"] for r in rows]),
            )
        )
    )
    await session.execute(import_rows_table.insert(), list(rows))


async def staged_rows(session: AsyncSession, import_id: uuid.UUID) -> Sequence[Row[Any]]:
    result = await session.execute(
        select(import_rows_table)
        .where(import_rows_table.c.import_id == str(import_id))
        .order_by(import_rows_table.c.row)
    )
    return result.all()


async def drop_imports(session: AsyncSession, import_ids: Sequence[str]) -> None:
    if not import_ids:
        return
    await session.execute(
        delete(import_rows_table).where(import_rows_table.c.import_id.in_(list(import_ids)))
    )
    await session.execute(delete(imports_table).where(imports_table.c.id.in_(list(import_ids))))


async def stale_imports(session: AsyncSession, before: Any) -> list[str]:
    result = await session.execute(
        select(imports_table.c.id).where(imports_table.c.created_at < before)
    )
    return [row.id for row in result.all()]


async def status_counts(
    session: AsyncSession, kind: str, unit_ids: frozenset[str] | None
) -> dict[str, int]:
    """How many records of a kind stand in each status, in those units (None: everywhere)."""
    table = RECORD_TABLES[kind]
    query = select(table.c.status, func.count()).group_by(table.c.status)
    if unit_ids is not None:
        query = query.where(table.c.unit_id.in_(sorted(unit_ids)))
    return {status: count for status, count in (await session.execute(query)).all()}
