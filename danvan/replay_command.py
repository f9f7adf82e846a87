"""`danvan replay --consumer NAME --from SEQ|TIME [--to SEQ|TIME]`: deliver a range of a stream
again to one consumer, with a progress bar. The consumer applies only what it had not applied
(after its database was restored from a backup older than the stream, say)."""

from __future__ import annotations

import asyncio

from rich.console import Console
from rich.markup import escape

from danvan.clock import Clock
from danvan.config import Settings
from danvan.platform_client import NatsUnreachable, jetstream, progress_bar, running_nats_url
from danvan.replaying import Bound, Range, ReplayRefused, find_target, parse_bound, replay, resolve


async def _replay(
    settings: Settings,
    nats_url: str,
    console: Console,
    consumer: str,
    bounds: tuple[Bound, Bound | None],
    clock: Clock,
) -> tuple[str, Range, int]:
    async with jetstream(settings, nats_url) as js:
        target = await find_target(js, consumer)
        span = await resolve(js, target, *bounds, clock.now())
        stored = 0
        with progress_bar() as progress:
            task = progress.add_task(f"replaying {target.stream}", total=span.events)
            async for stored in replay(js, target, span):
                progress.update(task, completed=stored)
        return target.stream, span, stored


def run_replay(
    settings: Settings,
    console: Console,
    *,
    consumer: str,
    start: str,
    end: str | None,
    clock: Clock,
) -> int:
    """The command's exit status: 0 when the whole range is stored for the consumer."""
    try:
        bounds = parse_bound(start), parse_bound(end) if end is not None else None
    except ReplayRefused as error:
        console.print(f"[red]✗ {escape(str(error))}[/red]")
        return 2
    nats_url = running_nats_url(settings, console)
    if nats_url is None:
        return 2
    try:
        stream, span, stored = asyncio.run(
            _replay(settings, nats_url, console, consumer, bounds, clock)
        )
    except NatsUnreachable as error:
        console.print(f"[red]✗ {escape(str(error))}[/red]")
        return 2
    except ReplayRefused as error:
        console.print(f"[red]✗ {escape(str(error))}[/red]")
        return 1
    console.print(
        f"✓ {stored} events of {stream} (sequences {span.first} to {span.last}) delivered "
        f"again to {consumer}: it applies those it had not applied"
    )
    if stored < span.events:
        console.print(
            f"[yellow]{span.events - stored} of the range left the stream meanwhile "
            "(its age or size limit)[/yellow]"
        )
    return 0
