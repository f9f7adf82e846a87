"""Delivery guarantees of the kernel (outbox, relay, inbox, consumer) on a real nats-server
and a real database, each test run on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pytest
from faststream.nats import NatsBroker
from sqlalchemy import Column, Integer, MetaData, String, Table, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from danvan.bus import ensure_stream, make_broker, relay_publisher, stream_name
from danvan.config import Settings
from danvan.consumer import Apply, with_inbox
from danvan.contracts.envelope import CloudEvent, RawCloudEvent, make_event
from danvan.contracts.registry import ModelField, ModelRegistered
from danvan.db import create_engine, kernel_metadata, session_factory, transaction, upsert_insert
from danvan.embedded import EmbeddedNats
from danvan.outbox import OutboxRelay, enqueue, outbox_table
from danvan.pull import BatchConsumer
from tests.conftest import MakeDatabase
from tests.stream_reader import read_stream
from tests.waiting import eventually

test_metadata = MetaData()
tally = Table(
    "tally",
    test_metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Integer, nullable=False),
)


async def count_event(session: AsyncSession, event: RawCloudEvent) -> None:
    insert = upsert_insert(session)
    statement = insert(tally).values(key=event.unitcode, value=1)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["key"], set_={"value": tally.c.value + statement.excluded.value}
        )
    )


def model_registered(unit_code: str = "00097") -> CloudEvent[ModelRegistered]:
    payload = ModelRegistered(
        model_id=uuid.uuid4(),
        name="Cổng trường an toàn văn minh",
        field=ModelField.CULTURE_SOCIETY,
        unit_code=unit_code,
        registered_on=date(2026, 3, 2),
        registered_by="tester",
    )
    return make_event(  # type: ignore[return-value]
        payload,
        subject=str(payload.model_id),
        unit_code=unit_code,
        occurred_on=payload.registered_on,
        time=datetime(2026, 3, 2, 8, 0, tzinfo=UTC),
    )


@dataclass
class Pipeline:
    """A producer's outbox and relay and a consumer's inbox, on one database for brevity."""

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    broker: NatsBroker
    relay: OutboxRelay
    durable: str
    consumer: BatchConsumer
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def write(self, event: CloudEvent[ModelRegistered]) -> None:
        async with transaction(self.sessions) as session:
            await enqueue(
                session,
                event,
                stream=stream_name("registry"),
                subject=ModelRegistered.subject_for("01"),
            )

    async def counted(self, key: str = "00097") -> int:
        async with self.sessions() as session:
            value = await session.scalar(select(tally.c.value).where(tally.c.key == key))
        return int(value or 0)

    async def stream_messages(self) -> int:
        js = self.broker.config.connection_state.stream
        info = await js.stream_info(stream_name("registry"))
        return int(info.state.messages)

    async def consumer_caught_up(self) -> bool:
        js = self.broker.config.connection_state.stream
        info = await js.consumer_info(stream_name("registry"), self.durable)
        return bool(info.num_pending == 0 and info.num_ack_pending == 0)


@pytest.fixture
async def start_pipeline(
    make_database: MakeDatabase, fresh_nats: EmbeddedNats
) -> AsyncIterator[Callable[[Apply], Awaitable[Pipeline]]]:
    pipelines: list[Pipeline] = []

    async def start(apply: Apply) -> Pipeline:
        engine = create_engine(await make_database("delivery"))
        async with engine.begin() as connection:
            await connection.run_sync(kernel_metadata.create_all)
            await connection.run_sync(test_metadata.create_all)
        sessions = session_factory(engine)
        broker = make_broker(Settings(), "test", nats_url=fresh_nats.url)
        durable = f"test-{uuid.uuid4().hex[:8]}"
        await broker.connect()
        await ensure_stream(broker, "registry")
        await broker.start()
        consumer = BatchConsumer(
            lambda: broker.config.connection_state.stream,
            source="registry",
            durable=durable,
            handle=with_inbox(sessions, durable, apply),
        )
        relay = OutboxRelay(sessions, relay_publisher(broker), poll_interval=0.1)
        pipeline = Pipeline(engine, sessions, broker, relay, durable, consumer)
        pipeline.tasks.append(asyncio.create_task(consumer.run()))
        pipelines.append(pipeline)
        return pipeline

    yield start
    for pipeline in pipelines:
        pipeline.relay.stop()
        pipeline.consumer.stop()
        for task in pipeline.tasks:
            await task
        await pipeline.broker.stop()
        await pipeline.engine.dispose()


async def test_event_published_twice_is_counted_once(
    start_pipeline: Callable[[Apply], Awaitable[Pipeline]],
) -> None:
    pipeline = await start_pipeline(count_event)
    event = model_registered()
    await pipeline.write(event)
    assert await pipeline.relay.publish_pending() == 1

    # The PubAck was lost after the publish: the row looks unpublished, the relay sends it
    # again with the same Nats-Msg-Id, and JetStream drops the copy.
    async with transaction(pipeline.sessions) as session:
        await session.execute(update(outbox_table).values(published_at=None))
    assert await pipeline.relay.publish_pending() == 1
    assert await pipeline.stream_messages() == 1

    # Past the duplicate window the copy is stored; the consumer's inbox drops it.
    await pipeline.broker.publish(
        event.model_dump_json().encode(),
        ModelRegistered.subject_for("01"),
        headers={"Nats-Msg-Id": f"late-{event.id}"},
        stream=stream_name("registry"),
    )
    assert await pipeline.stream_messages() == 2
    await eventually(pipeline.consumer_caught_up)
    assert await pipeline.counted() == 1


async def test_event_written_while_nats_is_down_arrives_after_it_returns(
    start_pipeline: Callable[[Apply], Awaitable[Pipeline]], fresh_nats: EmbeddedNats
) -> None:
    pipeline = await start_pipeline(count_event)
    fresh_nats.stop()

    await pipeline.write(model_registered())  # the write itself never needs NATS
    assert await pipeline.relay.publish_pending() == 0
    async with pipeline.sessions() as session:
        row = (await session.execute(select(outbox_table))).one()
    assert row.published_at is None
    assert row.attempts == 1
    assert row.last_error

    fresh_nats.start()
    pipeline.tasks.append(asyncio.create_task(pipeline.relay.run()))

    async def counted_once() -> bool:
        return await pipeline.counted() == 1

    await eventually(counted_once, timeout=30)
    await eventually(pipeline.consumer_caught_up)
    assert await pipeline.counted() == 1


async def test_consumer_that_fails_before_commit_gets_the_event_again_and_counts_it_once(
    start_pipeline: Callable[[Apply], Awaitable[Pipeline]],
) -> None:
    attempts = 0

    async def crash_on_first_try(session: AsyncSession, event: RawCloudEvent) -> None:
        nonlocal attempts
        attempts += 1
        await count_event(session, event)
        if attempts == 1:
            raise RuntimeError("the consumer died before its commit")

    pipeline = await start_pipeline(crash_on_first_try)
    await pipeline.write(model_registered())
    assert await pipeline.relay.publish_pending() == 1

    async def counted_once() -> bool:
        return await pipeline.counted() == 1

    await eventually(counted_once)
    await eventually(pipeline.consumer_caught_up)
    assert attempts == 2
    assert await pipeline.counted() == 1


async def test_events_reach_the_stream_in_the_order_they_were_written(
    start_pipeline: Callable[[Apply], Awaitable[Pipeline]], fresh_nats: EmbeddedNats
) -> None:
    pipeline = await start_pipeline(count_event)
    written = [model_registered() for _ in range(450)]  # more than two of the relay's passes
    for event in written:
        await pipeline.write(event)
    while await pipeline.relay.publish_pending():
        pass
    received = await read_stream(fresh_nats.url, stream_name("registry"))
    assert [r.event["id"] for r in received] == [str(event.id) for event in written]
