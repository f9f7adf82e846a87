"""Reception's PostgreSQL stops for ten seconds in the middle of a burst of petitions, reception
and reporting running as `danvan serve` processes: writes in the outage are refused and told
so, none is half-written, and when the server is back the figures equal the petitions written.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from danvan.bus import DATABASE_UNAVAILABLE
from danvan.embedded import EmbeddedNats
from danvan.migrate import upgrade
from tests.postgres_cluster import postgres_cluster
from tests.reliability.burst import (
    PETITION_CLASSES,
    Burst,
    migrated,
    petitions_only,
    platform,
)
from tests.servers import PostgresDatabases

pytestmark = pytest.mark.postgres

OUTAGE_SECONDS = 10


async def test_petitions_written_while_receptions_database_is_down_are_refused_and_told_so(
    tmp_path: Path, fresh_nats: EmbeddedNats, pg: PostgresDatabases
) -> None:
    with postgres_cluster() as cluster:
        reception_url = await cluster.create_database("reception")
        await upgrade("reception", reception_url)
        urls = {"reception": reception_url, "reporting": await migrated(pg, "reporting")}
        async with platform(tmp_path, fresh_nats.url, urls) as running:
            await running.serve("reception", "reporting")
            burst = Burst(running.client, petitions_only)
            burst.start(writers=4)
            await burst.grows_by(40)

            await asyncio.to_thread(cluster.stop, "fast")  # cuts off transactions under way
            await burst.refusals_grow_by(8)
            accepted_before = len(burst.accepted)
            await asyncio.sleep(OUTAGE_SECONDS)
            accepted_in_outage = len(burst.accepted) - accepted_before
            await asyncio.to_thread(cluster.start)
            await burst.grows_by(40)
            await burst.stop()

            counts = await running.check_figures(burst, "reception")

    assert set(counts) == {f"petition:{c}" for c in PETITION_CLASSES}
    assert accepted_in_outage == 0  # while the server was down, not one false success
    # Every refusal says the database is away, in the writer's language: no false success,
    # no write left waiting for an answer that never comes.
    assert set(burst.refused.values()) == {DATABASE_UNAVAILABLE.en}
    assert not burst.unknown, burst.unknown
