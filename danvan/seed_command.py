"""`danvan seed`: a national data set written through the running platform's own rpc, with
a progress bar per kind of record and a summary of what was written and what was refused."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from datetime import date

from rich.console import Console
from rich.markup import escape
from rich.progress import TaskID
from rich.table import Table

from danvan.clock import SystemClock
from danvan.config import Settings
from danvan.contracts.rpc import ServiceError
from danvan.importing import Ask
from danvan.platform_client import progress_bar, running_nats_url, services
from danvan.seeding.plans import SeedPlan
from danvan.seeding.sending import SEEDER, Tally, send_all
from danvan.seeding.volumes import BadYears, Kind, Years
from danvan.units import load_units

#: Where each kind of record is listed: what `--if-empty` asks to decide the data is empty.
LISTS: dict[Kind, tuple[str, str]] = {
    Kind.MODELS: ("registry", "models"),
    Kind.EXEMPLARS: ("registry", "exemplars"),
    Kind.VISITS: ("reception", "visits"),
    Kind.PETITIONS: ("reception", "petitions"),
    Kind.DIALOGUES: ("reception", "dialogues"),
}
MAX_REASONS_SHOWN = 20
#: The deadline check after a large seed goes through every open petition at once.
DEADLINE_CHECK_TIMEOUT = 300.0

#: `danvan run --demo` (`make run DEMO=1`): national, the last three years (so that the
#: current year compares with the one before, and the legacy units of 2024 appear), at a
#: scale that takes well under a minute here.
DEMO_SCALE = 0.0002
DEMO_YEARS = 3


def demo_arguments(today: date) -> list[str]:
    """The `danvan seed` that `danvan run --demo` starts once the platform is ready."""
    years = f"{today.year - DEMO_YEARS + 1}-{today.year}"
    return ["seed", "--if-empty", "--scale", f"{DEMO_SCALE:g}", "--years", years]


async def held(ask: Ask) -> dict[Kind, int]:
    """How many records of each kind the platform holds now."""
    found = {}
    for kind, (service, resource) in LISTS.items():
        page = await ask(service, resource, "list", SEEDER, {"limit": 1, "unit_code": "VN"})
        found[kind] = int(page["total"])
    return found


async def seed(
    ask: Ask,
    plan: SeedPlan,
    *,
    concurrency: int,
    tally: Tally,
) -> None:
    totals = plan.totals()
    with progress_bar() as progress:
        tasks: dict[Kind, TaskID] = {
            kind: progress.add_task(kind.value, total=totals[kind]) for kind in Kind
        }

        def advance(kind: Kind, records: int) -> None:
            progress.advance(tasks[kind], records)

        await send_all(ask, plan.chains(), concurrency=concurrency, progress=advance, tally=tally)


def summary(tally: Tally, seconds: float) -> Table:
    table = Table("records", "written", "lifecycle steps", "refused", "not sent", title=None)
    for kind, counts in tally.kinds.items():
        table.add_row(
            kind.value,
            f"{counts.created:,}",
            f"{counts.steps:,}",
            f"{counts.refused:,}",
            f"{counts.not_sent:,}",
        )
    rate = tally.requests / seconds if seconds > 0 else 0.0
    table.caption = f"{tally.requests:,} requests accepted in {seconds:.1f} s ({rate:,.0f}/s)"
    return table


def reasons(tally: Tally) -> Table:
    table = Table("records", "request", "refused", "reason")
    for (kind, request, reason), count in tally.reasons.most_common(MAX_REASONS_SHOWN):
        table.add_row(kind.value, request, f"{count:,}", escape(reason))
    return table


def print_outcome(tally: Tally, seconds: float, console: Console) -> None:
    console.print(summary(tally, seconds))
    if tally.reasons:
        console.print("[red]refused requests, by reason:[/red]")
        console.print(reasons(tally))
        if len(tally.reasons) > MAX_REASONS_SHOWN:
            console.print(f"… and {len(tally.reasons) - MAX_REASONS_SHOWN} more reasons")


def describe(found: Mapping[Kind, int]) -> str:
    return ", ".join(f"{count:,} {kind.value}" for kind, count in found.items() if count)


def run_seed(
    settings: Settings,
    console: Console,
    *,
    scale: float,
    years: str,
    random_seed: int,
    concurrency: int,
    if_empty: bool = False,
    today: date | None = None,
) -> int:
    """The command's exit status: 0 when every request was accepted (or, with `if_empty`,
    when the platform already held data), 1 when any was refused, 2 for bad arguments or no
    running platform, 130 when interrupted."""
    today = today or SystemClock().today()
    if scale <= 0:
        console.print(f"[red]--scale must be above 0, not {scale}[/red]")
        return 2
    if concurrency < 1:
        console.print(f"[red]--concurrency must be at least 1, not {concurrency}[/red]")
        return 2
    try:
        span = Years.parse(years, today)
    except BadYears as error:
        console.print(f"[red]{error}[/red]")
        return 2
    nats_url = running_nats_url(settings, console)
    if nats_url is None:
        return 2
    with console.status("loading the administrative units…"):
        tree = load_units(settings.units_folder(), today)
        plan = SeedPlan(tree, scale=scale, years=span, seed=random_seed, today=today)
    tally = Tally()
    started = time.perf_counter()

    async def main() -> bool:
        async with services(settings, nats_url) as ask:
            if if_empty:
                found = await held(ask)
                if any(found.values()):
                    console.print(
                        f"= the platform already holds data ({describe(found)}): not seeding"
                    )
                    return False
            planned = plan.totals()
            console.print(
                f"seeding {span} at scale {scale:g} (seed {random_seed}): "
                + ", ".join(f"{count:,} {kind.value}" for kind, count in planned.items())
            )
            await seed(ask, plan, concurrency=concurrency, tally=tally)
            # Petitions left open past their deadline are marked overdue now, not at the
            # service's next hourly check, so the dashboards show them at once.
            try:
                checked = await ask(
                    "reception", "deadlines", "check", SEEDER, {}, timeout=DEADLINE_CHECK_TIMEOUT
                )
            except ServiceError as error:
                console.print(
                    f"[yellow]the deadline check did not finish ({escape(error.message.en)}): "
                    "reception's own check marks the overdue petitions at its next run[/yellow]"
                )
            else:
                console.print(f"✓ deadline check: {checked['overdue_marked']:,} marked overdue")
            return True

    try:
        seeded = asyncio.run(main())
    except KeyboardInterrupt:
        console.print(
            "[yellow]interrupted: every record written so far is whole (the requests still "
            f"in flight, at most {concurrency}, may have been written unanswered)[/yellow]"
        )
        print_outcome(tally, time.perf_counter() - started, console)
        return 130
    except ServiceError as error:
        console.print(f"[red]✗ {escape(error.message.en)}[/red]")
        print_outcome(tally, time.perf_counter() - started, console)
        return 1
    except ConnectionError as error:
        console.print(f"[red]✗ {escape(str(error))}[/red]")
        return 2
    if not seeded:
        return 0
    print_outcome(tally, time.perf_counter() - started, console)
    return 1 if tally.refused else 0
