"""Rebuild: how fast reporting rebuilds its figures from N events, against a bare nats-py pull
consumer reading the same streams with no work (the machine's limit for reading them)."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import nats
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, PubAck
from nats.js.client import JetStreamContext
from nats.js.errors import NotFoundError
from rich.console import Console
from rich.progress import Progress
from rich.status import Status

from benchmarks.fixture_events import fixture_events
from danvan.bus import stream_name
from danvan.config import Settings
from danvan.contracts.reporting import RebuildStatus
from danvan.contracts.rpc import Principal, Role
from danvan.local_platform import RunningPlatform
from danvan.platform_client import progress_bar, services
from danvan.units import UnitTree

#: Publishes awaiting their acknowledgement at once.
PENDING_WINDOW = 4000
FETCH_BATCH = 500
POLL_SECONDS = 0.2
#: The streams the fixture's events go to, which reporting reads.
SOURCES = ("registry", "reception")
#: The longest the live consumer may take to catch up, the rebuild to finish.
WAIT_LIMIT_SECONDS = 3600.0


@dataclass(frozen=True)
class RebuildResult:
    events: int
    publish_seconds: float
    live_catch_up_seconds: float
    baseline_events: int
    baseline_seconds: float
    rebuild_events: int
    rebuild_seconds: float
    #: after the switch, until reporting had deleted the old build's rows
    old_build_dropped_seconds: float

    @property
    def baseline_rate(self) -> float:
        return self.baseline_events / self.baseline_seconds

    @property
    def rebuild_rate(self) -> float:
        return self.rebuild_events / self.rebuild_seconds


async def publish(js: JetStreamContext, units: UnitTree, count: int, today: date) -> None:
    """The fixture's events into the services' streams, PENDING_WINDOW acknowledgements
    outstanding at most; a refused publish stops the benchmark."""
    failures: list[BaseException] = []

    def check(future: asyncio.Future[PubAck]) -> None:
        if not future.cancelled() and future.exception() is not None:
            failures.append(future.exception())  # type: ignore[arg-type]

    with progress_bar() as progress:
        task = progress.add_task("publishing the fixture's events", total=count)
        for index, event in enumerate(fixture_events(units, count, last_day=today)):
            future = await js.publish_async(event.subject, event.body, stream=event.stream)
            future.add_done_callback(check)
            if index % 1000 == 999:
                progress.update(task, completed=index + 1)
                if failures:
                    raise RuntimeError(f"JetStream refused an event: {failures[0]!r}")
        await js.publish_async_completed()
        progress.update(task, completed=count)
    if failures:
        raise RuntimeError(f"JetStream refused an event: {failures[0]!r}")


async def _pending(js: JetStreamContext) -> int:
    """What the durable consumers of the sources' streams have yet to read or acknowledge."""
    left = 0
    for source in SOURCES:
        for consumer in await js.consumers_info(stream_name(source)):
            if consumer.config.durable_name:
                left += (consumer.num_pending or 0) + (consumer.num_ack_pending or 0)
    return left


async def wait_for_live_consumers(js: JetStreamContext, progress: Progress) -> float:
    """Until reporting's live consumer (and every other durable) has every event acked."""
    began = time.perf_counter()
    first = await _pending(js)
    task = progress.add_task("reporting's live consumer catching up", total=first or 1)
    while (left := await _pending(js)) > 0:
        progress.update(task, completed=first - left)
        if time.perf_counter() - began > WAIT_LIMIT_SECONDS:
            raise RuntimeError(f"the live consumers still had {left} events to read")
        await asyncio.sleep(POLL_SECONDS)
    progress.update(task, completed=first or 1)
    return time.perf_counter() - began


async def bare_consumer(js: JetStreamContext) -> tuple[int, float]:
    """Read every source stream from its start with an ephemeral pull consumer, fetching
    FETCH_BATCH at a time and acking each message, doing nothing else: (events, seconds)."""
    read = 0
    began = time.perf_counter()
    for source in SOURCES:
        stream = stream_name(source)
        try:
            end = (await js.stream_info(stream)).state.last_seq
        except NotFoundError:
            continue
        if end == 0:
            continue
        subscription = await js.pull_subscribe(
            f"evt.{source}.>",
            stream=stream,
            config=ConsumerConfig(
                ack_policy=AckPolicy.EXPLICIT,
                deliver_policy=DeliverPolicy.ALL,
                inactive_threshold=60.0,
            ),
        )
        try:
            while True:
                messages = await subscription.fetch(FETCH_BATCH, timeout=5)
                for message in messages:
                    await message.ack()
                read += len(messages)
                if messages[-1].metadata.sequence.stream >= end:
                    break
        finally:
            await subscription.unsubscribe()
    return read, time.perf_counter() - began


async def timed_rebuild(settings: Settings, nats_url: str, progress: Progress) -> tuple[int, float]:
    """Ask reporting to rebuild, as `danvan reporting rebuild` does, and follow it to its end:
    (events it read, seconds from the request to the new build's switch)."""
    admin = Principal(sub="bench", unit="VN", roles=(Role.ADMIN,))
    async with services(settings, nats_url) as ask:
        began = time.perf_counter()
        status = RebuildStatus.model_validate(await ask("reporting", "rebuild", "start", admin, {}))
        building = status.building
        task = progress.add_task(f"reporting rebuilding (build {building})", total=status.total)
        while status.running and status.building == building:
            if time.perf_counter() - began > WAIT_LIMIT_SECONDS:
                raise RuntimeError("the rebuild did not end in time")
            await asyncio.sleep(POLL_SECONDS)
            status = RebuildStatus.model_validate(
                await ask("reporting", "rebuild", "status", admin, {})
            )
            progress.update(task, completed=status.applied)
        elapsed = time.perf_counter() - began
    if status.error:
        raise RuntimeError(f"the rebuild failed: {status.error}")
    if status.build != building:
        raise RuntimeError(f"the rebuild ended without switching to build {building}: {status}")
    return status.total, elapsed


def _old_builds_left(database: Path) -> bool:
    active = "(SELECT active FROM builds WHERE name = 'figures')"
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        row = db.execute(
            f"SELECT EXISTS (SELECT 1 FROM tallies WHERE build != {active}) "
            f"OR EXISTS (SELECT 1 FROM year_tallies WHERE build != {active}) "
            # The inbox's other builds, on either side of the active one's rows in key order.
            f"OR EXISTS (SELECT 1 FROM inbox WHERE consumer >= 'figures@' "
            f"AND consumer < 'figures@' || {active}) "
            f"OR EXISTS (SELECT 1 FROM inbox WHERE consumer > 'figures@' || {active} "
            f"AND consumer < 'figures@~')"
        ).fetchone()
    return bool(row[0])


async def wait_for_old_build_dropped(database: Path) -> float:
    """Until reporting has deleted the rows of the build the rebuild replaced, from every
    table (it does so after the switch, a chunk at a time: reporting's writes take turns with
    it at SQLite's write lock, and the next measures would measure that)."""
    began = time.perf_counter()
    while await asyncio.to_thread(_old_builds_left, database):
        if time.perf_counter() - began > WAIT_LIMIT_SECONDS:
            raise RuntimeError("reporting did not drop the old build in time")
        await asyncio.sleep(POLL_SECONDS)
    return time.perf_counter() - began


def console_status(text: str) -> Status:
    return Console(stderr=True).status(text)


async def measure_rebuild(
    platform: RunningPlatform, settings: Settings, units: UnitTree, count: int, today: date
) -> RebuildResult:
    connection = await nats.connect(platform.nats_url, name="danvan-bench")
    try:
        js = connection.jetstream(publish_async_max_pending=PENDING_WINDOW)
        began = time.perf_counter()
        await publish(js, units, count, today)
        published = time.perf_counter() - began
        with progress_bar() as progress:
            catch_up = await wait_for_live_consumers(js, progress)
        baseline_events, baseline_seconds = await bare_consumer(js)
        with progress_bar() as progress:
            rebuild_events, rebuild_seconds = await timed_rebuild(
                settings, platform.nats_url, progress
            )
        with console_status("reporting dropping the old build…"):
            dropped = await wait_for_old_build_dropped(platform.home / "reporting.db")
    finally:
        await connection.close()
    return RebuildResult(
        events=count,
        publish_seconds=published,
        live_catch_up_seconds=catch_up,
        baseline_events=baseline_events,
        baseline_seconds=baseline_seconds,
        rebuild_events=rebuild_events,
        rebuild_seconds=rebuild_seconds,
        old_build_dropped_seconds=dropped,
    )
