"""What the commands run beside a running platform share (`danvan import models`, `danvan
reporting rebuild`, `danvan dlq`, `danvan replay`): finding its NATS, asking its services,
reaching its streams, and a progress bar."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from nats.js.client import JetStreamContext
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from danvan.bus import ServiceClient, make_broker
from danvan.config import Settings
from danvan.importing import Ask
from danvan.nats_once import connect_once, refused_credentials, servers_of


def running_nats_url(settings: Settings, console: Console) -> str | None:
    """The running platform's NATS; None, having said how to start one, when there is none."""
    nats_url = settings.running_nats_url()
    if nats_url is None:
        console.print(
            "[red]no platform is running: start it with `make run`, or set DANVAN_NATS_URL[/red]"
        )
    return nats_url


@asynccontextmanager
async def services(settings: Settings, nats_url: str) -> AsyncIterator[Ask]:
    """`ask(service, resource, action, principal, data)` over a broker of the command's own;
    `NatsUnreachable` at once when nothing answers at `nats_url`."""
    # The broker would try to connect for ever: a platform that is not there is said so first.
    async with jetstream(settings, nats_url):
        pass
    broker = make_broker(settings, "cli", nats_url=nats_url)
    await broker.start()
    try:
        yield ServiceClient(broker, settings.rpc_timeout).ask
    finally:
        await broker.stop()


CONNECT_TIMEOUT_SECONDS = 5


class NatsUnreachable(ConnectionError):
    def __init__(self, nats_url: str, error: Exception) -> None:
        said = str(error) or type(error).__name__
        if refused_credentials(error):
            said = "it refused the user and password (DANVAN_NATS_USER, DANVAN_NATS_PASSWORD)"
        else:
            said += ": is the platform running?"
        super().__init__(f"cannot reach NATS at {nats_url}: {said}")


@asynccontextmanager
async def jetstream(settings: Settings, nats_url: str) -> AsyncIterator[JetStreamContext]:
    """JetStream over a connection of the command's own, as `nats_user` when one is set;
    `NatsUnreachable` when nothing answers at `nats_url`."""

    async def quiet(_: Exception) -> None:
        """The command says itself what failed; nats-py would also log each attempt."""

    try:
        connection = await connect_once(
            servers_of(nats_url),
            user=settings.nats_user,
            password=settings.nats_password.get_secret_value(),
            name="danvan-cli",
            timeout=CONNECT_TIMEOUT_SECONDS,
            retry_wait=0.5,
            error_cb=quiet,
        )
    except Exception as error:
        raise NatsUnreachable(nats_url, error) from error
    try:
        yield connection.jetstream()
    finally:
        await connection.close()


def progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()
    )
