"""Running a service in this process, asking its operations endpoint (nothing bound), and
reading the Prometheus text it answers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from danvan.ops import operations_app
from danvan.service import ServiceRuntime


async def ask(runtime: ServiceRuntime, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=operations_app(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://ops") as client:
        return await client.get(path)


async def scraped(runtime: ServiceRuntime) -> str:
    answer = await ask(runtime, "/metrics")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    return answer.text


def total(text: str, name: str, **labels: str) -> float | None:
    """The sum of the samples named `name` whose labels include `labels`; None when none is."""
    found = [
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name and labels.items() <= sample.labels.items()
    ]
    return sum(found) if found else None


def sqlite_files(folder: Path) -> Callable[[str], Awaitable[str]]:
    """A `make_database` on SQLite only: what the operations tests read does not depend on
    the backend (the storage tests run both)."""

    async def make(label: str) -> str:
        return f"sqlite+aiosqlite:///{folder / label}.db"

    return make


@asynccontextmanager
async def running(runtime: ServiceRuntime) -> AsyncIterator[ServiceRuntime]:
    """`runtime` started for the block, and stopped after it."""
    await runtime.start()
    try:
        yield runtime
    finally:
        await runtime.stop()


def take_the_place_of(database_file: Path) -> None:
    """Put a directory where a SQLite file is, so that no connection can open it (even as
    root). A connection opening in its own thread may create the file again between the two
    steps: then try again."""
    while True:
        database_file.unlink(missing_ok=True)
        try:
            database_file.mkdir()
        except FileExistsError:
            continue
        return
