"""A real nats-server with the users and permissions compose's cluster has: a single node whose
configuration includes deploy/nats/permissions.conf as it is, with a random password for each
user in its environment, as compose gives the nodes the passwords of .env."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path

import nats
from nats.aio.client import Client as NatsClient

from danvan.bus import inbox_prefix
from danvan.embedded import EmbeddedNats
from tests.nats_conf import Variable, read_nats_conf
from tests.waiting import eventually

ROOT = Path(__file__).resolve().parent.parent
PERMISSIONS = ROOT / "deploy" / "nats" / "permissions.conf"
VIOLATION = "permissions violation"


def password_variables(permissions: Path = PERMISSIONS) -> dict[str, str]:
    """Each user of the permissions file -> the variable its password is read from."""
    users = read_nats_conf(permissions).get("authorization", "users") or []
    found: dict[str, str] = {}
    for user in users:
        password = user.get("password")
        if not isinstance(password, Variable):
            raise ValueError(f"{PERMISSIONS}: {user.get('user')}'s password is not a $VARIABLE")
        found[str(user["user"])] = password.name
    return found


@dataclass
class SecuredNats:
    server: EmbeddedNats
    passwords: dict[str, str]  # user -> password
    log_file: Path

    @property
    def url(self) -> str:
        return self.server.url

    def violations(self) -> list[str]:
        """The permission violations the server logged."""
        return [line for line in self.log_file.read_text().splitlines() if "Violation" in line]

    def stop(self) -> None:
        self.server.stop()


def start_secured_nats(folder: Path) -> SecuredNats:
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "nats.conf"
    # nats-server reads an include relative to the including file, even from "/…".
    config.write_text(f'include "{os.path.relpath(PERMISSIONS, folder)}"\n')
    variables = password_variables()
    passwords = {user: secrets.token_hex(16) for user in variables}
    log_file = folder / "nats.log"
    server = EmbeddedNats(
        folder / "store",
        config_file=config,
        environment={variables[user]: password for user, password in passwords.items()},
        log_file=log_file,
    ).start()
    return SecuredNats(server, passwords, log_file)


@dataclass
class Connection:
    """A client connected as one user, keeping the errors the server sent it."""

    client: NatsClient
    errors: list[str] = field(default_factory=list)

    def refusals(self, subject: str) -> list[str]:
        """The server's refusals of a publish or a subscription (in a queue group or not)
        at exactly `subject`."""
        return [
            error
            for error in self.errors
            # nats-py reports the server's message in lower case.
            if VIOLATION in error.lower() and f'to "{subject.lower()}"' in error.lower()
        ]

    async def told_refused(self, subject: str) -> None:
        """Until the server's refusal at `subject` has arrived (asynchronously, through the
        error callback)."""

        async def told() -> bool:
            return bool(self.refusals(subject))

        await eventually(told)


async def connect_as(nats_server: SecuredNats, user: str) -> Connection:
    errors: list[str] = []

    async def keep(error: Exception) -> None:
        errors.append(str(error))

    client = await nats.connect(
        nats_server.url,
        user=user,
        password=nats_server.passwords[user],
        inbox_prefix=inbox_prefix(user),
        error_cb=keep,
        allow_reconnect=False,
    )
    return Connection(client, errors)


async def handled(client: NatsClient) -> None:
    """Until the server has handled everything `client` sent so far. One flush is not enough:
    nats-py writes a flush's PING straight to the socket, ahead of the commands still waiting
    in its buffer for its flusher task (which writes them while the first flush waits), so
    only the second PING follows them."""
    await client.flush()
    await client.flush()


async def refused(connection: Connection, subject: str, attempt: Awaitable[object]) -> None:
    """`attempt` (a request: JetStream's API, a fetch) is refused at `subject`. The server says
    so and sends nothing back, so the request is given up once the refusal has arrived,
    rather than waiting for its timeout."""
    task = asyncio.ensure_future(attempt)

    async def told() -> bool:
        return bool(connection.refusals(subject)) or task.done()

    try:
        await eventually(told)
        if task.done() and task.exception() is None:
            raise AssertionError(f"the request at {subject} was not refused")
        assert connection.refusals(subject), connection.errors
    finally:
        task.cancel()
