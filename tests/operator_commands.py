"""Running `danvan …` as an operator runs it beside the platform, from an async test."""

from __future__ import annotations

import asyncio
from pathlib import Path

from typer.testing import CliRunner, Result

from danvan.cli import app
from danvan.config import get_settings


async def run_danvan(
    nats_url: str | None, home: Path, *args: str, answer: str | None = None
) -> Result:
    """`danvan ARGS` against the NATS at `nats_url` (None: none configured), in a terminal 200
    columns wide, `answer` typed at its questions. In a thread: the command runs its own event
    loop. The CLI caches its settings, so none are cached before or after."""
    env = {"DANVAN_HOME": str(home), "COLUMNS": "200", "DANVAN_NATS_URL": nats_url or ""}

    def invoke() -> Result:
        return CliRunner().invoke(app, list(args), env=env, input=answer)

    get_settings.cache_clear()
    try:
        return await asyncio.to_thread(invoke)
    finally:
        get_settings.cache_clear()


def said(result: Result) -> str:
    """The command's output with its line breaks and padding as single spaces."""
    return " ".join(result.output.split())
