"""The `danvan` command."""

from __future__ import annotations

import asyncio
import importlib
import logging
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from danvan.config import DATA_SERVICES, Settings, get_settings
from danvan.contracts.rpc import Principal, Role
from danvan.tokens import issue_token

if TYPE_CHECKING:
    from danvan.service import ServiceRuntime

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
def run() -> None:
    """Start the whole platform: nats-server, migrations, the services, the gateway."""
    from danvan.supervisor import Supervisor

    raise typer.Exit(Supervisor(get_settings(), console).run())


@app.command()
def serve(service: ServiceChoice) -> None:
    """Run one service in this process (what `danvan run` and compose start)."""
    settings = get_settings()
    problems = settings.production_problems(service.value)
    if problems:
        for problem in problems:
            console.print(f"[red]{service.value} cannot start in production: {problem}[/]")
        raise typer.Exit(2)
    logging.basicConfig(
        level=settings.log_level,
        format=f"%(asctime)s {service.value} %(levelname)s %(name)s: %(message)s",
    )
    from danvan.service import RESTART_EXIT_CODE
    from danvan.startup import StartupFailed

    runtime: ServiceRuntime | None
    try:
        if service is ServiceChoice.GATEWAY:
            runtime = _serve_gateway(settings)
        else:
            # The kernel imports no service statically: services build on the kernel, not the
            # reverse.
            module = importlib.import_module(f"services.{service.value}.app")
            runtime = module.build(settings)
            asyncio.run(runtime.run_until_signalled())
    except StartupFailed as error:
        logging.getLogger("danvan.startup").error("%s cannot start: %s", service.value, error)
        raise typer.Exit(1) from error
    if runtime is not None and runtime.restart_requested:
        raise typer.Exit(RESTART_EXIT_CODE)


def _serve_gateway(settings: Settings) -> ServiceRuntime | None:
    """The gateway under uvicorn; None when stopped before NATS answered. On SIGTERM uvicorn
    stops accepting, lets the requests in hand finish (for `graceful_timeout` at most), then
    the app's lifespan stops its runtime."""
    import uvicorn

    from danvan.service import nats_until_signalled
    from danvan.startup import StartupFailed
    from services.gateway.app import create_app

    # uvicorn's start cannot be interrupted: wait for NATS first, where a signal can end it.
    if not asyncio.run(nats_until_signalled(settings)):
        return None
    gateway = create_app(settings)
    runtime: ServiceRuntime = gateway.state.runtime
    server = uvicorn.Server(
        uvicorn.Config(
            gateway,
            host=settings.gateway_host,
            port=settings.gateway_port,
            log_level="warning",
            timeout_graceful_shutdown=max(1, round(settings.graceful_timeout)),
        )
    )
    runtime.on_restart(lambda: setattr(server, "should_exit", True))
    with _signals_answered():
        server.run()
    if not server.started and not server.should_exit:
        raise StartupFailed("the gateway's application did not start (see the lines above)")
    return runtime


@contextmanager
def _signals_answered() -> Iterator[None]:
    """uvicorn raises the signal that stopped it again once it has stopped, which would end
    the process by that signal rather than with status 0: here the stop it asked for is done."""
    previous = {
        signum: signal.signal(signum, lambda _signum, _frame: None)
        for signum in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


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


if __name__ == "__main__":
    app()
