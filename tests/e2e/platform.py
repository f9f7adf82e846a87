"""The whole platform as a newcomer runs it (`danvan run`), for end-to-end tests: the kernel's
`danvan.local_platform`, with clients that read the gateway's messages in English."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from danvan.local_platform import READY_TIMEOUT_SECONDS, RunningPlatform, free_port
from danvan.local_platform import start_platform as start_local_platform
from tests.languages import ENGLISH

__all__ = ["READY_TIMEOUT_SECONDS", "RunningPlatform", "free_port", "start_platform"]


def start_platform(
    home: Path,
    database_urls: Mapping[str, str] | None = None,
    settings: Mapping[str, str] | None = None,
) -> RunningPlatform:
    """`python -m danvan run` with its own home, port and secret; waits until /readyz."""
    return start_local_platform(home, database_urls, settings, client_headers=ENGLISH)
