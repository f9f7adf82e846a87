"""Personal data: shown only to the handling unit's officers and leaders, masked for anyone
else, and every read that showed it audited in the same transaction as the read."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select
from sqlalchemy.ext.asyncio import AsyncSession

from danvan.contracts.paging import Page, PageRequest
from danvan.contracts.reception import Person
from danvan.contracts.rpc import Principal
from danvan.pagination import Sort, fetch_page
from services.reception.domain import masked, may_see_identity
from services.reception.store import audit_table

PERSON_FIELDS = ["name", "id_number", "address", "phone"]


def people_for(
    principal: Principal, unit_id: str, people: Sequence[dict[str, Any]]
) -> tuple[list[Any], bool]:
    """The people as this principal may see them, and whether that showed identities."""
    parsed = [Person.model_validate(p) for p in people]
    if may_see_identity(principal, unit_id):
        return parsed, bool(parsed)
    return [masked(p) for p in parsed], False


async def audit(
    session: AsyncSession,
    principal: Principal,
    *,
    action: str,
    record_kind: str,
    reads: Sequence[tuple[str, str]],
    now: datetime,
) -> None:
    """One audit row per record whose personal data was shown (or anonymised)."""
    if not reads:
        return
    await session.execute(
        audit_table.insert(),
        [
            {
                "id": str(uuid.uuid4()),
                "at": now,
                "reader": principal.sub,
                "reader_unit": principal.unit,
                "action": action,
                "record_kind": record_kind,
                "record_id": record_id,
                "unit_id": unit_id,
                "fields": PERSON_FIELDS,
            }
            for record_id, unit_id in reads
        ],
    )


async def audited_page(
    session: AsyncSession,
    principal: Principal,
    statement: Select[Any],
    *,
    sort: Sort,
    id_column: ColumnElement[Any],
    query: PageRequest,
    record_kind: str,
    show: Callable[[Any, Principal], tuple[Any, bool]],
    now: datetime,
) -> Page[Any]:
    """One page of records as this principal may see them, auditing those that showed
    identities."""
    rows, total, next_cursor = await fetch_page(
        session, statement, sort=sort, id_column=id_column, limit=query.limit, cursor=query.cursor
    )
    shown = [show(row, principal) for row in rows]
    await audit(
        session,
        principal,
        action="read",
        record_kind=record_kind,
        reads=[(r.id, r.unit_id) for r, (_, s) in zip(rows, shown, strict=True) if s],
        now=now,
    )
    return Page[Any](data=[p for p, _ in shown], total=total, next_cursor=next_cursor)
