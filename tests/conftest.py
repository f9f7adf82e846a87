"""Fixtures that find real servers: NATS and PostgreSQL (see tests/servers.py)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest

from danvan.embedded import EmbeddedNats
from tests.platform_stack import PlatformStack, platform_stack
from tests.servers import PostgresDatabases, postgres_admin_url, require_postgres

MakeDatabase = Callable[[str], Awaitable[str]]


@pytest.fixture(scope="session")
def nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A NATS server with JetStream shared by the session's tests."""
    configured = os.environ.get("DANVAN_TEST_NATS_URL")
    if configured:
        yield configured
        return
    server = EmbeddedNats(tmp_path_factory.mktemp("nats")).start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def fresh_nats(tmp_path: Path) -> Iterator[EmbeddedNats]:
    """A nats-server of the test's own, which the test may stop, kill and restart."""
    server = EmbeddedNats(tmp_path / "nats").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
async def postgres() -> AsyncIterator[PostgresDatabases | None]:
    with postgres_admin_url() as url:
        if url is None:
            yield None
            return
        databases = PostgresDatabases(url)
        await databases.drop_stale()
        try:
            yield databases
        finally:
            await databases.drop_all()


@pytest.fixture
def pg(postgres: PostgresDatabases | None) -> PostgresDatabases:
    """PostgreSQL for a test that runs on it alone."""
    return require_postgres(postgres)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, postgres: PostgresDatabases | None) -> str:
    """Runs a test once on SQLite and once on PostgreSQL."""
    name: str = request.param
    if name == "postgresql":
        require_postgres(postgres)
    return name


@pytest.fixture
async def make_database(
    backend: str, postgres: PostgresDatabases | None, tmp_path: Path
) -> MakeDatabase:
    """Makes an empty database on the test's backend and returns its URL."""

    async def make(label: str) -> str:
        if backend == "sqlite":
            return f"sqlite+aiosqlite:///{tmp_path / label}.db"
        assert postgres is not None
        return await postgres.create(label)

    return make


@pytest.fixture
async def stack(
    make_database: MakeDatabase, fresh_nats: EmbeddedNats, tmp_path: Path
) -> AsyncIterator[PlatformStack]:
    """The whole platform in this process, on the test's backend and its own nats-server; a
    test module with a narrower stack defines its own `stack`."""
    async with platform_stack(tmp_path, fresh_nats.url, make_database) as running:
        yield running
