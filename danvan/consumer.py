"""Idempotent event consumption: a service applies each event once, through the kernel's batch
consumer (`danvan.pull`), recording it in the inbox in the same transaction as its effect, so
a redelivered or republished event changes nothing. Acks come after the commit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from danvan.contracts.envelope import RawCloudEvent
from danvan.db import transaction
from danvan.inbox import claim
from danvan.pull import Delivered, HandleBatch

Apply = Callable[[AsyncSession, RawCloudEvent], Awaitable[None]]


def with_inbox(
    sessions: async_sessionmaker[AsyncSession], consumer: str, apply: Apply
) -> HandleBatch:
    """A batch handler that applies each event `consumer` has not applied before, the whole
    batch in one transaction."""

    async def handle(batch: Sequence[Delivered]) -> None:
        async with transaction(sessions) as session:
            for delivered in batch:
                if await claim(session, consumer, str(delivered.event.id)):
                    await apply(session, delivered.event)

    return handle
