"""Each service's async database: SQLite file by default, any PostgreSQL URL in production."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Dialect, MetaData, TypeDecorator, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from danvan.answer_by import still_awaited

# Tables every service shares (outbox, inbox) live on the kernel's metadata; each service
# keeps its own tables on its own metadata. Names follow one convention so that Alembic's
# constraint names are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
kernel_metadata = MetaData(naming_convention=NAMING_CONVENTION)

SQLITE_BUSY_TIMEOUT_MS = 10_000


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An engine tuned for its backend: WAL and a busy timeout on SQLite."""
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    return create_async_engine(url, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def transaction(
    sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit on success, roll back on any error, and roll back when the
    rpc's caller has stopped waiting (`danvan.answer_by`)."""
    async with sessions() as session, session.begin():
        yield session
        still_awaited()


def unreachable(error: BaseException) -> bool:
    """Whether `error` says the database could not be reached or could not work just now
    (refused, lost or timed-out connections, a locked SQLite file, a server shutting down),
    rather than that the work itself was wrong: what comes and goes without the work
    changing."""
    if isinstance(error, OSError | PoolTimeoutError | OperationalError | InterfaceError):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def dialect_name(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def upsert_insert(session: AsyncSession) -> Any:
    """The dialect's INSERT with ON CONFLICT support (SQLite and PostgreSQL share the API)."""
    from sqlalchemy.dialects import postgresql, sqlite

    return postgresql.insert if dialect_name(session) == "postgresql" else sqlite.insert


def bytewise_text() -> Any:
    """A text column compared byte by byte on every backend, for `danvan.text.sort_string`
    keys: SQLite compares bytes already; PostgreSQL needs the "C" collation."""
    from sqlalchemy import Text

    return Text().with_variant(Text(collation="C"), "postgresql")


class UtcDateTime(TypeDecorator[datetime]):
    """A moment, always given back with its UTC offset: SQLite keeps none, and a naive
    datetime in an answer is ambiguous (and breaks the `date-time` format portals validate)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            return value.astimezone(UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value
