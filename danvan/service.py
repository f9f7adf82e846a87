"""A service process: its broker, database, outbox relay, health answer, and a clean stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from faststream.nats import NatsBroker
from faststream.nats.subscriber.usecases.core_subscriber import CoreSubscriber
from nats.js.client import JetStreamContext
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from danvan.bus import (
    EVENT_STREAMS,
    ensure_stream,
    make_broker,
    nats_servers,
    relay_publisher,
    stream_name,
)
from danvan.clock import Clock
from danvan.config import ServiceName, Settings
from danvan.contracts.rpc import RpcOk
from danvan.db import create_engine, session_factory
from danvan.dead_letters import DLQ_STREAM, ensure_dlq_stream
from danvan.heap import freeze_startup_objects
from danvan.outbox import OutboxRelay, backlog
from danvan.pull import BatchConsumer, HandleBatch, RetryConsumer
from danvan.startup import (
    Patience,
    database_address,
    database_answers,
    nats_address,
    nats_answers,
)
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
    #: The NATS servers the broker connects to (what start-up waits for).
    servers: list[str] = field(default_factory=list)
    #: Which copy of the service this is, in its health answer: its host and process.
    instance: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
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
    #: Set by `danvan serve`, whose process the service has to itself (`danvan.heap`); not
    #: in a test, where the service shares the test runner's heap.
    freeze_heap_when_started: bool = False
    # Work that makes long-lived objects, done just before the heap is frozen, and only then.
    _before_freeze: list[Callable[[], None]] = field(default_factory=list)

    @classmethod
    def create(
        cls, name: ServiceName, settings: Settings, *, nats_url: str | None = None
    ) -> ServiceRuntime:
        setup_tracing(name)
        broker = make_broker(settings, name, nats_url=nats_url)
        runtime = cls(
            name=name, settings=settings, broker=broker, servers=nats_servers(settings, nats_url)
        )
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
        status: dict[str, Any] = {"service": self.name, "instance": self.instance}
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
                    ack_wait=self.settings.ack_wait_seconds,
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

    def before_freeze(self, callback: Callable[[], None]) -> None:
        """Run `callback` at start just before the heap is frozen (`danvan.heap`), for a cache
        that would otherwise fill as work comes, with objects made after the freeze that every
        full collection walks again. Not run where nothing is frozen (a test's runtime)."""
        self._before_freeze.append(callback)

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
        """Wait for NATS, the database and JetStream (`danvan.startup`), then start every part:
        the rpc subscribers, the outbox relay, the event consumers and the schedule."""
        patience = Patience(self.settings.startup_timeout or None)
        await patience.until_done("NATS", nats_address(self.servers), self._connect)
        if self.engine is not None:
            await patience.until_done(
                f"the {self.name} database",
                database_address(self.settings.database_url(self.name)),
                partial(database_answers, self.engine),
            )
        if self.name in EVENT_STREAMS:
            await patience.until_done(
                f"JetStream to keep the {stream_name(self.name)} stream",
                nats_address(self.servers),
                partial(
                    ensure_stream, self.broker, self.name, replicas=self.settings.stream_replicas
                ),
            )
        if self._batch_consumers:
            await patience.until_done(
                f"JetStream to keep the {DLQ_STREAM} stream",
                nats_address(self.servers),
                partial(
                    ensure_dlq_stream,
                    self.jetstream(),
                    replicas=self.settings.stream_replicas,
                    max_age_days=self.settings.dead_letter_max_age_days,
                ),
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
        if self.freeze_heap_when_started:
            for callback in self._before_freeze:
                callback()
            freeze_startup_objects()
        log.info("%s started", self.name)

    async def _connect(self) -> None:
        # The broker's own first connect would retry for ever without a word: a quick try of
        # our own first says why NATS does not answer.
        await nats_answers(
            self.servers, self.settings.nats_user, self.settings.nats_password.get_secret_value()
        )
        await self.broker.connect()

    async def stop(self) -> None:
        """Stop taking work, let the work in hand finish, publish what it wrote, then close.

        First every rpc subscription leaves its queue group at once (a new request goes to
        another copy, or its caller hears at once that no one answers), the event consumers
        stop fetching and the schedule is cancelled. The requests already received and the
        batch being applied then finish, for `graceful_timeout` at most. Only then does the
        outbox relay make its last passes, so whatever they committed is published before the
        process exits; if NATS is down, it stays in the outbox for the next start. A handler
        still running after `graceful_timeout` is cancelled when the connection closes; should
        it commit first, its events too wait in the outbox: late, never lost.
        """
        log.info("%s stopping: taking no new work, finishing the work in hand", self.name)
        for callback in self._on_stop:
            await callback()
        timeout = self.settings.graceful_timeout
        unfinished = await _finish(self._stop_taking_work(), timeout)
        if unfinished:
            log.warning(
                "%s: %d pieces of work were still running after %g s (DANVAN_GRACEFUL_TIMEOUT)"
                " and are cancelled",
                self.name,
                unfinished,
                timeout,
            )
        relay_ran = bool(self._tasks)
        if self.relay is not None:
            self.relay.stop()  # its last passes publish what the handlers committed
        unfinished += await _finish(self._tasks, timeout)
        self._tasks = []
        if relay_ran:
            await self._report_outbox()
        await self._close_broker(force=unfinished > 0)
        if self.engine is not None:
            await self.engine.dispose()
        log.info("%s stopped", self.name)

    def _stop_taking_work(self) -> list[asyncio.Task[Any]]:
        """Stop every source of new work; returns the tasks that finish the work in hand."""
        in_hand: list[asyncio.Task[Any]] = [
            asyncio.create_task(self._withdraw(subscriber))
            for subscriber in self.broker.subscribers
            if isinstance(subscriber, CoreSubscriber)
        ]
        for consumer in self._batch_consumers:
            consumer.stop()  # each finishes the batch in hand, then leaves
        for task in self._periodic_tasks:
            task.cancel()
        in_hand += self._batch_tasks + self._periodic_tasks
        self._batch_tasks, self._periodic_tasks = [], []
        return in_hand

    async def _withdraw(self, subscriber: CoreSubscriber) -> None:
        """Leave the subscription's queue group, then answer what was already delivered."""
        subscription = subscriber.subscription
        if subscription is not None and self.broker.config.connection_state.connection.is_connected:
            try:
                # nats-py's drain: UNSUB, a round trip, then every message received runs.
                await subscription.drain()  # type: ignore[no-untyped-call]
            finally:
                subscriber.subscription = None  # FastStream must not unsubscribe it again
        # FastStream's own stop then takes nothing more and waits for the handlers still
        # running (a concurrent subscriber's, or all of them when NATS is gone, which has
        # withdrawn us already).
        await subscriber.stop()

    async def _report_outbox(self) -> None:
        if self.sessions is None:
            return
        try:
            async with self.sessions() as session:
                pending, _ = await backlog(session)
        except Exception as error:  # the database is gone: the next start finds them
            log.warning("%s could not count the outbox on stop: %s", self.name, error)
            return
        if pending:
            log.warning(
                "%s stops with %d events in its outbox: the next start publishes them",
                self.name,
                pending,
            )

    async def _close_broker(self, *, force: bool) -> None:
        """Close the connection: drained (replies and notes sent) when it is up and nothing is
        stuck; closed at once otherwise, which also cancels any handler still running."""
        state = self.broker.config.connection_state
        connection = state.connection if state else None
        if connection is not None and (force or not connection.is_connected):
            with contextlib.suppress(Exception):
                await connection.close()
        try:
            await self.broker.stop()
        except Exception as error:  # a closed or reconnecting connection cannot be drained
            log.debug("closing the broker: %s", error)

    async def run_until_signalled(self) -> None:
        """Serve until SIGTERM or SIGINT (or a restart is asked), then stop gracefully. A signal
        while start-up still waits for a server ends the wait at once."""
        with _on_signals() as stopping:
            self.on_restart(stopping.set)
            try:
                if await unless(stopping, self.start()):
                    await stopping.wait()
            finally:
                await self.stop()


@contextlib.contextmanager
def _on_signals() -> Iterator[asyncio.Event]:
    """An event SIGTERM and SIGINT set, while in this block of the running loop."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    try:
        yield stopping
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


async def unless(stopping: asyncio.Event, work: Awaitable[None]) -> bool:
    """Run `work` unless `stopping` is set first, which cancels it: True when it ran to its
    end (its errors are raised)."""
    task = asyncio.ensure_future(work)
    stopped = asyncio.ensure_future(stopping.wait())
    try:
        await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()
    if task.done():
        task.result()
        return True
    task.cancel()
    await asyncio.wait({task})
    if not task.cancelled() and task.exception() is not None:
        log.debug("abandoned while stopping: %s", task.exception())
    return False


async def nats_until_signalled(settings: Settings) -> bool:
    """Wait for NATS as a starting service does, unless SIGTERM or SIGINT comes first: for
    a process (the gateway's uvicorn) whose own start cannot be interrupted. True if it
    answered."""
    servers = settings.nats_servers()
    probe = partial(
        nats_answers, servers, settings.nats_user, settings.nats_password.get_secret_value()
    )
    patience = Patience(settings.startup_timeout or None)
    with _on_signals() as stopping:
        return await unless(stopping, patience.until_done("NATS", nats_address(servers), probe))


async def _finish(tasks: Iterable[asyncio.Task[Any]], timeout: float) -> int:
    """Wait up to `timeout` for `tasks`; cancel those still running and return how many."""
    tasks = list(tasks)
    if not tasks:
        return 0
    _, pending = await asyncio.wait(tasks, timeout=timeout)
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.wait(pending)
    for task in tasks:
        error = None if task.cancelled() else task.exception()
        if error is not None:
            log.warning("%s ended with an error while stopping", task.get_name(), exc_info=error)
    return len(pending)
