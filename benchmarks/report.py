"""The results as one list of rows, printed as a table and written as JSON from the same rows,
so the two always agree."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

SECTIONS = ("rebuild", "writes", "views", "freshness", "memory")


@dataclass(frozen=True)
class Row:
    section: str
    measure: str
    figure: float
    unit: str
    baseline: float
    #: what the baseline is: the machine's limit measured in the same run
    baseline_is: str
    #: the issue's aim for this figure, when it sets one
    aim: str = ""

    @property
    def ratio(self) -> float:
        return self.figure / self.baseline


def shown(value: float) -> str:
    """A figure as the table prints it (and as the test finds it there)."""
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def to_json(machine: dict[str, Any], rows: list[Row], details: dict[str, Any]) -> dict[str, Any]:
    return {
        "machine": machine,
        "rows": [{**asdict(row), "ratio": row.ratio} for row in rows],
        "details": details,
    }


def write_json(path: Path, document: dict[str, Any]) -> None:
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def machine_line(machine: dict[str, Any]) -> str:
    return (
        f"{machine['cores']} cores · {machine['cpu']} · Python {machine['python']} · "
        f"{machine['database']} · {machine['date']} · commit {machine['commit']}"
    )


#: Wide enough for every row on one line, also when the output is not a terminal.
MINIMUM_WIDTH = 110


def print_table(console: Console, machine: dict[str, Any], rows: list[Row]) -> None:
    """One table per section, titled with what its baseline is; the machine line last."""
    for section in SECTIONS:
        found = [row for row in rows if row.section == section]
        if not found:
            continue
        baselines = list(dict.fromkeys(row.baseline_is for row in found))
        table = Table(title=f"{section}: baseline = {'; '.join(baselines)}", title_justify="left")
        table.add_column("measure")
        table.add_column("figure", justify="right")
        table.add_column("unit")
        table.add_column("baseline", justify="right")
        table.add_column("ratio", justify="right")
        table.add_column("aim")
        for row in found:
            table.add_row(
                row.measure,
                shown(row.figure),
                row.unit,
                shown(row.baseline),
                f"{row.ratio:.2f}×",
                row.aim,
            )
        console.print(table)
    console.print(machine_line(machine))


def report_console() -> Console:
    return Console(width=max(Console().width, MINIMUM_WIDTH))
