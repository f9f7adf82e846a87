"""`danvan units …`: load, list and withdraw later reorganisations of the administrative units."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rich.console import Console
from rich.table import Table

from danvan.clock import Clock
from danvan.config import Settings
from danvan.units import load_units
from danvan.units.loaded import loaded_files, read, save, withdraw
from danvan.units.reorganisation import Reorganisation, ReorganisationError, plural


def run_load(settings: Settings, file: Path, clock: Clock, console: Console) -> int:
    folder = settings.units_folder()
    try:
        content = file.read_bytes()
    except OSError as error:
        console.print(f"[red]✗ cannot read {file}: {error.strerror}[/red]")
        return 2
    with console.status("checking the reorganisation against the units…"):
        try:
            item, reorganisation = save(folder, load_units(), content)
        except ReorganisationError as error:
            _print_problems(console, file, error)
            return 1
    console.print(f"✓ {reorganisation.name}: {_summary(reorganisation)}")
    console.print(f"  kept as {item.path}")
    if reorganisation.effective_on <= clock.today():
        console.print(
            "  in effect already: running services restart with it within a minute, and "
            "reporting rebuilds its figures in the new boundaries"
        )
    else:
        console.print(
            f"  takes effect on {reorganisation.effective_on:%d/%m/%Y}: services restart with it "
            "that day, and reporting rebuilds its figures in the new boundaries; until then "
            "`danvan units withdraw` takes it back"
        )
    return 0


def run_list(settings: Settings, clock: Clock, console: Console) -> int:
    files = loaded_files(settings.units_folder())
    if not files:
        console.print("no reorganisation loaded: the units are those of 1 July 2025")
        return 0
    table = Table("effective on", "name", "changes", "state")
    today = clock.today()
    for item in files:
        try:
            reorganisation = read(item)
        except ReorganisationError as error:
            table.add_row(str(item.effective_on), item.path.name, str(error), "[red]unreadable[/]")
            continue
        state = "in effect" if item.effective_on <= today else "loaded"
        table.add_row(
            f"{item.effective_on:%d/%m/%Y}", reorganisation.name, _summary(reorganisation), state
        )
    console.print(table)
    return 0


def run_withdraw(settings: Settings, effective_on: date, clock: Clock, console: Console) -> int:
    try:
        item = withdraw(settings.units_folder(), effective_on, clock.today())
    except ReorganisationError as error:
        console.print(f"[red]✗ {error.problems[0]}[/red]")
        return 1
    console.print(f"✓ withdrawn: the reorganisation of {item.effective_on:%d/%m/%Y}")
    return 0


def _summary(reorganisation: Reorganisation) -> str:
    ceasing = {edge.predecessor_id for edge in reorganisation.successions}
    return (
        f"{plural(len(reorganisation.units), 'new unit')}, {len(ceasing)} ceasing, "
        f"{plural(len(reorganisation.successions), 'succession')}"
    )


def _print_problems(console: Console, file: Path, error: ReorganisationError) -> None:
    console.print(f"[red]✗ {file} was not loaded ({plural(len(error.problems), 'problem')}):[/red]")
    for problem in error.problems[:50]:
        console.print(f"  • {problem}", markup=False)
    if len(error.problems) > 50:
        console.print(f"  … and {len(error.problems) - 50} more")
