"""`danvan reporting rebuild`: ask the running reporting service to rebuild its figures from
the streams and follow it with a progress bar. The views keep the old figures until it ends."""

from __future__ import annotations

import asyncio

from rich.console import Console
from rich.markup import escape

from danvan.config import Settings
from danvan.contracts.reporting import RebuildStatus
from danvan.contracts.rpc import Principal, ServiceError
from danvan.messages import terminal_language
from danvan.platform_client import NatsUnreachable, progress_bar, running_nats_url, services

POLL_SECONDS = 0.5


async def follow(settings: Settings, nats_url: str, who: Principal) -> RebuildStatus:
    async with services(settings, nats_url) as ask:
        status = RebuildStatus.model_validate(await ask("reporting", "rebuild", "start", who, {}))
        building = status.building
        with progress_bar() as progress:
            task = progress.add_task(f"rebuilding (build {building})", total=status.total or None)
            while status.running and status.building == building:
                await asyncio.sleep(POLL_SECONDS)
                status = RebuildStatus.model_validate(
                    await ask("reporting", "rebuild", "status", who, {})
                )
                progress.update(task, completed=status.applied, total=status.total or None)
        return status


def run_rebuild(settings: Settings, principal: Principal, console: Console) -> int:
    """The command's exit status: 0 when the new build is the one the views read."""
    nats_url = running_nats_url(settings, console)
    if nats_url is None:
        return 2
    try:
        status = asyncio.run(follow(settings, nats_url, principal))
    except NatsUnreachable as error:
        console.print(f"[red]✗ {escape(str(error))}[/red]")
        return 2
    except ServiceError as error:
        said = error.message.in_language(terminal_language())
        console.print(f"[red]✗ {escape(said)}[/red]")
        return 1
    if status.error:
        console.print(f"[red]✗ the rebuild failed: {status.error}[/red]")
        return 1
    console.print(f"✓ rebuilt from {status.total} events; the views read build {status.build}")
    return 0
