"""Which build of the projection the views read, and rebuilding it from the streams.

A rebuild fills a new build from the first event of every stream while the views keep reading
the active one. The live consumer writes each new event to both builds meanwhile (each build
has its own inbox, so an event the rebuild also reads counts once in it). When the rebuild has
read every stream up to where it stood when the rebuild began, one transaction makes the new
build active; the old one's rows are then deleted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from nats.js.client import JetStreamContext
from sqlalchemy import (
    ColumnClause,
    ColumnElement,
    CursorResult,
    Delete,
    Table,
    delete,
    literal_column,
    select,
    tuple_,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from danvan.answer_by import detached
from danvan.contracts.reporting import RebuildStatus
from danvan.contracts.rpc import ErrorCode, Message, ServiceError
from danvan.db import dialect_name, transaction
from danvan.inbox import inbox_table
from danvan.pull import Delivered, last_sequence, replay
from danvan.timeutil import as_utc, as_utc_or_none, utcnow
from services.reporting.projection import Projector, inbox_name
from services.reporting.store import (
    builds_table,
    onces_table,
    period_tallies_table,
    positions_table,
    tallies_table,
    year_tallies_table,
)

log = logging.getLogger(__name__)

STATE = "figures"
# The services whose streams the projection is built from.
SOURCES = ("registry", "reception", "reporting")
# A rebuild that has not reported progress for this long is taken to have died with its process.
STALE_AFTER = timedelta(seconds=60)
#: Events a rebuild reads and applies per transaction. Ten times the live consumer's batch:
#: fewer commits, and the province's and the nation's rows fold across more events; larger
#: batches bought little more speed for much more memory.
REBUILD_BATCH = 5_000

#: Every table that holds rows per build (besides the inbox, per build's consumer).
BUILD_TABLES = (
    tallies_table,
    year_tallies_table,
    period_tallies_table,
    onces_table,
    positions_table,
)

#: Marks a build whose rows include the year rows (`year_tallies`). A build without it was
#: made before they were kept: the service rebuilds as it does for new units, and the views
#: read its years from the half-month rows meanwhile.
YEARS_KEPT = "+years"


def build_key(units_key: str) -> str:
    """What a build made now is marked with: its units and the rows it keeps."""
    return f"{units_key}{YEARS_KEPT}"


@dataclass(frozen=True, slots=True)
class Builds:
    active: int
    building: int | None
    #: whether the active build keeps year rows
    years: bool

    @property
    def targets(self) -> tuple[int, ...]:
        """The builds a new event goes to."""
        return (self.active,) if self.building is None else (self.active, self.building)


async def read_builds(session: AsyncSession) -> Builds:
    row = (
        await session.execute(
            select(builds_table.c.active, builds_table.c.building, builds_table.c.units_key).where(
                builds_table.c.name == STATE
            )
        )
    ).one()
    # A build from before the keys were kept is marked at start (`follow_units`).
    years = row.units_key is None or row.units_key.endswith(YEARS_KEPT)
    return Builds(row.active, row.building, years)


async def status(session: AsyncSession) -> RebuildStatus:
    row = (
        (await session.execute(select(builds_table).where(builds_table.c.name == STATE)))
        .mappings()
        .one()
    )
    return RebuildStatus(
        running=row["building"] is not None,
        build=row["active"],
        building=row["building"],
        started_at=as_utc_or_none(row["started_at"]),
        finished_at=as_utc_or_none(row["finished_at"]),
        applied=row["applied"],
        total=row["total"],
        error=row["error"],
        units=_units_of(row["units_key"]),
    )


def _rows_of(builds: Sequence[int]) -> list[tuple[Table, ColumnElement[bool]]]:
    """Each table holding builds, with what picks the rows of `builds`."""
    inbox = inbox_table.c.consumer.in_([inbox_name(build) for build in builds])
    return [(table, table.c.build.in_(builds)) for table in BUILD_TABLES] + [(inbox_table, inbox)]


async def _drop_all_but(session: AsyncSession, keep: int) -> None:
    """Delete every build but `keep` in the caller's transaction: an abandoned rebuild's."""
    for table in BUILD_TABLES:
        await session.execute(delete(table).where(table.c.build != keep))
    await session.execute(
        delete(inbox_table).where(
            inbox_table.c.consumer.like("figures@%"),
            inbox_table.c.consumer != inbox_name(keep),
        )
    )


#: Rows deleted per transaction when a build goes after a rebuild. One transaction over a
#: million events' rows held SQLite's only write lock for over a minute, and every write waiting
#: for it (the live consumer, figures entered by hand) timed out.
DROP_CHUNK = 5_000
#: The pause between two chunks, so that a write waiting for the lock takes it.
DROP_PAUSE_SECONDS = 0.01


async def _drop_builds(sessions: async_sessionmaker[AsyncSession], builds: Sequence[int]) -> None:
    """Delete the rows of `builds`, a chunk per transaction. Only the builds named: a rebuild
    started meanwhile writes to a build of its own, which must stay."""
    for table, rows in _rows_of(builds):
        while True:
            async with transaction(sessions) as session:
                result = await session.execute(_chunk_deletion(session, table, rows))
            if cast(CursorResult[Any], result).rowcount < DROP_CHUNK:
                break
            await asyncio.sleep(DROP_PAUSE_SECONDS)


def _chunk_deletion(session: AsyncSession, table: Table, rows: ColumnElement[bool]) -> Delete:
    """Up to DROP_CHUNK of `rows`. On SQLite by rowid: a chunk named by its whole key made
    SQLite read every row of the builds for each chunk, holding the write lock meanwhile."""
    if dialect_name(session) == "sqlite":
        rowid: ColumnClause[int] = literal_column("rowid")
        chunk = select(rowid).select_from(table).where(rows).limit(DROP_CHUNK)
        return delete(table).where(rowid.in_(chunk))
    key = tuple(table.primary_key.columns)
    return delete(table).where(tuple_(*key).in_(select(*key).where(rows).limit(DROP_CHUNK)))


class Rebuilder:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        projector: Projector,
        js: Callable[[], JetStreamContext],
        units_key: str,
        switched: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._sessions = sessions
        self._projector = projector
        self._js = js
        self._units_key = units_key
        self._switched = switched
        self._task: asyncio.Task[None] | None = None
        # Held while this process deletes old builds' rows, so that two deletions of the
        # same rows do not take turns at the write lock.
        self._dropping = asyncio.Lock()

    async def start(self) -> RebuildStatus:
        """Begin a rebuild; 409 while another one is running and alive."""
        async with transaction(self._sessions) as session:
            row = (
                (
                    await session.execute(
                        select(builds_table).where(builds_table.c.name == STATE).with_for_update()
                    )
                )
                .mappings()
                .one()
            )
            if row["building"] is not None and not _stale(row["heartbeat_at"]):
                since = f"{row['started_at']:%Y-%m-%d %H:%M}"
                done = row["applied"], row["total"]
                raise ServiceError(
                    ErrorCode.CONFLICT,
                    Message(
                        vi=f"đang có một lần dựng lại chạy từ {since}: "
                        f"đã xử lý {done[0]} trên {done[1]} sự kiện",
                        en=f"a rebuild is already running since {since}: "
                        f"{done[0]} of {done[1]} events",
                    ),
                )
            build = max(row["active"], row["building"] or 0) + 1
            await _drop_all_but(session, row["active"])
            now = utcnow()
            await session.execute(
                update(builds_table)
                .where(builds_table.c.name == STATE)
                .values(
                    building=build,
                    started_at=now,
                    heartbeat_at=now,
                    finished_at=None,
                    applied=0,
                    total=0,
                    error=None,
                    building_units_key=self._units_key,
                )
            )
        # Measured only now that the live consumer writes new events to the new build too:
        # everything up to here the rebuild reads, everything after it the live consumer.
        ends = {source: await last_sequence(self._js(), source) for source in SOURCES}
        async with transaction(self._sessions) as session:
            await session.execute(
                update(builds_table)
                .where(builds_table.c.name == STATE)
                .values(total=sum(ends.values()))
            )
            started = await status(session)
        self._task = asyncio.create_task(
            self._run(build, ends), name=f"rebuild-{build}", context=detached()
        )
        return started

    async def follow_units(self) -> None:
        """Rebuild when the active build placed its facts with other units than the service
        now has: a loaded reorganisation took effect, so today's boundaries moved."""
        async with transaction(self._sessions) as session:
            row = (
                (await session.execute(select(builds_table).where(builds_table.c.name == STATE)))
                .mappings()
                .one()
            )
            if row["units_key"] is None:  # a build from before the keys were kept
                await session.execute(
                    update(builds_table)
                    .where(builds_table.c.name == STATE, builds_table.c.units_key.is_(None))
                    .values(units_key=self._units_key)
                )
                return
        if row["units_key"] == self._units_key:
            return
        if (
            row["building"] is not None
            and row["building_units_key"] == self._units_key
            and not _stale(row["heartbeat_at"])
        ):
            return  # that rebuild is the one wanted
        log.warning(
            "the figures were placed with the units %s, the service has %s: rebuilding",
            row["units_key"],
            self._units_key,
        )
        try:
            await self.start()
        except ServiceError as error:
            if error.code is not ErrorCode.CONFLICT:
                raise
            log.info("a rebuild with other units is running; trying again later")

    async def drop_leftovers(self) -> None:
        """Delete the rows of builds before the active one that a process stopped while it
        was deleting them left behind (never read, only kept)."""
        async with self._sessions() as session:
            active = (await read_builds(session)).active
            if active <= 1:
                return
            older = [inbox_name(build) for build in range(active)]
            found = [
                await session.scalar(
                    select(tallies_table.c.build).where(tallies_table.c.build < active).limit(1)
                ),
                await session.scalar(
                    select(inbox_table.c.consumer).where(inbox_table.c.consumer.in_(older)).limit(1)
                ),
            ]
        if any(item is not None for item in found) and not self._dropping.locked():
            log.info("deleting the rows left of the builds before build %d", active)
            async with self._dropping:
                await _drop_builds(self._sessions, range(active))

    async def stop(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self, build: int, ends: dict[str, int]) -> None:
        try:
            for source, end in ends.items():
                async for batch in replay(self._js(), source, until=end, batch_size=REBUILD_BATCH):
                    await self._apply(build, batch)
            await self._switch(build)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            log.exception("rebuild %d failed", build)
            await self._fail(build, error)

    async def _apply(self, build: int, batch: Sequence[Delivered]) -> None:
        async with transaction(self._sessions) as session:
            builds = await read_builds(session)
            if builds.building != build:
                raise RuntimeError(f"build {build} was superseded by {builds.building}")
            await self._projector.apply(session, batch, [build])
            await session.execute(
                update(builds_table)
                .where(builds_table.c.name == STATE)
                .values(applied=builds_table.c.applied + len(batch), heartbeat_at=utcnow())
            )

    async def _switch(self, build: int) -> None:
        async with transaction(self._sessions) as session:
            await session.execute(
                update(builds_table)
                .where(builds_table.c.name == STATE)
                .values(
                    active=build,
                    building=None,
                    finished_at=utcnow(),
                    units_key=builds_table.c.building_units_key,
                )
            )
        log.info("rebuild %d is now the active build", build)
        if self._switched is not None:
            await self._switched()
        # Every build before it: the one replaced, with rows a live write left in it just after
        # the switch, and any abandoned earlier.
        async with self._dropping:
            await _drop_builds(self._sessions, range(build))

    async def _fail(self, build: int, error: Exception) -> None:
        async with transaction(self._sessions) as session:
            await session.execute(
                update(builds_table)
                .where(builds_table.c.name == STATE, builds_table.c.building == build)
                .values(building=None, error=str(error) or type(error).__name__)
            )
        await _drop_builds(self._sessions, [build])


def _units_of(key: str | None) -> str | None:
    """The units part of a build's key."""
    return key.removesuffix(YEARS_KEPT) if key is not None else None


def _stale(heartbeat: datetime | None) -> bool:
    if heartbeat is None:
        return True
    return utcnow() - as_utc(heartbeat) > STALE_AFTER
