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
#: The batch a dead process held comes again after this wait: JetStream's redelivery, shorter
#: than the default's 30 s so that the test spends its time on the burst, not on waiting.
ACK_WAIT = {"ack_wait_seconds": 4}


async def test_reporting_killed_mid_burst_counts_every_accepted_write_once(
    tmp_path: Path, fresh_nats: EmbeddedNats, pg: PostgresDatabases
) -> None:
    urls: dict[str, str] = {service: await migrated(pg, service) for service in SERVICES}
    async with platform(tmp_path, fresh_nats.url, urls) as running:
        _, _, reporting = await running.serve(*SERVICES, **ACK_WAIT)
        burst = Burst(running.client, models_and_petitions)
        burst.start(writers=6)
        await burst.grows_by(60)
        # Mid-batch, most likely: its transaction committed or not, its acks sent or not.
        reporting.signal(signal.SIGKILL)
        assert await reporting.exited() == -signal.SIGKILL
        await burst.grows_by(60)  # the writers go on while reporting is away
        await running.serve("reporting", **ACK_WAIT)
        await burst.grows_by(60)
        await burst.stop()

        counts = await running.check_figures(burst, *WRITTEN_TO)

    # Reporting is no party to a write: none was refused or left unanswered.
    assert not burst.refused, burst.refused
    assert not burst.unknown, burst.unknown
    assert set(counts) == {"model", *(f"petition:{c}" for c in PETITION_CLASSES)}


async def test_nats_killed_mid_burst_loses_no_accepted_write_and_counts_none_twice(
    tmp_path: Path, fresh_nats: EmbeddedNats, pg: PostgresDatabases
) -> None:
    urls: dict[str, str] = {service: await migrated(pg, service) for service in SERVICES}
    async with platform(tmp_path, fresh_nats.url, urls) as running:
        await running.serve(*SERVICES, **ACK_WAIT)
        # A short deadline: a request sent into the outage is given up on soon.
        burst = Burst(running.client, models_and_petitions, timeout=3)
        burst.start(writers=6)
        await burst.grows_by(60)
        fresh_nats.kill()  # with requests in flight and events between outbox and stream
        await burst.refusals_grow_by(6)
        fresh_nats.restart()  # the same port and store
        await burst.grows_by(60)
        await burst.stop()

        await running.check_figures(burst, *WRITTEN_TO)

    # What NATS going away does to a write: the request in flight (or sent into the dead
    # connection) gets no answer by its deadline, and whether it was done is the database's to
    # say (check_figures counted those it holds); one sent after the restart, before the
    # service subscribed again, finds no one to take it.
    assert burst.unknown
    assert set(burst.unknown.values()) <= {
        f"{service} did not answer in 3 s" for service in WRITTEN_TO
    }
    assert set(burst.refused.values()) <= {f"{service} is not running" for service in WRITTEN_TO}
