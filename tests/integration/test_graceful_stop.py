"""What a service does when told to stop (ServiceRuntime.stop), in this process on a real
nats-server: it takes no new request, answers the ones in hand, and publishes what they wrote
before it closes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel
from sqlalchemy import select

from danvan.bus import call, register_rpc, stream_name
from danvan.config import Settings
from danvan.contracts.registry import ModelRegistered
from danvan.contracts.rpc import ErrorCode, Principal, ServiceError
from danvan.db import transaction
from danvan.embedded import EmbeddedNats
from danvan.migrate import upgrade
from danvan.outbox import enqueue, outbox_table
from danvan.service import ServiceRuntime
from tests.integration.test_delivery import model_registered
from tests.processes import ADMIN, health, nats_client
from tests.stream_reader import read_stream
from tests.waiting import eventually

WRITE = "rpc.registry.test.write"


class Nothing(BaseModel):
    pass


@asynccontextmanager
async def registry_with_a_write_held(
    tmp_path: Path, nats_url: str, **settings: Any
) -> AsyncIterator[tuple[ServiceRuntime, asyncio.Event, asyncio.Event]]:
    """A registry runtime with one more rpc: it writes an event once `release` is set, and
    sets `entered` when a request has begun."""
    configured = Settings(home=tmp_path, nats_url=nats_url, **settings)
    await upgrade("registry", configured.database_url("registry"))
    runtime = ServiceRuntime.create("registry", configured)
    entered, release = asyncio.Event(), asyncio.Event()

    async def write(_principal: Principal, _request: Nothing) -> dict[str, str]:
        entered.set()
        await release.wait()
        event = model_registered()
        async with transaction(runtime.db) as session:
            await enqueue(
                session,
                event,
                stream=stream_name("registry"),
                subject=ModelRegistered.subject_for("01"),
            )
        runtime.wake_relay()
        return {"event": str(event.id)}

    register_rpc(runtime.broker, WRITE, queue="registry", request_type=Nothing, handler=write)
    await runtime.start()
    try:
        yield runtime, entered, release
    finally:
        release.set()
        await runtime.stop()


async def began(entered: asyncio.Event, in_hand: asyncio.Task[Any]) -> None:
    """Until the held request has begun in the service. Should the request end first (refused,
    say), its error fails the test rather than leaving the test waiting for ever."""
    waiting = asyncio.create_task(entered.wait())
    done, _ = await asyncio.wait(
        {waiting, in_hand}, timeout=30, return_when=asyncio.FIRST_COMPLETED
    )
    waiting.cancel()
    if in_hand in done and not entered.is_set():
        in_hand.result()
        pytest.fail("the request was answered without being held")
    assert entered.is_set(), "the request did not begin in 30 s"


async def refused_at_once(ask: Callable[[], Awaitable[Any]]) -> bool:
    """True when the request is answered by no one, at once ("registry is not running")."""
    try:
        await ask()
    except ServiceError as error:
        return error.code is ErrorCode.UNAVAILABLE and "not running" in error.message.en
    return False


async def test_a_stopping_service_answers_the_request_in_hand_refuses_new_ones_and_publishes_what_it_wrote(  # noqa: E501
    tmp_path: Path, fresh_nats: EmbeddedNats
) -> None:
    async with (
        nats_client(fresh_nats.url) as client,
        registry_with_a_write_held(tmp_path, fresh_nats.url) as (runtime, entered, release),
    ):
        in_hand = asyncio.create_task(call(client, WRITE, ADMIN, {}, timeout=30))
        await began(entered, in_hand)
        stopping = asyncio.create_task(runtime.stop())

        async def health_refused() -> bool:
            return await refused_at_once(lambda: health(client, "registry"))

        await eventually(health_refused)
        assert await refused_at_once(lambda: call(client, WRITE, ADMIN, {}, timeout=5))
        assert not stopping.done()  # still waiting for the request in hand

        release.set()
        written = await in_hand
        await stopping

        published = await read_stream(fresh_nats.url, stream_name("registry"))
        assert [r.event["id"] for r in published] == [written["event"]]
        async with runtime.db() as session:
            waiting = await session.scalar(
                select(outbox_table.c.event_id).where(outbox_table.c.published_at.is_(None))
            )
        assert waiting is None


async def test_a_request_that_outlasts_the_graceful_timeout_is_cancelled_and_writes_nothing(
    tmp_path: Path, fresh_nats: EmbeddedNats
) -> None:
    async with (
        nats_client(fresh_nats.url) as client,
        registry_with_a_write_held(tmp_path, fresh_nats.url, graceful_timeout=0.5) as (
            runtime,
            entered,
            release,
        ),
    ):
        in_hand = asyncio.create_task(call(client, WRITE, ADMIN, {}, timeout=2))
        await began(entered, in_hand)
        await runtime.stop()  # returns although the request is never released
        release.set()
        with pytest.raises(ServiceError, match="did not answer"):
            await in_hand
        async with runtime.db() as session:
            written = (await session.execute(select(outbox_table))).all()
        assert written == []


async def test_a_service_stopped_while_nats_is_down_keeps_what_it_wrote_for_its_next_start(
    tmp_path: Path, fresh_nats: EmbeddedNats
) -> None:
    settings = Settings(home=tmp_path, nats_url=fresh_nats.url)
    await upgrade("registry", settings.database_url("registry"))
    runtime = ServiceRuntime.create("registry", settings)
    await runtime.start()
    fresh_nats.stop()
    event = model_registered()
    async with transaction(runtime.db) as session:  # a handler's commit, NATS gone meanwhile
        await enqueue(
            session,
            event,
            stream=stream_name("registry"),
            subject=ModelRegistered.subject_for("01"),
        )
    runtime.wake_relay()
    await runtime.stop()  # neither fails nor hangs for want of NATS
    async with runtime.db() as session:
        waiting = (await session.execute(select(outbox_table))).one()
    assert (waiting.event_id, waiting.published_at) == (str(event.id), None)

    fresh_nats.start()
    again = ServiceRuntime.create("registry", settings)
    await again.start()
    try:

        async def published() -> bool:
            return len(await read_stream(fresh_nats.url, stream_name("registry"))) == 1

        await eventually(published, timeout=30)
    finally:
        await again.stop()
    [received] = await read_stream(fresh_nats.url, stream_name("registry"))
    assert received.event["id"] == str(event.id)
