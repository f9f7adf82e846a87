"""`danvan seed`'s answers before it sends anything: no platform, bad arguments."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from rich.console import Console

from danvan.config import Settings
from danvan.seed_command import demo_arguments, run_seed


def seeding(
    tmp_path: Path, *, scale: float = 0.001, years: str = "2019-2026", concurrency: int = 4
) -> tuple[int, str]:
    console = Console(record=True, width=200)
    status = run_seed(
        Settings(home=tmp_path, nats_url=""),
        console,
        scale=scale,
        years=years,
        random_seed=1,
        concurrency=concurrency,
        today=date(2026, 11, 23),
    )
    return status, console.export_text()


def test_with_no_platform_running_it_says_how_to_start_one(tmp_path: Path) -> None:
    status, said = seeding(tmp_path)
    assert status == 2
    assert "no platform is running: start it with `make run`" in said


@pytest.mark.parametrize(
    ("scale", "concurrency", "years", "said"),
    [
        (0.0, 4, "2019-2026", "--scale must be above 0"),
        (0.001, 0, "2019-2026", "--concurrency must be at least 1"),
        (0.001, 4, "2027", "2027 is in the future"),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_sent(
    tmp_path: Path, scale: float, concurrency: int, years: str, said: str
) -> None:
    status, text = seeding(tmp_path, scale=scale, concurrency=concurrency, years=years)
    assert status == 2
    assert said in text


def test_the_demo_seeds_the_last_three_years_only_an_empty_platform() -> None:
    assert demo_arguments(date(2026, 11, 23)) == [
        "seed",
        "--if-empty",
        "--scale",
        "0.0002",
        "--years",
        "2024-2026",
    ]
