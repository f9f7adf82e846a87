"""`make bench QUICK=1` end to end: the real platform measured, every section printed, every
figure a positive number beside a positive baseline, and the JSON saying what the table says.
No timing is asserted: speed is what the benchmark reports, not what a test checks."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

from benchmarks.report import SECTIONS, machine_line, shown
from benchmarks.runner import QUICK

ROOT = Path(__file__).resolve().parents[2]
RUN_LIMIT_SECONDS = 300


def test_the_quick_benchmark_prints_every_figure_beside_its_baseline_and_writes_them_as_json(
    tmp_path: Path,
) -> None:
    output = tmp_path / "bench.json"
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--output", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=RUN_LIMIT_SECONDS,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    document = json.loads(output.read_text())
    rows = document["rows"]

    assert {row["section"] for row in rows} == set(SECTIONS)
    for row in rows:
        for key in ("figure", "baseline", "ratio"):
            assert math.isfinite(row[key]), row
            assert row[key] > 0, row
        assert row["baseline_is"], row

    measures = {row["measure"] for row in rows}
    assert f"reporting rebuild, {QUICK.events:,} events" in measures
    for level in QUICK.write_levels:
        assert {f"petitions, {level} in flight", f"p50, {level} in flight"} <= measures
    for view in ("national", "province", "commune"):
        for kind in ("first read", "cached"):
            assert {f"{view} dashboard, {kind}, p{n}" for n in (50, 95, 99)} <= measures
    for process in ("registry", "reception", "reporting", "gateway", "nats-server"):
        assert f"{process}, peak resident" in measures

    # The rebuild and its baseline each read every event the benchmark published.
    rebuild = document["details"]["rebuild"]
    assert rebuild["rebuild_events"] == rebuild["baseline_events"] == QUICK.events

    # The table shows each row as the JSON has it, and the machine it ran on.
    lines = run.stdout.splitlines()
    for row in rows:
        assert any(
            row["measure"] in line
            and shown(row["figure"]) in line
            and shown(row["baseline"]) in line
            for line in lines
        ), f"no line shows {row}"
    assert machine_line(document["machine"]) in " ".join(run.stdout.split())
