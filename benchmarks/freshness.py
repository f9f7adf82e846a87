"""Freshness: from a petition's 201 until the commune's dashboard counts it (the outbox relay
publishes the event, reporting applies it and notes the province, the gateway drops the cached
view). The floor beside it: one first read of the same dashboard, which any change must wait
for at least."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

import httpx

from benchmarks.load import Latencies, Refused, timed_get
from benchmarks.views import dashboard_path
from benchmarks.writes import WRITING_PROVINCE, petition_bodies
from danvan.contracts.rpc import Role
from danvan.local_platform import RunningPlatform

#: The commune written to and watched.
COMMUNE = "00097"
POLL_SECONDS = 0.005
#: Longer than this and the figure is not freshness but a failure.
GIVE_UP_SECONDS = 30.0


def received_petitions(view: dict[str, object]) -> float:
    """The dashboard's headline count of petitions received."""
    figures = view.get("figures") or []
    assert isinstance(figures, Sequence)
    for figure in figures:
        if isinstance(figure, dict) and figure.get("indicator") == "petitions.received":
            return float(figure["amount"])
    raise RuntimeError("the dashboard shows no petitions.received figure")


async def measure_freshness(platform: RunningPlatform, period: str, writes: int) -> Latencies:
    """`writes` petitions, one at a time: each one's time from 201 to the dashboard's count."""
    token = platform.token(WRITING_PROVINCE, Role.OFFICER)
    bodies = petition_bodies([COMMUNE])
    path = dashboard_path(COMMUNE, period)
    delays: list[float] = []
    async with httpx.AsyncClient(
        base_url=platform.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as client:
        for _ in range(writes):
            before = received_petitions((await timed_get(client, path))[1].json())
            answer = await client.post("/api/v1/petitions", json=next(bodies))
            accepted = time.perf_counter()
            if answer.status_code != 201:
                raise Refused(f"the petition answered {answer.status_code}: {answer.text[:500]}")
            while received_petitions((await timed_get(client, path))[1].json()) <= before:
                if time.perf_counter() - accepted > GIVE_UP_SECONDS:
                    raise RuntimeError(
                        f"the dashboard did not count a petition in {GIVE_UP_SECONDS} s"
                    )
                await asyncio.sleep(POLL_SECONDS)
            delays.append(time.perf_counter() - accepted)
    return Latencies.of(delays)
