"""`danvan import models FILE`: a spreadsheet registered through the running registry, with a
progress bar, all rows or none, the same path the gateway's upload takes."""

from __future__ import annotations

import asyncio
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable

from danvan.config import Settings
from danvan.contracts.registry import ImportResult
from danvan.contracts.rpc import Language, Principal, ServiceError
from danvan.importing import import_models, read_import_file
from danvan.messages import MessageError, terminal_language
from danvan.platform_client import progress_bar, running_nats_url, services
from danvan.spreadsheets import Table

MAX_ERRORS_SHOWN = 50


def read_file(path: Path, console: Console) -> Table:
    with console.status(f"reading {path.name}…"):
        return read_import_file(path.name, path.read_bytes())


async def send(
    settings: Settings, nats_url: str, who: Principal, table: Table, file_name: str
) -> ImportResult:
    async with services(settings, nats_url) as ask:
        with progress_bar() as progress:
            task = progress.add_task("checking rows", total=len(table.rows))

            def advance(rows: int) -> None:
                progress.advance(task, rows)
                if progress.tasks[0].completed >= len(table.rows):
                    progress.update(task, description="registering")

            return await import_models(
                ask,
                who,
                table,
                file_name=file_name,
                timeout=settings.rpc_timeout,
                progress=advance,
            )


def print_errors(error: ServiceError, console: Console, language: Language) -> None:
    console.print(f"[red]✗ {escape(error.message.in_language(language))}[/red]")
    if not error.details:
        return
    table = RichTable("row", "column", "reason")
    for detail in error.details[:MAX_ERRORS_SHOWN]:
        reason = detail.reason.in_language(language)
        if detail.hint:
            reason += f" ({detail.hint.in_language(language)})"
        table.add_row(str(detail.row or ""), detail.field or "", escape(reason))
    console.print(table)
    if len(error.details) > MAX_ERRORS_SHOWN:
        console.print(f"… and {len(error.details) - MAX_ERRORS_SHOWN} more")


def run_import(settings: Settings, path: Path, principal: Principal, console: Console) -> int:
    """The command's exit status: 0 when every row was registered. Refusals are printed in
    the terminal's language (`LC_ALL`, `LC_MESSAGES`, `LANG`; Vietnamese unless English)."""
    language = terminal_language()
    nats_url = running_nats_url(settings, console)
    if nats_url is None:
        return 2
    try:
        table = read_file(path, console)
        result = asyncio.run(send(settings, nats_url, principal, table, path.name))
    except ServiceError as error:
        print_errors(error, console, language)
        return 1
    except MessageError as error:  # the file cannot be read as a table
        console.print(f"[red]✗ {escape(error.message.in_language(language))}[/red]")
        return 1
    except (OSError, ValueError) as error:
        console.print(f"[red]✗ {escape(str(error))}[/red]")
        return 1
    console.print(f"✓ {result.registered} models registered from {path.name}")
    return 0
