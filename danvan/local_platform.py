"""The whole platform as a newcomer runs it (`danvan run`), started in a home of its own on
free ports: for the end-to-end tests and the benchmark (`python -m benchmarks`)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from danvan.config import DATA_SERVICES, running_nats_file
from danvan.contracts.rpc import Role
from danvan.tokens import issue_token

READY_TIMEOUT_SECONDS = 120.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class RunningPlatform:
    home: Path
    base_url: str
    secret: str
    database_urls: dict[str, str]
    process: subprocess.Popen[bytes]
    log_path: Path
    #: Sent with every request of `client()` (the tests ask for English messages).
    client_headers: dict[str, str] = field(default_factory=dict)

    def token(self, unit: str, *roles: Role, sub: str = "tester") -> str:
        return issue_token(self.secret, unit=unit, roles=list(roles) or [Role.OFFICER], sub=sub)

    def client(self, unit: str, *roles: Role) -> httpx.Client:
        return httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {self.token(unit, *roles)}", **self.client_headers},
            timeout=10,
        )

    @property
    def nats_url(self) -> str:
        """The embedded nats-server `danvan run` started (it writes its address in its home)."""
        return running_nats_file(self.home).read_text().strip()

    def children(self) -> dict[str, int]:
        """The pid of each process `danvan run` started, by name: `nats-server`, and each
        service by its name (from the command line `… danvan serve <service>`)."""
        found: dict[str, int] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                # The parent pid is the 4th field after the command's name in parentheses.
                stat = (entry / "stat").read_text()
                command = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:  # the process ended meanwhile
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) != self.process.pid:
                continue
            words = [word.decode(errors="replace") for word in command if word]
            if "serve" in words and words.index("serve") + 1 < len(words):
                found[words[words.index("serve") + 1]] = int(entry.name)
            elif words and Path(words[0]).name.startswith("nats-server"):
                found["nats-server"] = int(entry.name)
        return found

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> int:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        return self.process.returncode


def start_platform(
    home: Path,
    database_urls: Mapping[str, str] | None = None,
    settings: Mapping[str, str] | None = None,
    *,
    client_headers: Mapping[str, str] | None = None,
) -> RunningPlatform:
    """`python -m danvan run` with its own home, port and secret; waits until /readyz."""
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    secret = os.urandom(24).hex()
    env = {
        **os.environ,
        "DANVAN_HOME": str(home),
        "DANVAN_GATEWAY_PORT": str(port),
        "DANVAN_JWT_SECRET": secret,
        "DANVAN_NATS_URL": "",
        # Each service's operations endpoint on a free port, never the fixed defaults.
        **{
            f"DANVAN_{service.upper()}_OPS_PORT": str(free_port())
            for service in (*DATA_SERVICES, "gateway")
        },
        **(settings or {}),
    }
    for service, url in (database_urls or {}).items():
        env[f"DANVAN_{service.upper()}_DATABASE_URL"] = url
    log_path = home / "run.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "danvan", "run"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    platform = RunningPlatform(
        home=home,
        base_url=f"http://127.0.0.1:{port}",
        secret=secret,
        database_urls=dict(database_urls or {}),
        process=process,
        log_path=log_path,
        client_headers=dict(client_headers or {}),
    )
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"danvan run exited with {process.returncode}:\n{platform.log()}")
        try:
            if httpx.get(f"{platform.base_url}/readyz", timeout=1).status_code == 200:
                return platform
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    platform.stop()
    raise RuntimeError(f"danvan run was not ready in {READY_TIMEOUT_SECONDS} s:\n{platform.log()}")
