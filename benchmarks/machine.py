"""The machine line: what the figures were measured on."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def git_commit() -> str:
    """The commit measured, marked `+changes` when the worktree differs from it."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{commit}+changes" if dirty else commit


def machine() -> dict[str, str | int]:
    return {
        "cores": os.cpu_count() or 0,
        "cpu": cpu_model(),
        "python": platform.python_version(),
        "database": f"SQLite {sqlite3.sqlite_version}",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
    }
