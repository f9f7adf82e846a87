"""The tables of periodic reports, their concerns and their history, and their queries.

One report per unit, period and kind (a unique key, which also settles two first submissions
racing each other); a resubmission changes that row and moves its version on. The figures
are stored as the JSON the figures view gave at the latest submission, so that a later change
of the view's shape never rewrites what a unit sent.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Integer,
    Select,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    delete,
    select,
    update,
)
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from danvan.contracts.reports import ReportKind, ReportStatus
from danvan.db import UtcDateTime
from danvan.pagination import SortOption, as_date, as_datetime, fetch_page, parse_sort
from services.reporting.store import metadata

reports_table = Table(
    "reports",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("unit_id", String(20), nullable=False, index=True),
    Column("parent_id", String(20), nullable=False, index=True),
    Column("kind", String(24), nullable=False),
    Column("period", String(10), nullable=False, index=True),
    # The period's last day, so that lists sort periods in time order.
    Column("period_end", Date, nullable=False),
    Column("status", String(12), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("submission", Integer, nullable=False),
    Column("number", String(50), nullable=True),
    Column("place", String(200), nullable=True),
    Column("results", Text, nullable=False),
    Column("limitations", Text, nullable=False),
    Column("tasks", Text, nullable=False),
    Column("figures", JSON, nullable=True),
    # Counted at submission, so lists show them without reading the concerns.
    Column("concerns_count", Integer, nullable=False),
    Column("hot_spots_count", Integer, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("on_time", Boolean, nullable=False),
    Column("first_submitted_at", UtcDateTime(), nullable=False),
    Column("submitted_at", UtcDateTime(), nullable=False),
    Column("submitted_by", String(100), nullable=False),
    Column("reviewed_at", UtcDateTime(), nullable=True),
    Column("reviewed_by", String(100), nullable=True),
    Column("review_comment", Text, nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    UniqueConstraint("unit_id", "period", "kind"),
)

report_concerns_table = Table(
    "report_concerns",
    metadata,
    Column("report_id", String(36), ForeignKey("reports.id"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("topic", String(300), nullable=False),
    Column("description", Text, nullable=False),
    Column("unit_ids", JSON, nullable=False),
    Column("hot_spot", Boolean, nullable=False),
)

# Every step: who, when, and what the reviewer said.
report_history_table = Table(
    "report_history",
    metadata,
    Column("report_id", String(36), ForeignKey("reports.id"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("action", String(12), nullable=False),
    Column("status", String(12), nullable=False),
    Column("submission", Integer, nullable=False),
    Column("by", String(100), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("comment", Text, nullable=True),
)

R = reports_table
C = report_concerns_table
H = report_history_table

SORTS: dict[str, SortOption] = {
    "submitted_at": SortOption(R.c.submitted_at, as_datetime),
    "period": SortOption(R.c.period_end, as_date),
    "due_on": SortOption(R.c.due_on, as_date),
    "status": SortOption(R.c.status),
}
DEFAULT_SORT = "-submitted_at"


# ---- one report -------------------------------------------------------------------------------


async def get_report(session: AsyncSession, report_id: uuid.UUID | str) -> Row[Any] | None:
    return (await session.execute(select(R).where(R.c.id == str(report_id)))).first()


async def find_report(
    session: AsyncSession, unit_id: str, period: str, kind: ReportKind
) -> Row[Any] | None:
    statement = select(R).where(
        and_(R.c.unit_id == unit_id, R.c.period == period, R.c.kind == kind.value)
    )
    return (await session.execute(statement)).first()


async def insert_report(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(R.insert().values(**values))


async def update_report(
    session: AsyncSession, report_id: str, version: int, values: dict[str, Any]
) -> bool:
    """Change the report if it is still at `version`; False when someone moved it on."""
    result = await session.execute(
        update(R).where(and_(R.c.id == report_id, R.c.version == version)).values(**values)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def replace_concerns(
    session: AsyncSession, report_id: str, concerns: Sequence[dict[str, Any]]
) -> None:
    """The concerns of the latest submission replace those of the one before."""
    await session.execute(delete(C).where(C.c.report_id == report_id))
    if concerns:
        rows = [
            {**concern, "report_id": report_id, "position": i} for i, concern in enumerate(concerns)
        ]
        await session.execute(C.insert(), rows)


async def concerns_of(session: AsyncSession, report_id: str) -> Sequence[Row[Any]]:
    statement = select(C).where(C.c.report_id == report_id).order_by(C.c.position)
    return (await session.execute(statement)).all()


async def insert_history(session: AsyncSession, entry: dict[str, Any]) -> None:
    await session.execute(H.insert().values(**entry))


async def history_of(session: AsyncSession, report_id: str) -> Sequence[Row[Any]]:
    statement = select(H).where(H.c.report_id == report_id).order_by(H.c.version)
    return (await session.execute(statement)).all()


# ---- lists ------------------------------------------------------------------------------------


def list_query(
    unit_ids: frozenset[str] | None,
    *,
    period: str | None = None,
    kind: ReportKind | None = None,
    statuses: Sequence[ReportStatus] = (),
) -> Select[Any]:
    """Reports of the units `unit_ids` (None: every unit), filtered."""
    statement = select(R)
    if unit_ids is not None:
        statement = statement.where(R.c.unit_id.in_(sorted(unit_ids)))
    if period is not None:
        statement = statement.where(R.c.period == period)
    if kind is not None:
        statement = statement.where(R.c.kind == kind.value)
    if statuses:
        statement = statement.where(R.c.status.in_([s.value for s in statuses]))
    return statement


async def list_reports(
    session: AsyncSession,
    statement: Select[Any],
    *,
    sort: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[Sequence[Row[Any]], int, str | None]:
    """One page in `sort` order, the total that match, the next page's cursor."""
    return await fetch_page(
        session,
        statement,
        sort=parse_sort(sort, SORTS, DEFAULT_SORT),
        id_column=R.c.id,
        limit=limit,
        cursor=cursor,
    )


async def filed_reports(
    session: AsyncSession, unit_ids: Sequence[str], period: str, kind: ReportKind
) -> Sequence[Row[Any]]:
    """The reports of exactly these units for the period and kind, for completeness."""
    if not unit_ids:
        return []
    statement = list_query(frozenset(unit_ids), period=period, kind=kind)
    rows: Sequence[Row[Any]] = (await session.execute(statement)).all()
    return rows


async def subtree_concerns(
    session: AsyncSession, unit_ids: frozenset[str] | None, period: str
) -> Sequence[Row[Any]]:
    """Every concern of the people's-situation reports of `unit_ids` for a month, with its
    report's unit and status, in report and position order."""
    reports = list_query(unit_ids, period=period, kind=ReportKind.PEOPLE_SITUATION).subquery()
    statement = (
        select(
            C,
            reports.c.unit_id.label("reporting_unit_id"),
            reports.c.status.label("report_status"),
        )
        .join(reports, reports.c.id == C.c.report_id)
        .order_by(reports.c.unit_id, C.c.report_id, C.c.position)
    )
    return (await session.execute(statement)).all()
