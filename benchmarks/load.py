"""Requests at a fixed number in flight for a while, timed one by one (httpx, async)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from benchmarks.stats import milliseconds, percentile

#: Requests sent before a step's clock starts (connections opened, caches warm).
WARM_UP_REQUESTS = 10


@dataclass(frozen=True)
class Step:
    """One step of rising load: `completed` answers in `seconds` with `in_flight` at once."""

    in_flight: int
    completed: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def rate(self) -> float:
        return self.completed / self.seconds


class Refused(RuntimeError):
    """An answer other than the one expected: the measure would be of errors."""


async def _post(
    client: httpx.AsyncClient, url: str, body: Mapping[str, Any], expected: int
) -> float:
    began = time.perf_counter()
    answer = await client.post(url, json=body)
    elapsed = time.perf_counter() - began
    if answer.status_code != expected:
        raise Refused(f"POST {url} answered {answer.status_code}: {answer.text[:500]}")
    return elapsed


async def posting_step(
    client: httpx.AsyncClient,
    url: str,
    make_body: Callable[[], Mapping[str, Any]],
    *,
    in_flight: int,
    seconds: float,
    expected: int = 201,
) -> Step:
    """`in_flight` writers POSTing `make_body()` for `seconds`, each as soon as its last
    answer came; every answer must be `expected`."""
    for _ in range(WARM_UP_REQUESTS):
        await _post(client, url, make_body(), expected)
    latencies: list[float] = []
    began = time.perf_counter()
    deadline = began + seconds

    async def writer() -> None:
        while time.perf_counter() < deadline:
            latencies.append(await _post(client, url, make_body(), expected))

    await asyncio.gather(*(writer() for _ in range(in_flight)))
    elapsed = time.perf_counter() - began
    return Step(
        in_flight=in_flight,
        completed=len(latencies),
        seconds=elapsed,
        p50_ms=milliseconds(percentile(latencies, 0.50)),
        p99_ms=milliseconds(percentile(latencies, 0.99)),
    )


@dataclass(frozen=True)
class Latencies:
    count: int
    p50_ms: float
    p95_ms: float
    p99_ms: float

    @classmethod
    def of(cls, seconds: list[float]) -> Latencies:
        return cls(
            count=len(seconds),
            p50_ms=milliseconds(percentile(seconds, 0.50)),
            p95_ms=milliseconds(percentile(seconds, 0.95)),
            p99_ms=milliseconds(percentile(seconds, 0.99)),
        )


async def timed_get(client: httpx.AsyncClient, url: str) -> tuple[float, httpx.Response]:
    began = time.perf_counter()
    answer = await client.get(url)
    elapsed = time.perf_counter() - began
    if answer.status_code != 200:
        raise Refused(f"GET {url} answered {answer.status_code}: {answer.text[:500]}")
    return elapsed, answer
