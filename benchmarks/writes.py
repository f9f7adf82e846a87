"""The write path: petitions POSTed through the gateway at rising load (the real path: the
gateway checks the token, asks reception over NATS, reception writes the petition and its
outbox row), against a bare FastAPI app that takes the same body and inserts one row."""

from __future__ import annotations

import contextlib
import itertools
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from benchmarks.load import Step, posting_step
from danvan.contracts.rpc import Role
from danvan.local_platform import RunningPlatform, free_port

#: The province whose officer writes, and whose communes receive the petitions.
WRITING_PROVINCE = "01"
READY_SECONDS = 30.0


@dataclass(frozen=True)
class WriteResult:
    gateway: list[Step]
    bare: list[Step]


def petition_bodies(communes: Sequence[str]) -> Iterator[dict[str, Any]]:
    """Valid petitions, each a new case (no duplicate check can refuse them), spread over
    `communes` in turn."""
    for number, commune in zip(itertools.count(1), itertools.cycle(communes), strict=False):
        yield {
            "unit_code": commune,
            "source": "in_person",
            "petition_class": "recommendation",
            "sector": "administration",
            "petitioner": {"kind": "individual", "name": f"Người đo hiệu năng {number}"},
            "summary": f"Kiến nghị thủ tục hành chính số {number}",
            "new_case": True,
        }


@contextlib.contextmanager
def bare_app(folder: Path) -> Iterator[tuple[str, int]]:
    """The baseline app in a process of its own: (its base URL, its pid)."""
    port = free_port()
    database = f"sqlite+aiosqlite:///{folder / 'bare.db'}"
    log = folder / "bare-app.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "benchmarks.bare_app",
                "--port",
                str(port),
                "--database",
                database,
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + READY_SECONDS
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the bare app exited:\n{log.read_text(errors='replace')}")
            try:
                if httpx.get(f"{url}/petitions/latest", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the bare app did not answer in time")
            time.sleep(0.1)
        yield url, process.pid
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def _steps(
    base_url: str,
    path: str,
    headers: Mapping[str, str],
    bodies: Iterator[dict[str, Any]],
    levels: Sequence[int],
    seconds: float,
) -> list[Step]:
    limits = httpx.Limits(max_connections=max(levels), max_keepalive_connections=max(levels))
    async with httpx.AsyncClient(
        base_url=base_url, headers=dict(headers), limits=limits, timeout=30
    ) as client:
        return [
            await posting_step(client, path, lambda: next(bodies), in_flight=level, seconds=seconds)
            for level in levels
        ]


async def measure_writes(
    platform: RunningPlatform,
    bare_url: str,
    communes: Sequence[str],
    levels: Sequence[int],
    seconds: float,
) -> WriteResult:
    bodies = petition_bodies(communes)
    officer = {"Authorization": f"Bearer {platform.token(WRITING_PROVINCE, Role.OFFICER)}"}
    gateway = await _steps(platform.base_url, "/api/v1/petitions", officer, bodies, levels, seconds)
    bare = await _steps(bare_url, "/petitions", {}, bodies, levels, seconds)
    return WriteResult(gateway=gateway, bare=bare)
