"""`python -m benchmarks [--quick] [--events N] [--output FILE]` (`make bench`)."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from benchmarks.machine import machine
from benchmarks.report import print_table, report_console, to_json, write_json
from benchmarks.runner import FULL, QUICK, details, rows, run


def positive(text: str) -> int:
    try:
        value = int(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"at least one event is needed, not {value}")
    return value


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Measure the platform, each figure beside the machine's limit.",
    )
    parser.add_argument("--quick", action="store_true", help="a small run that proves it works")
    parser.add_argument(
        "--events", type=positive, help="events the rebuild replays (1,000,000; quick: 2,000)"
    )
    parser.add_argument(
        "--output", type=Path, default=Path("bench-results.json"), help="where the JSON goes"
    )
    arguments = parser.parse_args()
    plan = QUICK if arguments.quick else FULL
    if arguments.events is not None:
        plan = dataclasses.replace(plan, events=arguments.events)
    where = machine()
    measured = run(plan)
    found = rows(measured)
    write_json(arguments.output, to_json(where, found, details(measured, plan)))
    console = report_console()
    print_table(console, where, found)
    console.print(f"written to {arguments.output}")


if __name__ == "__main__":
    main()
