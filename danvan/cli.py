"""The `danvan` command."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from danvan.config import DATA_SERVICES, get_settings
from danvan.contracts.rpc import Principal, Role
from danvan.tokens import issue_token

app = typer.Typer(
    help="danvan: the platform for mass-mobilisation work (công tác dân vận).",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()


class ServiceChoice(StrEnum):
    REGISTRY = "registry"
    RECEPTION = "reception"
    REPORTING = "reporting"
    GATEWAY = "gateway"


class DataService(StrEnum):
    REGISTRY = "registry"
    RECEPTION = "reception"
    REPORTING = "reporting"


@app.command()
def run(
    demo: Annotated[
        bool,
        typer.Option(
            "--demo", help="once ready, seed a small demo data set if the platform holds none"
        ),
    ] = False,
) -> None:
    """Start the whole platform: nats-server, migrations, the services, the gateway."""
    from danvan.supervisor import Supervisor

    companion = None
    if demo:
        from danvan.clock import SystemClock
        from danvan.seed_command import demo_arguments

        companion = demo_arguments(SystemClock().today())
    raise typer.Exit(Supervisor(get_settings(), console, companion=companion).run())


@app.command()
def serve(service: ServiceChoice) -> None:
    """Run one service in this process (what `danvan run` and compose start)."""
    settings = get_settings()
    problems = settings.production_problems(service.value)
    if problems:
        for problem in problems:
            console.print(f"[red]{service.value} cannot start in production: {problem}[/]")
        raise typer.Exit(2)
    from danvan.ops import OperationsPortTaken
    from danvan.process import run_service
    from danvan.service import RESTART_EXIT_CODE
    from danvan.startup import StartupFailed

    try:
        runtime = run_service(service.value, settings)
    except OperationsPortTaken as error:
        console.print(f"[red]{service.value} cannot start: {error}[/]")
        raise typer.Exit(2) from error
    except StartupFailed as error:
        logging.getLogger("danvan.startup").error("%s cannot start: %s", service.value, error)
        raise typer.Exit(1) from error
    if runtime.restart_requested:
        raise typer.Exit(RESTART_EXIT_CODE)


@app.command()
def migrate(
    services: Annotated[
        list[DataService] | None, typer.Argument(help="which services (default: all)")
    ] = None,
) -> None:
    """Bring each service's database to the newest schema."""
    from danvan.migrate import upgrade

    settings = get_settings()
    for service in services or [DataService(s) for s in DATA_SERVICES]:
        asyncio.run(upgrade(service.value, settings.database_url(service.value)))
        console.print(f"✓ {service.value} migrated")


@app.command()
def token(
    unit: Annotated[str, typer.Option(help="the unit the principal acts for, e.g. 01 or 00097")],
    role: Annotated[list[Role], typer.Option(help="viewer, officer, leader or admin")],
    sub: Annotated[str, typer.Option(help="the subject (user id)")] = "demo",
    name: Annotated[str, typer.Option(help="the person's name")] = "Người dùng thử",
    hours: Annotated[float, typer.Option(help="how long the token lives")] = 12.0,
) -> None:
    """Print a bearer token for the embedded default (HS256 with the generated secret)."""
    from danvan.clock import SystemClock
    from danvan.units import load_units

    settings = get_settings()
    if settings.jwt_jwks_url:
        console.print(
            "[red]The gateway takes only the identity provider's tokens "
            f"(DANVAN_JWT_JWKS_URL={settings.jwt_jwks_url}): ask it for one[/]"
        )
        raise typer.Exit(2)
    units = load_units(settings.units_folder(), SystemClock().today())
    if unit not in units or units.get(unit).is_legacy:
        console.print(f"[red]{unit} is not a unit in force: a principal's unit is a current one[/]")
        raise typer.Exit(2)
    issued = issue_token(
        settings.signing_secret(),
        unit=unit,
        roles=role,
        sub=sub,
        name=name,
        ttl=timedelta(hours=hours),
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience or None,
    )
    typer.echo(issued)


import_app = typer.Typer(help="Register records in bulk from a spreadsheet.", no_args_is_help=True)
app.add_typer(import_app, name="import")


@import_app.command("models")
def import_models(
    file: Annotated[Path, typer.Argument(help="a .csv or .xlsx file; header in row 1")],
    unit: Annotated[
        str, typer.Option(help="the unit the import acts for: rows must be in its subtree")
    ] = "VN",
    sub: Annotated[str, typer.Option(help="who registers (recorded on every model)")] = "cli",
) -> None:
    """Register every row of FILE as a "Dân vận khéo" model, or none when any row is wrong
    (then each error is listed with its row and column). Talks to the running platform."""
    from danvan.import_command import run_import

    principal = Principal(sub=sub, name=sub, unit=unit, roles=(Role.OFFICER,))
    raise typer.Exit(run_import(get_settings(), file, principal, console))


@app.command()
def seed(
    scale: Annotated[
        float,
        typer.Option(help="1.0 = the national load of one year, for each year (see README)"),
    ] = 0.001,
    years: Annotated[str, typer.Option(help="the years to fill, FROM-TO")] = "2019-2026",
    random_seed: Annotated[int, typer.Option(help="the same seed writes the same data")] = 1,
    concurrency: Annotated[int, typer.Option(help="requests in flight at once")] = 16,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="only when the platform holds no records yet")
    ] = False,
) -> None:
    """Fill the running platform with a realistic national data set (models, exemplars,
    visits, petitions, dialogues, 2019-2026, before and after the 2025 reform) through the
    services' own rpc, with a progress bar; a summary says what was written and refused."""
    from danvan.seed_command import run_seed

    raise typer.Exit(
        run_seed(
            get_settings(),
            console,
            scale=scale,
            years=years,
            random_seed=random_seed,
            concurrency=concurrency,
            if_empty=if_empty,
        )
    )


reporting_app = typer.Typer(help="Operate the reporting service.", no_args_is_help=True)
app.add_typer(reporting_app, name="reporting")


@reporting_app.command("rebuild")
def rebuild(
    sub: Annotated[str, typer.Option(help="who asks (an admin)")] = "cli",
) -> None:
    """Drop the figures and replay every stream from its first event, with a progress bar.
    The running service keeps serving the old figures until the rebuild is done."""
    from danvan.rebuild_command import run_rebuild

    principal = Principal(sub=sub, name=sub, unit="VN", roles=(Role.ADMIN,))
    raise typer.Exit(run_rebuild(get_settings(), principal, console))


units_app = typer.Typer(
    help="Later reorganisations of the administrative units, loaded as data.",
    no_args_is_help=True,
)
app.add_typer(units_app, name="units")


@units_app.command("load")
def units_load(
    file: Annotated[Path, typer.Argument(help="a reorganisation as JSON (see the README)")],
) -> None:
    """Check a reorganisation against the units and keep it; every service takes it up on the
    day it takes effect, and reporting rebuilds its figures in the new boundaries."""
    from danvan.clock import SystemClock
    from danvan.units_command import run_load

    raise typer.Exit(run_load(get_settings(), file, SystemClock(), console))


@units_app.command("list")
def units_list() -> None:
    """The reorganisations loaded, and whether each is in effect."""
    from danvan.clock import SystemClock
    from danvan.units_command import run_list

    raise typer.Exit(run_list(get_settings(), SystemClock(), console))


@units_app.command("withdraw")
def units_withdraw(
    effective_on: Annotated[
        datetime, typer.Argument(formats=["%Y-%m-%d"], help="the day it would take effect")
    ],
) -> None:
    """Take back a loaded reorganisation before it takes effect."""
    from danvan.clock import SystemClock
    from danvan.units_command import run_withdraw

    raise typer.Exit(run_withdraw(get_settings(), effective_on.date(), SystemClock(), console))


@app.command("settings")
def settings_table(
    write: Annotated[
        list[Path] | None,
        typer.Option(help="rewrite the table between the markers of this Markdown file"),
    ] = None,
) -> None:
    """Every configuration variable with its default and meaning, as read from the code."""
    from rich.table import Table

    from danvan.settings_table import MissingMarkers, rows, write_table

    if write:
        for path in write:
            try:
                changed = write_table(path)
            except (OSError, MissingMarkers) as error:
                console.print(f"[red]{path}: {error}[/]")
                raise typer.Exit(2) from error
            console.print(f"{'✓ rewrote' if changed else '= unchanged'} {path}")
        return
    table = Table("Variable", "Default", "Meaning", show_lines=True)
    for variable, default, meaning in rows():
        table.add_row(variable, default or "(empty)", meaning)
    console.print(table)


dlq_app = typer.Typer(
    help="Dead letters: events a consumer could not apply, set aside so it went on.",
    no_args_is_help=True,
)
app.add_typer(dlq_app, name="dlq")

ConsumerOption = Annotated[
    str | None,
    typer.Option("--consumer", help="only this consumer's, e.g. reporting-figures-reception-v1"),
]
SequenceArgument = Annotated[
    int | None, typer.Argument(help="the dead letter's sequence in the DLQ stream", min=1)
]


@dlq_app.command("list")
def dlq_list(
    consumer: ConsumerOption = None,
    start: Annotated[int, typer.Option(help="list from this sequence on", min=1)] = 1,
    limit: Annotated[int, typer.Option(help="how many to list", min=1)] = 50,
) -> None:
    """The dead letters waiting, oldest first, and how many per consumer."""
    from danvan.dlq_command import run_list

    raise typer.Exit(run_list(get_settings(), console, consumer=consumer, start=start, limit=limit))


@dlq_app.command("show")
def dlq_show(
    sequence: Annotated[int, typer.Argument(help="the dead letter's sequence", min=1)],
) -> None:
    """One dead letter: where it came from, the error, its headers and the event."""
    from danvan.dlq_command import run_show

    raise typer.Exit(run_show(get_settings(), console, sequence))


@dlq_app.command("retry")
def dlq_retry(
    sequence: SequenceArgument = None,
    every: Annotated[bool, typer.Option("--all", help="every dead letter")] = False,
    consumer: ConsumerOption = None,
) -> None:
    """Deliver dead letters again to the consumer they failed in, then remove them.

    Retry once the cause is fixed; a consumer that had applied one after all changes nothing."""
    from danvan.dlq_command import run_retry

    raise typer.Exit(
        run_retry(get_settings(), console, sequence=sequence, every=every, consumer=consumer)
    )


@dlq_app.command("drop")
def dlq_drop(
    sequence: SequenceArgument = None,
    every: Annotated[bool, typer.Option("--all", help="every dead letter")] = False,
    consumer: ConsumerOption = None,
    yes: Annotated[bool, typer.Option("--yes", help="do not ask first")] = False,
) -> None:
    """Give dead letters up: their events are never applied. Asks first unless --yes."""
    from danvan.dlq_command import run_drop

    def ask(question: str) -> bool:
        return typer.confirm(question)

    raise typer.Exit(
        run_drop(
            get_settings(),
            console,
            sequence=sequence,
            every=every,
            consumer=consumer,
            confirm=None if yes else ask,
        )
    )


@app.command()
def replay(
    consumer: Annotated[
        str, typer.Option(help="the durable consumer, e.g. reporting-figures-reception-v1")
    ],
    start: Annotated[
        str,
        typer.Option(
            "--from",
            help="a stream sequence, or an ISO time (2026-03-01T08:00; Vietnam's when no offset)",
        ),
    ],
    end: Annotated[
        str | None,
        typer.Option("--to", help="the last sequence or time, included (default: the last event)"),
    ] = None,
) -> None:
    """Deliver a range of a stream again to one consumer only; it applies only the events it
    had not applied (after restoring its database from an older backup, say)."""
    from danvan.clock import SystemClock
    from danvan.replay_command import run_replay

    raise typer.Exit(
        run_replay(
            get_settings(), console, consumer=consumer, start=start, end=end, clock=SystemClock()
        )
    )


if __name__ == "__main__":
    app()
