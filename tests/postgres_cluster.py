"""A PostgreSQL cluster of a test's own, which it may stop and start: `initdb` in a temporary
folder as the `postgres` user (the server refuses to run as root), on a free port, trust
authentication, its socket in its own folder. The shared server at 127.0.0.1:5432 is never to
be stopped; this one is.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest

from danvan.local_platform import free_port
from tests.servers import in_ci

SERVER_USER = "postgres"


def _binary(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/local/bin")
    if found is None:
        message = f"{name} not found: a test that stops PostgreSQL needs its own cluster"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return found


@dataclass
class PostgresCluster:
    folder: Path  # owned by the server's user: data/, the socket and the log
    port: int

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def log_path(self) -> Path:
        return self.folder / "server.log"

    def _as_server_user(self, *args: str) -> None:
        command = [] if os.getuid() != 0 else ["runuser", "-u", SERVER_USER, "--"]
        done = subprocess.run(
            [*command, *args], capture_output=True, text=True, timeout=60, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
                f"\n{self.log()}"
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def init(self) -> None:
        # No fsync: the cluster lives for one test and a stop is always a clean one.
        self._as_server_user(
            _binary("initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "-N"
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_server_user(
            _binary("pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.log_path),
            "-w",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        """`fast`: sessions are cut off and their open transactions rolled back."""
        self._as_server_user(_binary("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    async def create_database(self, label: str) -> str:
        """A new database on this cluster; its SQLAlchemy URL."""
        name = f"{label}_{uuid.uuid4().hex[:8]}"
        connection = await asyncpg.connect(
            host="127.0.0.1", port=self.port, user="postgres", database="postgres"
        )
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()
        return self.url(name)


@contextmanager
def postgres_cluster() -> Iterator[PostgresCluster]:
    """A started cluster of the caller's own, stopped and removed afterwards, also when the
    caller fails. Its folder is outside pytest's temporary folders, which the server's user
    may not enter."""
    folder = Path(tempfile.mkdtemp(prefix="danvan-pg-"))
    if os.getuid() == 0:
        user = pwd.getpwnam(SERVER_USER)
        os.chown(folder, user.pw_uid, user.pw_gid)
    cluster = PostgresCluster(folder, free_port())
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        if cluster.running():
            with suppress(RuntimeError):
                cluster.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)
