"""`danvan serve <service>` in a process of its own, as compose runs it: its log in a file,
SIGTERM to stop it, and the platform reached over NATS like any outside caller."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from faststream.nats import NatsBroker

from danvan.bus import call, make_broker, rpc_subject
from danvan.config import Settings
from danvan.contracts.rpc import Principal, Role, ServiceError
from danvan.service import health_subject
from tests.waiting import eventually

ROOT = Path(__file__).parent.parent
#: Long enough for a process on a busy machine to import everything and connect.
START_TIMEOUT = 60.0
STOP_TIMEOUT = 60.0
ADMIN = Principal(sub="tester", unit="VN", roles=(Role.ADMIN,))


def service_environment(home: Path, nats_url: str, **settings: Any) -> dict[str, str]:
    """DANVAN_* variables for a service process; no operations endpoint (no fixed ports)."""
    values: dict[str, Any] = {
        "home": home,
        "nats_url": nats_url,
        "registry_ops_port": 0,
        "reception_ops_port": 0,
        "reporting_ops_port": 0,
        "gateway_ops_port": 0,
        **settings,
    }
    return {f"DANVAN_{name.upper()}": str(value) for name, value in values.items()}


@dataclass
class ServiceProcess:
    service: str
    log_path: Path
    process: subprocess.Popen[bytes]

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    async def logged(self, words: str, *, timeout: float = START_TIMEOUT) -> None:
        """Wait until the process has logged `words`."""

        async def found() -> bool:
            if words in self.log():
                return True
            if self.process.poll() is not None:
                raise AssertionError(
                    f"{self.service} exited with {self.process.returncode} before logging "
                    f"{words!r}:\n{self.log()}"
                )
            return False

        found.__qualname__ = f"{self.service} logged {words!r}"
        await eventually(found, timeout=timeout, interval=0.1)

    def signal(self, signum: int = signal.SIGTERM) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signum)

    async def exited(self) -> int:
        """Its exit status, once it has exited (killed, and a failure, if it never does)."""
        try:
            return await asyncio.to_thread(self.process.wait, STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise AssertionError(f"{self.service} did not exit:\n{self.log()}") from None

    async def terminated(self) -> int:
        """SIGTERM, then its exit status."""
        self.signal()
        return await self.exited()


@dataclass
class Processes:
    """Starts service processes and kills whatever a failing test left running."""

    folder: Path
    environment: dict[str, str]
    started: list[ServiceProcess] = field(default_factory=list)

    def serve(self, service: str, *, label: str = "", **settings: Any) -> ServiceProcess:
        name = f"{service}{label}"
        log_path = self.folder / f"{name}-{len(self.started)}.log"
        extra = {f"DANVAN_{key.upper()}": str(value) for key, value in settings.items()}
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "danvan", "serve", service],
                env={**os.environ, **self.environment, **extra},
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        started = ServiceProcess(name, log_path, process)
        self.started.append(started)
        return started

    def kill_all(self) -> None:
        for started in self.started:
            if started.process.poll() is None:
                started.process.kill()
                started.process.wait()


@contextmanager
def processes(folder: Path, environment: dict[str, str]) -> Iterator[Processes]:
    folder.mkdir(parents=True, exist_ok=True)
    running = Processes(folder, environment)
    try:
        yield running
    finally:
        running.kill_all()


@asynccontextmanager
async def nats_client(nats_url: str) -> AsyncIterator[NatsBroker]:
    """A broker that asks the services over NATS, as the gateway does."""
    broker = make_broker(Settings(), "test", nats_url=nats_url)
    await broker.connect()
    try:
        yield broker
    finally:
        await broker.stop()


async def health(broker: NatsBroker, service: str) -> dict[str, Any]:
    reply: dict[str, Any] = await call(broker, health_subject(service), ADMIN, {}, timeout=2)
    return reply


async def answering(broker: NatsBroker, service: str, *, timeout: float = START_TIMEOUT) -> None:
    """Wait until `service` answers over NATS."""

    async def answers() -> bool:
        try:
            await health(broker, service)
        except ServiceError:
            return False
        return True

    answers.__qualname__ = f"{service} answers"
    await eventually(answers, timeout=timeout, interval=0.2)


async def ask(
    broker: NatsBroker,
    service: str,
    resource: str,
    action: str,
    data: dict[str, Any],
    *,
    principal: Principal = ADMIN,
    timeout: float = 10,
) -> Any:
    return await call(
        broker, rpc_subject(service, resource, action), principal, data, timeout=timeout
    )
