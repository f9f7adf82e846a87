"""`danvan dlq list|show|retry|drop`: the events a consumer set aside as dead letters, as an
operator works them beside the running platform."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from rich.console import Console
from rich.json import JSON
from rich.markup import escape
from rich.table import Table

from danvan.clock import VIETNAM
from danvan.config import Settings
from danvan.dead_letter_queue import CannotRetry, DeadLetterQueue, NoSuchDeadLetter
from danvan.dead_letters import DLQ_STREAM, DeadLetter
from danvan.platform_client import NatsUnreachable, jetstream, progress_bar, running_nats_url

ERROR_SHOWN = 60
NOT_STARTED = (
    f"no {DLQ_STREAM} stream yet: no consuming service has started, so there is no dead letter"
)


T = TypeVar("T")
#: The exit status when no platform answers.
NOT_RUNNING = 2


def _on_queue(
    settings: Settings, console: Console, work: Callable[[DeadLetterQueue], Awaitable[T]]
) -> T | None:
    """What `work` finds on the running platform's dead letters; None, having said so, when
    no platform answers."""
    nats_url = running_nats_url(settings, console)
    if nats_url is None:
        return None

    async def connected() -> T:
        async with jetstream(settings, nats_url) as js:
            return await work(DeadLetterQueue(js))

    try:
        return asyncio.run(connected())
    except NatsUnreachable as error:
        console.print(f"[red]✗ {escape(str(error))}[/red]")
        return None


def _status(
    settings: Settings, console: Console, work: Callable[[DeadLetterQueue], Awaitable[int]]
) -> int:
    """The exit status of `work` on the running platform's dead letters."""
    status = _on_queue(settings, console, work)
    return NOT_RUNNING if status is None else status


def _when(moment: datetime | None) -> str:
    return f"{moment.astimezone(VIETNAM):%Y-%m-%d %H:%M:%S}" if moment else ""


def _error(letter: DeadLetter, limit: int | None = None) -> str:
    said = f"{letter.error_type}: {letter.error}" if letter.error_type else letter.error
    if limit is not None and len(said) > limit:
        said = said[: limit - 1] + "…"
    return said


def _short_id(event_id: str | None) -> str:
    return event_id[:8] if event_id else "—"


# ---- list ---------------------------------------------------------------------------------------


def run_list(
    settings: Settings, console: Console, *, consumer: str | None, start: int, limit: int
) -> int:
    async def work(queue: DeadLetterQueue) -> int:
        if not await queue.declared():
            console.print(NOT_STARTED)
            return 0
        counts = await queue.counts(consumer)
        total = sum(counts.values())
        if not total:
            console.print(f"✓ no dead letters{f' of {consumer}' if consumer else ''}")
            return 0
        # One more than shown says whether there is a next page.
        letters = await queue.page(consumer=consumer, start=start, limit=limit + 1)
        shown = letters[:limit]
        console.print(_letters_table(shown))
        by_consumer = ", ".join(f"{name}: {count}" for name, count in counts.items())
        console.print(f"{len(shown)} shown of {total} dead letters ({by_consumer})")
        if len(letters) > limit:
            more = f"--start {letters[limit].sequence}"
            if consumer:
                more += f" --consumer {consumer}"
            console.print(f"more: danvan dlq list {more}")
        return 0

    return _status(settings, console, work)


def _letters_table(letters: list[DeadLetter]) -> Table:
    table = Table("seq", "consumer", "subject", "event", "tries", "error", "failed at")
    for letter in letters:
        table.add_row(
            str(letter.sequence),
            letter.consumer,
            letter.origin.subject if letter.origin else "",
            _short_id(letter.event_id),
            str(letter.deliveries),
            escape(_error(letter, ERROR_SHOWN)),
            _when(letter.failed_at),
        )
    return table


# ---- show ---------------------------------------------------------------------------------------


#: How much of a message `dlq show` prints: a terminal cannot take a megabyte, and rich's
#: wrapping of one long line takes minutes.
SHOWN_BYTES = 4096


def run_show(
    settings: Settings, console: Console, sequence: int, *, save: Path | None = None
) -> int:
    async def work(queue: DeadLetterQueue) -> int:
        try:
            letter = await queue.get(sequence)
        except NoSuchDeadLetter as error:
            console.print(f"[red]✗ {error}[/red]")
            return 1
        _print_letter(console, letter)
        if save is not None:
            try:
                await asyncio.to_thread(save.write_bytes, letter.data)
            except OSError as error:
                console.print(f"[red]✗ cannot write {escape(str(save))}: {error}[/red]")
                return 1
            console.print(f"✓ {len(letter.data):,} bytes written to {escape(str(save))}")
        return 0

    return _status(settings, console, work)


def _print_letter(console: Console, letter: DeadLetter) -> None:
    facts = Table(show_header=False, box=None)
    facts.add_column(style="bold")
    facts.add_column()
    origin = letter.origin
    rows = [
        ("dead letter", f"{letter.sequence} in {DLQ_STREAM}"),
        ("consumer", letter.consumer),
        ("from", f"{origin.stream} sequence {origin.sequence}" if origin else "unknown"),
        ("subject", origin.subject if origin else ""),
        ("event id", letter.event_id or "— (not an event)"),
        ("tries", str(letter.deliveries)),
        ("failed at", _when(letter.failed_at)),
        ("error", _error(letter)),
    ]
    for name, value in rows:
        facts.add_row(name, escape(value))
    console.print(facts)
    console.print("[bold]headers[/bold]")
    for name, value in sorted(letter.headers.items()):
        console.print(f"  {escape(name)}: {escape(value)}")
    console.print("[bold]event[/bold]")
    if len(letter.data) > SHOWN_BYTES:
        start = letter.data[:SHOWN_BYTES].decode(errors="replace")
        console.print(escape(start), soft_wrap=True)
        console.print(
            f"[yellow]… the first {SHOWN_BYTES:,} of {len(letter.data):,} bytes; "
            "--save FILE writes them all[/yellow]"
        )
        return
    try:
        json.loads(letter.data)
    except ValueError:
        console.print(escape(letter.data.decode(errors="replace")) or "(empty)")
    else:
        console.print(JSON(letter.data.decode()))


# ---- retry --------------------------------------------------------------------------------------


def _which(
    console: Console, sequence: int | None, every: bool, consumer: str | None, verb: str
) -> bool:
    """Whether the command names its dead letters one way only: SEQ, or --all."""
    if (sequence is None) == (not every):
        console.print(f"[red]✗ name the dead letter to {verb} (SEQ), or --all[/red]")
        return False
    if consumer and not every:
        console.print("[red]✗ --consumer goes with --all[/red]")
        return False
    return True


def run_retry(
    settings: Settings,
    console: Console,
    *,
    sequence: int | None,
    every: bool,
    consumer: str | None,
) -> int:
    if not _which(console, sequence, every, consumer, "retry"):
        return 2

    async def one(queue: DeadLetterQueue) -> int:
        assert sequence is not None
        try:
            letter = await queue.get(sequence)
        except NoSuchDeadLetter as error:
            console.print(f"[red]✗ {error}[/red]")
            return 1
        if letter.consumer not in await queue.retry_consumers():
            console.print(f"[red]✗ {_no_retries(letter.consumer)}[/red]")
            return 1
        try:
            await queue.retry(letter)
        except CannotRetry as error:
            console.print(f"[red]✗ {escape(str(error))}[/red]")
            return 1
        console.print(
            f"✓ dead letter {sequence} delivered again to {letter.consumer}: it applies the "
            "event unless it had already (then nothing changes)"
        )
        return 0

    async def all_of(queue: DeadLetterQueue) -> int:
        total = sum((await queue.counts(consumer)).values())
        if not total:
            console.print(f"✓ no dead letters to retry{f' of {consumer}' if consumer else ''}")
            return 0
        takers = await queue.retry_consumers()
        # Those that fail again come back as new dead letters: stop where the queue ends now.
        upto = await queue.last_sequence()
        retried, left = 0, []
        with progress_bar() as progress:
            task = progress.add_task("retrying", total=total)
            async for letter in queue.letters(consumer=consumer, upto=upto):
                try:
                    if letter.consumer not in takers:
                        raise CannotRetry(_no_retries(letter.consumer))
                    await queue.retry(letter)
                    retried += 1
                except CannotRetry as error:
                    left.append(f"{letter.sequence}: {error}")
                progress.advance(task)
        console.print(f"✓ {retried} dead letters delivered again")
        for reason in left:
            console.print(f"[yellow]left {escape(reason)}[/yellow]")
        return 1 if left else 0

    return _status(settings, console, all_of if every else one)


def _no_retries(consumer: str) -> str:
    return (
        f"no consumer {consumer} reads its retries: its service has not started with this "
        "version, or the consumer was renamed (then drop the dead letter)"
    )


# ---- drop ---------------------------------------------------------------------------------------


def run_drop(
    settings: Settings,
    console: Console,
    *,
    sequence: int | None,
    every: bool,
    consumer: str | None,
    confirm: Callable[[str], bool] | None,
) -> int:
    """`confirm` asks the operator a question; None means they said yes already (--yes)."""
    if not _which(console, sequence, every, consumer, "drop"):
        return 2

    async def what(queue: DeadLetterQueue) -> tuple[int, str | None]:
        """How many dead letters the command would drop, or why it cannot."""
        if sequence is None:
            return sum((await queue.counts(consumer)).values()), None
        try:
            await queue.get(sequence)
        except NoSuchDeadLetter as error:
            return 0, str(error)
        return 1, None

    looked = _on_queue(settings, console, what)
    if looked is None:
        return NOT_RUNNING
    found, refusal = looked
    if refusal:
        console.print(f"[red]✗ {escape(refusal)}[/red]")
        return 1
    if not found:
        console.print(f"✓ no dead letters to drop{f' of {consumer}' if consumer else ''}")
        return 0
    question = (
        f"Drop dead letter {sequence}? Its event will never be applied"
        if sequence is not None
        else f"Drop {found} dead letters{f' of {consumer}' if consumer else ''}? "
        "Their events will never be applied"
    )
    if confirm is not None and not confirm(question):
        console.print("nothing dropped")
        return 1

    async def drop(queue: DeadLetterQueue) -> int:
        if sequence is not None:
            try:
                await queue.drop(sequence)
            except NoSuchDeadLetter as error:
                console.print(f"[red]✗ {error}[/red]")
                return 1
            console.print(f"✓ dead letter {sequence} dropped")
            return 0
        upto = await queue.last_sequence()
        dropped = 0
        with progress_bar() as progress:
            task = progress.add_task("dropping", total=found)
            async for letter in queue.letters(consumer=consumer, upto=upto):
                await queue.drop(letter.sequence)
                dropped += 1
                progress.advance(task)
        console.print(f"✓ {dropped} dead letters dropped")
        return 0

    return _status(settings, console, drop)
