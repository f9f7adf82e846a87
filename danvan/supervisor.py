"""`danvan run`: the whole platform on one machine, started in order of readiness.

nats-server first (unless DANVAN_NATS_URL names one), then the migrations, then the three
data services, then the gateway; each child in its own session so that Ctrl-C reaches only
the supervisor, which stops them in the reverse order.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import FrameType

import nats
from rich.console import Console

from danvan.config import DATA_SERVICES, Settings, running_nats_file
from danvan.embedded import EmbeddedNats
from danvan.migrate import upgrade
from danvan.service import RESTART_EXIT_CODE, health_subject

READY_TIMEOUT_SECONDS = 90.0
STOP_TIMEOUT_SECONDS = 20.0


class StartupFailed(RuntimeError):
    pass


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def alive(self) -> bool:
        return self.process.poll() is None

    def tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if not self.alive():
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


class Supervisor:
    def __init__(
        self,
        settings: Settings,
        console: Console | None = None,
        *,
        companion: list[str] | None = None,
    ) -> None:
        self.settings = settings
        self.console = console or Console()
        #: `danvan` arguments of a command run once the platform is ready, beside it, in this
        #: terminal (`danvan run --demo`: the demo seed); its end does not stop the platform.
        self.companion = companion
        self._companion: subprocess.Popen[bytes] | None = None
        self.home = settings.home.resolve()
        self.logs = self.home / "logs"
        self.nats: EmbeddedNats | None = None
        self.children: list[Child] = []
        self._stop = threading.Event()
        self._starting = False
        self._nats_url = ""
        self._env: dict[str, str] = {}

    def run(self) -> int:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._on_signal)
        try:
            self._starting = True
            self._start_all()
            self._starting = False
        except StartupFailed as error:
            self.console.print(f"[red]✗ {error}[/red]")
            self.shutdown()
            return 1
        except KeyboardInterrupt:
            self.shutdown()
            return 130
        gateway = f"http://{self.settings.gateway_host}:{self.settings.gateway_port}"
        self.console.print(f"[bold green]danvan is running: the gateway listens on {gateway}[/]")
        self.console.print(
            f"  try: curl {gateway}/readyz   ·   a token: .venv/bin/danvan token --unit 01 "
            "--role officer   ·   logs in " + str(self.logs) + "   ·   Ctrl-C stops it"
        )
        self.console.print(f"  {operations_endpoints(self.settings)}")
        if self.companion:
            self._companion = subprocess.Popen(
                [sys.executable, "-m", "danvan", *self.companion],
                env=self._env,
                start_new_session=True,  # Ctrl-C reaches the supervisor, which stops it
            )
        exit_code = 0
        while not self._stop.wait(0.5):
            dead = [child for child in self.children if not child.alive()]
            try:
                dead = self._restart_asked(dead)
            except KeyboardInterrupt:  # Ctrl-C while a restarted child was getting ready
                break
            except StartupFailed as error:
                self.console.print(f"[red]✗ {error}[/red]")
                exit_code = 1
                break
            if dead:
                for child in dead:
                    self.console.print(
                        f"[red]✗ {child.name} exited with {child.process.returncode}; "
                        f"last lines of {child.log_path}:[/red]\n{child.tail()}"
                    )
                exit_code = 1
                break
        self.shutdown()
        return exit_code

    def _stop_companion(self) -> None:
        """Interrupted as by Ctrl-C, so that it says what it did; killed if it lingers."""
        process = self._companion
        if process is None or process.poll() is not None:
            return
        self.console.print(f"stopping danvan {' '.join(self.companion or [])}…")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def _restart_asked(self, dead: list[Child]) -> list[Child]:
        """Start again each child that exited to be restarted (the units in force changed);
        the children that died otherwise are returned."""
        failed = [child for child in dead if child.process.returncode != RESTART_EXIT_CODE]
        waiting = self._respawn([child for child in dead if child not in failed])
        while waiting:
            fresh = waiting.pop(0)
            # The others restart at about the same moment, and one may be ready only once
            # another is back (the gateway's readiness asks every service): each one that
            # exits to restart meanwhile is started again at once, not after this wait.
            self._wait(
                fresh,
                self._ready_check(fresh.name),
                meanwhile=lambda: waiting.extend(self._respawn(self._exited_to_restart())),
            )
            self.console.print(f"✓ {fresh.name} ready again")
        return failed

    def _exited_to_restart(self) -> list[Child]:
        return [
            child
            for child in self.children
            if not child.alive() and child.process.returncode == RESTART_EXIT_CODE
        ]

    def _respawn(self, children: list[Child]) -> list[Child]:
        """Each of `children` started again, in its old place (so that shutdown still stops
        in the reverse order of start)."""
        fresh = []
        for child in children:
            self.console.print(f"{child.name} restarts: the units in force changed")
            started = self._spawn(child.name)
            self.children[self.children.index(child)] = started
            fresh.append(started)
        return fresh

    def _on_signal(self, _signum: int, _frame: FrameType | None) -> None:
        if self._stop.is_set():
            return
        self._stop.set()
        if self._starting:
            raise KeyboardInterrupt  # interrupt a start-up wait; the monitor loop just sees _stop

    def _start_all(self) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        nats_url = self.settings.nats_url or self._start_nats()
        with self.console.status("applying migrations…"):
            for service in DATA_SERVICES:
                asyncio.run(upgrade(service, self.settings.database_url(service)))
        self.console.print("✓ databases migrated")
        self._nats_url = nats_url
        self._env = {**os.environ, "DANVAN_NATS_URL": nats_url, "DANVAN_HOME": str(self.home)}
        for service in (*DATA_SERVICES, "gateway"):
            child = self._spawn(service)
            self.children.append(child)
            with self.console.status(f"starting {service}…"):
                self._wait(child, self._ready_check(service))
            self.console.print(f"✓ {service} ready")

    def _ready_check(self, service: str) -> Callable[[], bool]:
        if service == "gateway":
            url = f"http://{self.settings.gateway_host}:{self.settings.gateway_port}/readyz"
            return partial(_http_ok, url)
        return partial(_answers, self._nats_url, service)

    def _start_nats(self) -> str:
        with self.console.status("starting nats-server…"):
            self.nats = EmbeddedNats(
                self.home / "nats", log_file=self.logs / "nats-server.log"
            ).start()
        self.console.print(f"✓ nats-server (JetStream) on {self.nats.url}")
        # Commands run beside the platform (`danvan import models`) find the server here.
        running_nats_file(self.home).write_text(self.nats.url)
        return self.nats.url

    def _spawn(self, service: str) -> Child:
        log_path = self.logs / f"{service}.log"
        log = open(log_path, "ab")  # noqa: SIM115  (the child keeps it)
        process = subprocess.Popen(
            [sys.executable, "-m", "danvan", "serve", service],
            env=self._env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        return Child(service, process, log_path)

    def _wait(
        self,
        child: Child,
        ready: Callable[[], bool],
        *,
        meanwhile: Callable[[], object] | None = None,
    ) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._stop.is_set():
                raise KeyboardInterrupt
            if meanwhile is not None:
                meanwhile()
            if not child.alive():
                raise StartupFailed(
                    f"{child.name} exited with {child.process.returncode} while starting; "
                    f"last lines of {child.log_path}:\n{child.tail()}"
                )
            if ready():
                return
            time.sleep(0.2)
        raise StartupFailed(f"{child.name} was not ready after {READY_TIMEOUT_SECONDS:.0f} s")

    def shutdown(self) -> None:
        """Stop in the reverse order of start: gateway, services, then nats-server."""
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_IGN)
        self._stop_companion()
        for child in reversed(self.children):
            if child.alive():
                self.console.print(f"stopping {child.name}…")
            child.stop()
        if self.nats is not None:
            self.console.print("stopping nats-server…")
            self.nats.stop()
            running_nats_file(self.home).unlink(missing_ok=True)
        self.console.print("stopped")


def operations_endpoints(settings: Settings) -> str:
    """Where each child answers /healthz, /readyz and /metrics, for the banner."""
    where = [
        f"{service} :{port}" if port else f"{service} off"
        for service in (*DATA_SERVICES, "gateway")
        for port in [settings.ops_port(service)]
    ]
    return f"/healthz /readyz /metrics on {settings.ops_host}: " + " · ".join(where)


def _answers(nats_url: str, service: str) -> bool:
    async def ping() -> bool:
        try:
            # One quick try: nats-py would otherwise retry a refusing server 60 times.
            connection = await nats.connect(
                nats_url,
                connect_timeout=1,
                allow_reconnect=False,
                max_reconnect_attempts=1,
                reconnect_time_wait=0,
                error_cb=_ignore,
            )
        except Exception:
            return False
        try:
            await connection.request(health_subject(service), b"{}", timeout=1)
        except Exception:
            return False
        finally:
            await connection.close()
        return True

    return asyncio.run(ping())


async def _ignore(_error: Exception) -> None:
    """The check's answer is enough: no traceback per refused try in the log."""


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as reply:
            return bool(reply.status == 200)
    except OSError:
        return False
