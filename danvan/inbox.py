"""The inbox: a consumer records each event it applied in the same transaction as the effect,
so a redelivered or republished event changes nothing."""

from __future__ import annotations

from sqlalchemy import Column, String, Table
from sqlalchemy.ext.asyncio import AsyncSession

from danvan.db import UtcDateTime, kernel_metadata, upsert_insert
from danvan.timeutil import utcnow

inbox_table = Table(
    "inbox",
    kernel_metadata,
    Column("consumer", String(100), primary_key=True),
    Column("event_id", String(36), primary_key=True),
    Column("processed_at", UtcDateTime(), nullable=False),
)


async def claim(session: AsyncSession, consumer: str, event_id: str) -> bool:
    """Record the event for this consumer; False when it was already applied."""
    insert = upsert_insert(session)
    statement = (
        insert(inbox_table)
        .values(consumer=consumer, event_id=event_id, processed_at=utcnow())
        .on_conflict_do_nothing(index_elements=["consumer", "event_id"])
    )
    result = await session.execute(statement)
    return bool(result.rowcount)  # type: ignore[attr-defined]
