"""Views: the dashboards of the nation, a province and a commune with the data set loaded,
each read first (the gateway composes it from the services) and from the gateway's view cache,
beside a bare FastAPI read of one SQLite row (the floor of any answered request)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx
import nats

from benchmarks.load import Latencies, timed_get
from danvan.contracts.rpc import Role
from danvan.local_platform import RunningPlatform
from danvan.notes import EVERYWHERE, applied_subject

#: The views measured: (what, the unit's code, whose token reads it).
VIEWS = (("national", "VN", "VN"), ("province", "01", "01"), ("commune", "00097", "01"))
#: After a note that drops the cached views, before the next first read: the gateway hears
#: the note on its own connection (not counted in the read's time).
NOTE_SETTLE_SECONDS = 0.05


@dataclass(frozen=True)
class ViewResult:
    #: by view: read first (composed) and from the gateway's cache
    first: dict[str, Latencies]
    cached: dict[str, Latencies]
    #: the bare app's read of one row
    bare: Latencies


def dashboard_path(code: str, period: str) -> str:
    return f"/api/v1/units/{code}/dashboard?period={period}"


async def measure_views(
    platform: RunningPlatform, period: str, reads: int, bare_url: str
) -> ViewResult:
    first: dict[str, Latencies] = {}
    cached: dict[str, Latencies] = {}
    notes = await nats.connect(platform.nats_url, name="danvan-bench-notes")
    try:
        for name, code, reader in VIEWS:
            token = platform.token(reader, Role.VIEWER)
            async with httpx.AsyncClient(
                base_url=platform.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
            ) as client:
                path = dashboard_path(code, period)
                await timed_get(client, path)  # the process's own first time, not counted
                firsts: list[float] = []
                for _ in range(reads):
                    # As reporting says after applying events anywhere: every view is dropped.
                    await notes.publish(applied_subject(EVERYWHERE), b"")
                    await notes.flush()
                    await asyncio.sleep(NOTE_SETTLE_SECONDS)
                    firsts.append((await timed_get(client, path))[0])
                await timed_get(client, path)  # kept now
                hits = [(await timed_get(client, path))[0] for _ in range(reads)]
            first[name] = Latencies.of(firsts)
            cached[name] = Latencies.of(hits)
    finally:
        await notes.close()
    async with httpx.AsyncClient(base_url=bare_url, timeout=30) as client:
        bare = Latencies.of(
            [(await timed_get(client, "/petitions/latest"))[0] for _ in range(reads)]
        )
    return ViewResult(first=first, cached=cached, bare=bare)
