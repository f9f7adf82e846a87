"""What the commands run beside a running platform share (`danvan import models`, `danvan
reporting rebuild`): finding its NATS, asking its services, and a progress bar."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from danvan.bus import ServiceClient, make_broker
from danvan.config import Settings
from danvan.importing import Ask


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
    """`ask(service, resource, action, principal, data)` over a broker of the command's own."""
    broker = make_broker(settings, "cli", nats_url=nats_url)
    await broker.start()
    try:
        yield ServiceClient(broker, settings.rpc_timeout).ask
    finally:
        await broker.stop()


def progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()
    )
