"""`danvan run` starting again the services that exit to restart (the units in force changed),
without real processes: each child is a stand-in whose exit the test decides."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from danvan import supervisor
from danvan.config import Settings
from danvan.service import RESTART_EXIT_CODE
from danvan.supervisor import Child, Supervisor


class StandIn:
    """What Child reads of a process: running until `exit` is called."""

    def __init__(self) -> None:
        self.returncode: int | None = None

    def poll(self) -> int | None:
        return self.returncode

    def exit(self, code: int) -> None:
        self.returncode = code


def child(name: str) -> Child:
    return Child(name, StandIn(), Path(f"{name}.log"))  # type: ignore[arg-type]


def test_a_service_that_exits_to_restart_while_the_gateway_waits_for_it_is_started_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(supervisor, "READY_TIMEOUT_SECONDS", 2.0)
    running = Supervisor(Settings(home=tmp_path), Console(file=io.StringIO()))
    registry, reporting, gateway = child("registry"), child("reporting"), child("gateway")
    running.children = [registry, reporting, gateway]
    spawned: list[str] = []

    def spawn(name: str) -> Child:
        spawned.append(name)
        return child(name)

    def ready_check(name: str) -> Any:
        def ready() -> bool:
            if name != "gateway":
                return True
            # Reporting is slower to stop: it exits while the gateway is getting ready.
            reporting.process.exit(RESTART_EXIT_CODE)  # type: ignore[attr-defined]
            # The gateway is ready only once every service answers.
            return "reporting" in spawned

        return ready

    monkeypatch.setattr(running, "_spawn", spawn)
    monkeypatch.setattr(running, "_ready_check", ready_check)
    registry.process.exit(RESTART_EXIT_CODE)  # type: ignore[attr-defined]
    gateway.process.exit(RESTART_EXIT_CODE)  # type: ignore[attr-defined]

    failed = running._restart_asked([registry, gateway])

    assert failed == []
    assert spawned == ["registry", "gateway", "reporting"]
    assert [c.name for c in running.children] == ["registry", "reporting", "gateway"]
    assert all(c.alive() for c in running.children)
