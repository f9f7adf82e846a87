"""kill -9 in the middle of a burst of writes to the registry and reception, each service a
`danvan serve` process on PostgreSQL: of reporting, and of the nats-server every service talks
through. In the end reporting's figures equal what was written, nothing lost, nothing counted
twice, and every writer was told the truth."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from danvan.config import ServiceName
from danvan.embedded import EmbeddedNats
from tests.reliability.burst import (
    PETITION_CLASSES,
    Burst,
    migrated,
    models_and_petitions,
    platform,
)
from tests.servers import PostgresDatabases

pytestmark = pytest.mark.postgres

SERVICES: tuple[ServiceName, ...] = ("registry", "reception", "reporting")
WRITTEN_TO = ("registry", "reception")


async def test_reporting_killed_mid_burst_counts_every_accepted_write_once(
    tmp_path: Path, fresh_nats: EmbeddedNats, pg: PostgresDatabases
) -> None:
    urls: dict[str, str] = {service: await migrated(pg, service) for service in SERVICES}
    async with platform(tmp_path, fresh_nats.url, urls) as running:
        _, _, reporting = await running.serve(*SERVICES)
        burst = Burst(running.client, models_and_petitions)
        burst.start(writers=6)
        await burst.grows_by(60)
        # Mid-batch, most likely: its transaction committed or not, its acks sent or not.
        reporting.signal(signal.SIGKILL)
        assert await reporting.exited() == -signal.SIGKILL
        await burst.grows_by(60)  # the writers go on while reporting is away
        await running.serve("reporting")
        await burst.grows_by(60)
        await burst.stop()

        counts = await running.check_figures(burst, *WRITTEN_TO)

    # Reporting is no party to a write: none was refused or left unanswered.
    assert not burst.refused, burst.refused
    assert not burst.unknown, burst.unknown
    assert set(counts) == {"model", *(f"petition:{c}" for c in PETITION_CLASSES)}
