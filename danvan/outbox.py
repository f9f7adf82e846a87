"""The transactional outbox and its relay.

A service writes its change and its events in one transaction; the relay publishes the
events to JetStream with the event id as `Nats-Msg-Id` and marks a row published only after
the PubAck. NATS being down never fails a write and never loses an event: the relay retries
with back-off, in order, and JetStream's duplicate window (plus each consumer's inbox) makes
a second publish of the same event harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from opentelemetry import propagate
from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    func,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from danvan import metrics
from danvan.contracts.envelope import CloudEvent
from danvan.db import UtcDateTime, kernel_metadata, transaction
from danvan.timeutil import as_utc, utcnow

log = logging.getLogger(__name__)

CONTENT_TYPE = "application/cloudevents+json"

outbox_table = Table(
    "outbox",
    kernel_metadata,
    Column(
        "position",
        BigInteger().with_variant(Integer, "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("stream", String(64), nullable=False),
    Column("subject", String(255), nullable=False),
    Column("body", LargeBinary, nullable=False),
    # Trace context captured at write time, so the relay's publish continues the same trace.
    Column("headers", JSON, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("published_at", UtcDateTime(), nullable=True),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", UtcDateTime(), nullable=False),
    Column("last_error", Text, nullable=True),
)
Index(
    "ix_outbox_pending",
    outbox_table.c.position,
    postgresql_where=outbox_table.c.published_at.is_(None),
    sqlite_where=outbox_table.c.published_at.is_(None),
)


async def enqueue(
    session: AsyncSession, event: CloudEvent[Any], *, stream: str, subject: str
) -> None:
    """Add an event to the outbox inside the caller's transaction."""
    await enqueue_many(session, [(event, stream, subject)])


async def enqueue_many(
    session: AsyncSession, events: Sequence[tuple[CloudEvent[Any], str, str]]
) -> None:
    """Add `(event, stream, subject)`s to the outbox in one statement, in this order."""
    if not events:
        return
    headers: dict[str, str] = {}
    propagate.inject(headers)
    now = utcnow()
    await session.execute(
        outbox_table.insert(),
        [
            {
                "event_id": str(event.id),
                "stream": stream,
                "subject": subject,
                "body": event.model_dump_json().encode(),
                "headers": headers,
                "created_at": now,
                "next_attempt_at": now,
            }
            for event, stream, subject in events
        ],
    )


@dataclass(frozen=True, slots=True)
class OutgoingEvent:
    event_id: str
    stream: str
    subject: str
    body: bytes
    headers: dict[str, str]


# Publishes one event and returns only once JetStream acknowledged it; raises otherwise.
Publish = Callable[[OutgoingEvent], Awaitable[None]]


#: The longest wait between two tries; the stream's duplicate window is derived from it.
MAX_RETRY_DELAY = timedelta(seconds=30)


def retry_delay(
    attempts: int, *, base: float = 0.5, cap: float = MAX_RETRY_DELAY.total_seconds()
) -> timedelta:
    """Exponential back-off with jitter; the cap stays well inside the duplicate window."""
    delay = min(cap, base * (2 ** max(0, attempts - 1)))
    return timedelta(seconds=delay * random.uniform(0.8, 1.0))


class OutboxRelay:
    """Publishes pending outbox rows in order; wakes at once when a writer commits."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        publish: Publish,
        *,
        service: str = "",
        batch_size: int = 200,
        poll_interval: float = 1.0,
    ) -> None:
        self._sessions = sessions
        self._publish = publish
        self._failures = metrics.outbox_publish_failures.labels(service)
        self._service = service
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._wakeup = asyncio.Event()
        self._stopping = asyncio.Event()

    def wake(self) -> None:
        self._wakeup.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wakeup.set()

    async def run(self) -> None:
        """Publish until stopped; on stop, drain what is ready."""
        while not self._stopping.is_set():
            try:
                published = await self.publish_pending()
            except Exception:  # the database may be down: keep the relay alive
                log.exception("outbox relay pass failed; retrying")
                published = 0
            if published:
                continue
            self._wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout=self._poll_interval)
        await self.drain()

    async def drain(self) -> int:
        """Publish pass after pass until one publishes nothing: the outbox is empty, NATS takes
        nothing now, or what is left waits for its retry time. One pass holds at most
        `batch_size` rows, and a burst may leave more. Whatever stays is published by the next
        start; returns how many were published."""
        total = 0
        while True:
            try:
                published = await self.publish_pending()
            except Exception:
                log.exception("outbox relay could not drain on stop")
                return total
            if not published:
                return total
            total += published

    async def publish_pending(self) -> int:
        """One pass: publish ready rows in order, stopping at the first failure.

        The rows of a pass are published pipelined (sent one after the other on the one
        connection, their PubAcks awaited together), then marked in one statement: a row
        counts as published only if it and every row before it were acknowledged. A row after
        a failed one that JetStream did store is published again on a later pass, and
        JetStream drops that copy by its `Nats-Msg-Id`.
        """
        async with transaction(self._sessions) as session:
            now = utcnow()
            rows = (
                await session.execute(
                    select(outbox_table)
                    .where(outbox_table.c.published_at.is_(None))
                    .order_by(outbox_table.c.position)
                    .limit(self._batch_size)
                    # Several relays can share a PostgreSQL outbox; SQLite ignores this and
                    # runs one relay per database file.
                    .with_for_update(skip_locked=True)
                )
            ).all()
            ready = []
            for row in rows:
                if as_utc(row.next_attempt_at) > now:
                    break  # keep order: a later event waits for the earlier one
                ready.append(row)
            outcomes = await asyncio.gather(
                *(self._publish(_outgoing(row)) for row in ready), return_exceptions=True
            )
            published = []
            for row, outcome in zip(ready, outcomes, strict=True):
                if isinstance(outcome, BaseException):
                    self._failures.inc()
                    await self._record_failure(session, row, outcome)
                    break
                published.append(row)
            if published:
                await session.execute(
                    update(outbox_table)
                    .where(outbox_table.c.position.in_([row.position for row in published]))
                    .values(published_at=utcnow(), last_error=None)
                )
        self._count(published)
        return len(published)

    def _count(self, published: Sequence[Any]) -> None:
        families = Counter((row.stream, metrics.subject_family(row.subject)) for row in published)
        for (stream, subject), count in families.items():
            metrics.events_published.labels(self._service, stream, subject).inc(count)

    @staticmethod
    async def _record_failure(session: AsyncSession, row: Any, error: BaseException) -> None:
        attempts = row.attempts + 1
        log.warning("publishing event %s failed (attempt %d): %s", row.event_id, attempts, error)
        await session.execute(
            update(outbox_table)
            .where(outbox_table.c.position == row.position)
            .values(
                attempts=attempts,
                next_attempt_at=utcnow() + retry_delay(attempts),
                last_error=f"{type(error).__name__}: {error}"[:2000],
            )
        )


def _outgoing(row: Any) -> OutgoingEvent:
    return OutgoingEvent(
        event_id=row.event_id,
        stream=row.stream,
        subject=row.subject,
        body=row.body,
        headers=dict(row.headers or {}),
    )


async def backlog(session: AsyncSession) -> tuple[int, datetime | None]:
    """How many events wait, and since when: for metrics and readiness."""
    count, oldest = (
        await session.execute(
            select(func.count(), func.min(outbox_table.c.created_at)).where(
                outbox_table.c.published_at.is_(None)
            )
        )
    ).one()
    return int(count), as_utc(oldest) if oldest else None
