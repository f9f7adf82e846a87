"""The client side of a bulk import: header, chunks of rows, commit. The gateway's upload and
`danvan import models` both go through here, so a file behaves the same either way."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from danvan.contracts.registry import (
    IMPORT_CHUNK_ROWS,
    MAX_IMPORT_ROWS,
    ImportResult,
    ImportStarted,
)
from danvan.contracts.rpc import Principal
from danvan.spreadsheets import Table, read_table

# Registering ten thousand rows in one transaction takes seconds, not the usual rpc deadline.
COMMIT_TIMEOUT_SECONDS = 300.0


def read_import_file(file_name: str, content: bytes) -> Table:
    """A spreadsheet to import, refused (SpreadsheetError) above the rows one import takes."""
    return read_table(file_name, content, max_rows=MAX_IMPORT_ROWS)


class Ask(Protocol):
    def __call__(
        self,
        service: str,
        resource: str,
        action: str,
        principal: Principal,
        data: dict[str, Any],
        *,
        timeout: float | None = None,
    ) -> Awaitable[Any]: ...


async def import_models(
    ask: Ask,
    principal: Principal,
    table: Table,
    *,
    file_name: str,
    timeout: float,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Register every row of `table` as a model, or none; raises the 422 listing every bad
    row. `progress` is told how many rows each checked chunk held."""
    started = ImportStarted.model_validate(
        await ask(
            "registry",
            "models",
            "import_begin",
            principal,
            {"columns": table.header, "file_name": file_name},
            timeout=timeout,
        )
    )
    for start in range(0, len(table.rows), IMPORT_CHUNK_ROWS):
        chunk = table.rows[start : start + IMPORT_CHUNK_ROWS]
        await ask(
            "registry",
            "models",
            "import_rows",
            principal,
            {
                "import_id": str(started.import_id),
                "rows": [{"row": row.number, "values": row.values} for row in chunk],
            },
            timeout=timeout,
        )
        if progress is not None:
            progress(len(chunk))
    result = await ask(
        "registry",
        "models",
        "import_commit",
        principal,
        {"import_id": str(started.import_id)},
        timeout=max(timeout, COMMIT_TIMEOUT_SECONDS),
    )
    return ImportResult.model_validate(result)
