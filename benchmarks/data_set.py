"""The views' data set besides the rebuild's events: `danvan seed` run as a command against the
running platform, so that the registry's and reception's own parts of a dashboard (models by
status, petitions nearly due) read real records, not empty tables."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import date

from danvan.local_platform import RunningPlatform

#: Longer than the full plan's seed takes on a busy 2-core machine.
SEED_LIMIT_SECONDS = 3600


@dataclass(frozen=True)
class SeedPlan:
    scale: float
    #: this year and so many before it (1: the views compare this year with the last)
    years_back: int

    def arguments(self, today: date) -> list[str]:
        years = f"{today.year - self.years_back}-{today.year}"
        return ["seed", "--scale", f"{self.scale:g}", "--years", years]


def seed(platform: RunningPlatform, plan: SeedPlan, today: date) -> None:
    """`danvan seed` against the platform (found through its home, as a newcomer's command
    finds `make run`'s); its progress bars go to the benchmark's error stream."""
    env = {**os.environ, "DANVAN_HOME": str(platform.home), "DANVAN_NATS_URL": ""}
    done = subprocess.run(
        [sys.executable, "-m", "danvan", *plan.arguments(today)],
        env=env,
        stdout=sys.stderr,
        stderr=subprocess.STDOUT,
        timeout=SEED_LIMIT_SECONDS,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"danvan {' '.join(plan.arguments(today))} exited with {done.returncode}"
        )
