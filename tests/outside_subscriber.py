"""An outside subscriber's machine, for the tests of `danvan-contracts` and the example
follower: the wheel built from this checkout and installed into a virtual environment of its own
that holds nothing of the platform, a nats-server where the platform and the subscriber connect
as different users, and the example follower run as a process in that environment."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLLOWER = ROOT / "examples" / "petition_follower" / "follow_petitions.py"

SUBSCRIBER_USER = "subscriber"


def with_user(url: str, user: str, password: str) -> str:
    scheme, _, address = url.partition("://")
    return f"{scheme}://{user}:{password}@{address}"


def _run(args: Sequence[str]) -> None:
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"


def build_contracts_wheel(into: Path, project: Path = ROOT / "contracts") -> Path:
    """`make contracts`, into `into`: the build backend comes from the project's environment.
    `project` may also be an unpacked sdist."""
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(into),
            str(project),
        ]
    )
    (wheel,) = into.glob("danvan_contracts-*.whl")
    return wheel


def build_contracts_sdist(into: Path) -> Path:
    """The sdist, through the build backend's own hook (what a frontend such as `build` calls)."""
    script = "import sys; from hatchling.build import build_sdist; print(build_sdist(sys.argv[1]))"
    done = subprocess.run(
        [sys.executable, "-c", script, str(into)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT / "contracts",
    )
    assert done.returncode == 0, done.stderr
    return into / done.stdout.strip().splitlines()[-1]


def subscriber_environment(folder: Path, *requirements: str) -> Path:
    """A new virtual environment with only `requirements` (and what they depend on, at the
    project's pinned versions); its python."""
    _run([sys.executable, "-m", "venv", "--without-pip", str(folder)])
    python = folder / "bin" / "python"
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--quiet",
            "--constraint",
            str(ROOT / "constraints.txt"),
            *requirements,
        ]
    )
    return python


def run_in(python: Path, script: str, *args: str, cwd: Path) -> str:
    """Run `script` with the subscriber's python, away from this checkout; its output."""
    done = subprocess.run(
        [str(python), "-c", script, *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env=_clean_environment(),
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _clean_environment(**extra: str) -> dict[str, str]:
    """This process's environment less what would let the platform's code leak in."""
    inherited = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    return {**inherited, **extra}


@dataclass
class FollowerRun:
    """The example follower running as its own process."""

    process: asyncio.subprocess.Process

    async def stop(self) -> tuple[list[str], str]:
        """SIGTERM, as an operator stops it; its printed lines and its log."""
        self.process.send_signal(signal.SIGTERM)
        try:
            out, err = await asyncio.wait_for(self.process.communicate(), timeout=15)
        except TimeoutError:
            self.process.kill()
            out, err = await self.process.communicate()
            raise AssertionError(f"the follower did not stop on SIGTERM:\n{err.decode()}") from None
        log = err.decode()
        assert self.process.returncode == 0, log
        return out.decode().splitlines(), log


async def start_follower(
    python: Path, nats_url: str, password: str, workdir: Path, *args: str
) -> FollowerRun:
    """The follower, connecting as compose's `subscriber` user with `password`."""
    process = await asyncio.create_subprocess_exec(
        str(python),
        str(FOLLOWER),
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=workdir,
        env=_clean_environment(
            NATS_URL=nats_url, NATS_USER=SUBSCRIBER_USER, NATS_PASSWORD=password
        ),
    )
    return FollowerRun(process)
