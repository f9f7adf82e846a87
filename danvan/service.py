"""A service process: its broker, database, outbox relay, health answer, and a clean stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from faststream.nats import NatsBroker
from nats.js.client import JetStreamContext
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from danvan.bus import (
    EVENT_STREAMS,
    ensure_stream,
    make_broker,
    relay_publisher,
)
from danvan.clock import Clock
from danvan.config import ServiceName, Settings
from danvan.contracts.rpc import RpcOk
from danvan.db import create_engine, session_factory
from danvan.dead_letters import ensure_dlq_stream
from danvan.outbox import OutboxRelay, backlog
from danvan.pull import BatchConsumer, HandleBatch, RetryConsumer
from danvan.telemetry import setup_tracing
from danvan.units import UnitTree, load_units, units_key

log = logging.getLogger(__name__)

#: A service exits with this (EX_TEMPFAIL) to be started again: `danvan run` and compose's
#: restart policy do, and it comes back with the units now in force.
RESTART_EXIT_CODE = 75


def health_subject(service: str) -> str:
    return f"rpc.{service}.health.ping"


@dataclass
class ServiceRuntime:
    """What every service process holds; a service's app adds its handlers to `broker`."""

    name: ServiceName
    settings: Settings
    broker: NatsBroker
    engine: AsyncEngine | None = None
    sessions: async_sessionmaker[AsyncSession] | None = None
    relay: OutboxRelay | None = None
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    # Scheduled jobs by name, so an operator's command (or a test) can run one now.
    jobs: dict[str, Callable[[], Awaitable[Any]]] = field(default_factory=dict)
    _periodic: list[tuple[str, float, Callable[[], Awaitable[Any]]]] = field(default_factory=list)
    _periodic_tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _batch_consumers: list[BatchConsumer] = field(default_factory=list)
    _batch_tasks: list[asyncio.Task[None]] = field(default_factory=list)
    # Called first when the service stops (a rebuild in progress, for one).
    _on_stop: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    # Set when the service stops only to start again (the units in force changed).
    restart_requested: bool = False
    _on_restart: list[Callable[[], None]] = field(default_factory=list)

    @classmethod
    def create(
        cls, name: ServiceName, settings: Settings, *, nats_url: str | None = None
    ) -> ServiceRuntime:
        setup_tracing(name)
        broker = make_broker(settings, name, nats_url=nats_url)
        runtime = cls(name=name, settings=settings, broker=broker)
        if name != "gateway":
            runtime.engine = create_engine(settings.database_url(name))
            runtime.sessions = session_factory(runtime.engine)
            if name in EVENT_STREAMS:
                runtime.relay = OutboxRelay(runtime.sessions, relay_publisher(broker), service=name)
            # The gateway's readiness is HTTP (/readyz); the others answer over NATS.
            broker.subscriber(health_subject(name), queue=name, title=health_subject(name))(
                runtime._health
            )
        return runtime

    @property
    def db(self) -> async_sessionmaker[AsyncSession]:
        if self.sessions is None:
            raise RuntimeError(f"{self.name} has no database")
        return self.sessions

    async def _health(self) -> dict[str, Any]:
        status: dict[str, Any] = {"service": self.name}
        if self.sessions is not None:
            async with self.sessions() as session:
                pending, oldest = await backlog(session)
            status["outbox_backlog"] = pending
            status["outbox_oldest"] = oldest.isoformat() if oldest else None
        return RpcOk[dict[str, Any]](data=status).model_dump(mode="json")

    def consume_batches(self, source: str, *, durable: str, handle: HandleBatch) -> None:
        """Hand `source`'s events to `handle` in batches through the durable `durable`, and
        what is delivered to it again (`dlq.retry.<durable>`) through a second durable;
        `handle` makes each batch idempotent itself (a projection's inbox). The service starts
        without waiting for the stream: the consumer waits for it on its own."""
        for kind in (BatchConsumer, RetryConsumer):
            self._batch_consumers.append(
                kind(
                    self.jetstream,
                    source=source,
                    durable=durable,
                    handle=handle,
                    max_deliver=self.settings.max_deliver,
                    service=self.name,
                )
            )

    @property
    def batch_consumers(self) -> tuple[BatchConsumer, ...]:
        return tuple(self._batch_consumers)

    def jetstream(self) -> JetStreamContext:
        js: JetStreamContext = self.broker.config.connection_state.stream
        return js

    def on_stop(self, callback: Callable[[], Awaitable[None]]) -> None:
        self._on_stop.append(callback)

    def units_in_force(self, clock: Clock, given: UnitTree | None = None) -> UnitTree:
        """The units in force today (or `given`), and a watch that restarts the service on the
        day a loaded reorganisation takes effect, or when one in effect is loaded."""
        folder = self.settings.units_folder()
        tree = given or load_units(folder, clock.today())

        async def check() -> None:
            wanted = units_key(folder, clock.today())
            if wanted != tree.key and not self.restart_requested:
                log.warning("the units in force are now %s (not %s): restarting", wanted, tree.key)
                self.request_restart()

        self.every("units-watch", self.settings.units_check_interval, check)
        return tree

    def on_restart(self, callback: Callable[[], None]) -> None:
        self._on_restart.append(callback)

    def request_restart(self) -> None:
        self.restart_requested = True
        for callback in self._on_restart:
            callback()

    def every(self, name: str, seconds: float, job: Callable[[], Awaitable[Any]]) -> None:
        """Run `job` once the service has started, then every `seconds`, until it stops."""
        self._periodic.append((name, seconds, job))
        self.jobs[name] = job

    async def _repeat(self, name: str, seconds: float, job: Callable[[], Awaitable[Any]]) -> None:
        while True:
            try:
                await job()
            except Exception:  # a database outage must not end the schedule
                log.exception("%s failed; next run in %.0f s", name, seconds)
            await asyncio.sleep(seconds)

    def wake_relay(self) -> None:
        if self.relay is not None:
            self.relay.wake()

    async def start(self) -> None:
        await self.broker.connect()
        if self.name in EVENT_STREAMS:
            await ensure_stream(self.broker, self.name, replicas=self.settings.stream_replicas)
        if self._batch_consumers:
            await ensure_dlq_stream(
                self.jetstream(),
                replicas=self.settings.stream_replicas,
                max_age_days=self.settings.dead_letter_max_age_days,
            )
        await self.broker.start()
        if self.relay is not None:
            self._tasks.append(asyncio.create_task(self.relay.run(), name=f"{self.name}-relay"))
        for consumer in self._batch_consumers:
            self._batch_tasks.append(
                asyncio.create_task(consumer.run(), name=f"{self.name}-{consumer.durable}")
            )
        for name, seconds, job in self._periodic:
            self._periodic_tasks.append(
                asyncio.create_task(self._repeat(name, seconds, job), name=name)
            )
        log.info("%s started", self.name)

    async def stop(self) -> None:
        """Stop taking work, let in-flight handlers finish, drain the outbox, then close."""
        for callback in self._on_stop:
            await callback()
        for consumer in self._batch_consumers:
            consumer.stop()  # each finishes the batch in hand, then leaves
        for task in self._batch_tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._batch_tasks.clear()
        for task in self._periodic_tasks:
            task.cancel()
        for task in self._periodic_tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._periodic_tasks.clear()
        for subscriber in self.broker.subscribers:
            await subscriber.stop()  # waits for in-flight handlers (graceful_timeout)
        if self.relay is not None:
            self.relay.stop()  # its last pass publishes what the handlers committed
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        await self.broker.stop()
        if self.engine is not None:
            await self.engine.dispose()
        log.info("%s stopped", self.name)

    async def run_until_signalled(self) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        self.on_restart(stop.set)
        await self.start()
        try:
            await stop.wait()
        finally:
            await self.stop()
