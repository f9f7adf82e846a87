"""One benchmark run: the real platform (`danvan run`, embedded default: its own nats-server
and SQLite) in a temporary home, the bare baseline app beside it, every measure in turn, and
the rows of the report."""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from rich.console import Console

from benchmarks.data_set import SeedPlan, seed
from benchmarks.fixture_events import communes
from benchmarks.freshness import COMMUNE, measure_freshness
from benchmarks.load import Latencies
from benchmarks.memory import peak_resident_mib
from benchmarks.rebuild import RebuildResult, measure_rebuild
from benchmarks.report import Row
from benchmarks.views import VIEWS, ViewResult, measure_views
from benchmarks.writes import WRITING_PROVINCE, WriteResult, bare_app, measure_writes
from danvan.config import Settings
from danvan.local_platform import RunningPlatform, start_platform
from danvan.units import load_units

#: The platform as `make run` starts it, but for the per-principal rate limit: the load
#: generator is one principal, and 600 requests a minute would make the write path a 429.
PLATFORM_SETTINGS = {"DANVAN_RATE_LIMIT": "100000000/minute"}


@dataclass(frozen=True)
class Plan:
    events: int
    write_levels: tuple[int, ...]
    write_seconds: float
    view_reads: int
    freshness_writes: int
    #: `danvan seed` after the rebuild: this year and the last, for the views' comparison
    seed: SeedPlan


FULL = Plan(
    events=1_000_000,
    write_levels=(1, 4, 16, 64),
    write_seconds=5.0,
    view_reads=200,
    freshness_writes=50,
    seed=SeedPlan(scale=0.001, years_back=1),
)
QUICK = Plan(
    events=2_000,
    write_levels=(1, 4),
    write_seconds=0.5,
    view_reads=10,
    freshness_writes=5,
    seed=SeedPlan(scale=0.00002, years_back=0),
)


@dataclass(frozen=True)
class Measured:
    rebuild: RebuildResult
    writes: WriteResult
    views: ViewResult
    freshness: Latencies
    memory: dict[str, float]
    bare_memory: float
    today: date


def run(plan: Plan) -> Measured:
    settings = Settings()
    units = load_units()
    today = date.today()
    with tempfile.TemporaryDirectory(prefix="danvan-bench-") as folder:
        console = Console(stderr=True)
        with console.status("starting the platform (danvan run)…"):
            platform = start_platform(Path(folder) / "home", settings=PLATFORM_SETTINGS)
        try:
            with bare_app(Path(folder)) as (bare_url, bare_pid):
                measured = asyncio.run(
                    _measure(platform, settings, plan, bare_url, today, console, units=units)
                )
                bare_memory = peak_resident_mib(bare_pid)
            memory = {
                name: peak_resident_mib(pid) for name, pid in sorted(platform.children().items())
            }
        finally:
            platform.stop()
    rebuild, writes, views, freshness = measured
    return Measured(rebuild, writes, views, freshness, memory, bare_memory, today)


async def _measure(
    platform: RunningPlatform,
    settings: Settings,
    plan: Plan,
    bare_url: str,
    today: date,
    console: Console,
    *,
    units: Any,
) -> tuple[RebuildResult, WriteResult, ViewResult, Latencies]:
    period = str(today.year)
    console.print(f"rebuild: {plan.events:,} events")
    rebuild = await measure_rebuild(platform, settings, units, plan.events, today)
    console.print(f"views' data set: danvan {' '.join(plan.seed.arguments(today))}")
    await asyncio.to_thread(seed, platform, plan.seed, today)
    console.print("views: dashboards with the data set loaded")
    views = await measure_views(platform, period, plan.view_reads, bare_url)
    console.print(f"write path: {', '.join(map(str, plan.write_levels))} in flight")
    hanoi = [c.code for c in communes(units) if c.province == WRITING_PROVINCE]
    writes = await measure_writes(platform, bare_url, hanoi, plan.write_levels, plan.write_seconds)
    console.print(f"freshness: {plan.freshness_writes} writes")
    freshness = await measure_freshness(platform, period, plan.freshness_writes)
    return rebuild, writes, views, freshness


BARE_CONSUMER = "bare nats-py pull consumer (fetch 500, ack each)"
BARE_WRITE = "bare FastAPI app inserting one SQLite row"
BARE_READ = "bare FastAPI app reading one SQLite row"
FIRST_READ = "one first read of the commune dashboard"
BARE_PROCESS = "bare FastAPI app's peak"


def rows(measured: Measured) -> list[Row]:
    found: list[Row] = []
    rebuild = measured.rebuild
    found.append(
        Row(
            "rebuild",
            f"reporting rebuild, {rebuild.rebuild_events:,} events",
            rebuild.rebuild_rate,
            "events/s",
            rebuild.baseline_rate,
            BARE_CONSUMER,
            "≥ 0.5× baseline",
        )
    )
    top = max(step.in_flight for step in measured.writes.gateway)
    for step, bare_step in zip(measured.writes.gateway, measured.writes.bare, strict=True):
        at = f"{step.in_flight} in flight"
        last = step.in_flight == top
        found += [
            Row("writes", f"petitions, {at}", step.rate, "writes/s", bare_step.rate, BARE_WRITE,
                "≥ 1,000/s" if last else ""),
            Row("writes", f"p50, {at}", step.p50_ms, "ms", bare_step.p50_ms, BARE_WRITE),
            Row("writes", f"p99, {at}", step.p99_ms, "ms", bare_step.p99_ms, BARE_WRITE,
                "< 50 ms" if last else ""),
        ]  # fmt: skip
    bare = measured.views.bare
    for kind, latencies in (
        ("first read", measured.views.first),
        ("cached", measured.views.cached),
    ):
        for name, _code, _reader in VIEWS:
            seen = latencies[name]
            for label, figure, floor in (
                ("p50", seen.p50_ms, bare.p50_ms),
                ("p95", seen.p95_ms, bare.p95_ms),
                ("p99", seen.p99_ms, bare.p99_ms),
            ):
                aim = "< 25 ms" if (name, label) == ("national", "p95") else ""
                found.append(
                    Row("views", f"{name} dashboard, {kind}, {label}", figure, "ms", floor,
                        BARE_READ, aim)
                )  # fmt: skip
    commune = measured.views.first["commune"]
    fresh = measured.freshness
    found += [
        Row("freshness", f"201 → commune {COMMUNE} dashboard, p50", fresh.p50_ms, "ms",
            commune.p50_ms, FIRST_READ),
        Row("freshness", f"201 → commune {COMMUNE} dashboard, p99", fresh.p99_ms, "ms",
            commune.p99_ms, FIRST_READ, "< 1,000 ms"),
    ]  # fmt: skip
    for name, peak in measured.memory.items():
        found.append(
            Row("memory", f"{name}, peak resident", peak, "MiB", measured.bare_memory, BARE_PROCESS)
        )
    return found


def details(measured: Measured, plan: Plan) -> dict[str, Any]:
    return {
        "plan": asdict(plan),
        "rebuild": {
            **asdict(measured.rebuild),
            "rebuild_rate": measured.rebuild.rebuild_rate,
            "baseline_rate": measured.rebuild.baseline_rate,
        },
        "writes": {
            "gateway": [{**asdict(s), "rate": s.rate} for s in measured.writes.gateway],
            "bare": [{**asdict(s), "rate": s.rate} for s in measured.writes.bare],
        },
        "views": {
            "data": f"the rebuild's {measured.rebuild.events:,} fixture events, then "
            f"danvan {' '.join(plan.seed.arguments(measured.today))}",
            "first_read": "composed by the gateway from the services (cache dropped first)",
            "cached": "answered from the gateway's view cache",
            "first": {name: asdict(value) for name, value in measured.views.first.items()},
            "from_cache": {name: asdict(value) for name, value in measured.views.cached.items()},
            "bare": asdict(measured.views.bare),
        },
        "freshness": asdict(measured.freshness),
        "memory_mib": {**measured.memory, "bare app": measured.bare_memory},
    }
