"""Services as compose runs them, each `danvan serve <service>` in a process of its own, on a
real nats-server and PostgreSQL: stopped by SIGTERM in the middle of a burst of writes, and two
copies of reporting sharing one durable consumer."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import nats
import pytest
from sqlalchemy import func, select

from danvan.bus import stream_config, stream_name
from danvan.contracts.registry import ModelRegistered
from danvan.embedded import EmbeddedNats
from danvan.outbox import CONTENT_TYPE
from services.registry.store import models_table
from services.reporting.app import CONSUMERS
from tests.processes import (
    ServiceProcess,
    answering,
    health,
    nats_client,
    processes,
    service_environment,
)
from tests.reliability.burst import (
    COMMUNE,
    PROVINCE,
    TODAY,
    UNPUBLISHED,
    Burst,
    caught_up,
    migrated,
    models_registered,
    relayed,
    scalar,
)
from tests.reporting_stack import model_registered
from tests.servers import PostgresDatabases
from tests.stream_reader import read_stream
from tests.waiting import eventually

pytestmark = pytest.mark.postgres

REGISTRY_DURABLE = CONSUMERS["registry"]


async def test_sigterm_during_a_burst_loses_no_event_and_counts_none_twice(
    tmp_path: Path, fresh_nats: EmbeddedNats, pg: PostgresDatabases
) -> None:
    urls = {
        "registry_database_url": await migrated(pg, "registry"),
        "reporting_database_url": await migrated(pg, "reporting"),
    }
    nats_url = fresh_nats.url
    environment = service_environment(tmp_path, nats_url, **urls)
    with processes(tmp_path / "logs", environment) as running:
        async with nats_client(nats_url) as client:

            async def serve(*services: str) -> list[ServiceProcess]:
                started = [running.serve(service) for service in services]
                for service in services:
                    await answering(client, service)
                return started

            async def terminated(*stopping: ServiceProcess) -> None:
                statuses = await asyncio.gather(*(p.terminated() for p in stopping))
                assert statuses == [0] * len(stopping), [p.log() for p in stopping]

            registry, reporting = await serve("registry", "reporting")
            burst = Burst(client)
            burst.start(writers=6)
            await burst.grows_by(40)

            # Both at once, in the middle of the burst: the registry with requests in hand and
            # events in its outbox, reporting with a batch in hand or a fetch under way.
            await terminated(registry, reporting)
            assert await scalar(urls["registry_database_url"], UNPUBLISHED) == 0
            registry, reporting = await serve("registry", "reporting")
            await burst.grows_by(40)
            await burst.stop()

            # Before asking reporting, the last writes' events must be in the stream: read
            # too soon, the figure missed the two the relay had not yet published.
            await relayed(urls["registry_database_url"])
            await caught_up(nats_url, "registry")
            assert await models_registered(client) == len(burst.accepted)
            await terminated(registry, reporting)

    events = await read_stream(nats_url, stream_name("registry"))
    assert len({e.event["id"] for e in events}) == len(events)  # no event stored twice
    assert sorted(e.event["data"]["model_id"] for e in events) == sorted(burst.accepted.values())
    names = await scalar(urls["registry_database_url"], select(func.count(models_table.c.id)))
    assert names == len(burst.accepted)  # a refused write left nothing behind
    assert burst.refused  # the writers did run into the stops
    assert not burst.unknown  # each was told at once, none left waiting for an answer
    assert all("not running" in told for told in burst.refused.values()), set(
        burst.refused.values()
    )


# ---- two copies of reporting --------------------------------------------------------------

HANDLED = re.compile(rf"{REGISTRY_DURABLE} stops after handling (\d+) events")


async def test_two_copies_of_reporting_share_the_stream_and_count_each_event_once(
    tmp_path: Path, fresh_nats: EmbeddedNats, pg: PostgresDatabases
) -> None:
    # The test plays the registry: it declares its stream and publishes its events.
    connection = await nats.connect(fresh_nats.url)
    js = connection.jetstream()
    await js.add_stream(config=stream_config("registry"))
    environment = service_environment(
        tmp_path, fresh_nats.url, reporting_database_url=await migrated(pg, "reporting")
    )
    waves, per_wave = 8, 60
    try:
        with processes(tmp_path / "logs", environment) as running:
            copies = [running.serve("reporting", label=label) for label in ("-a", "-b")]
            for copy in copies:
                await copy.logged("reporting started")
            async with nats_client(fresh_nats.url) as client:
                # Waves, each counted before the next: a copy busy with one wave leaves the
                # next to the other, whose fetch is waiting.
                for wave in range(1, waves + 1):
                    for _ in range(per_wave):
                        item = model_registered(COMMUNE, TODAY)
                        await js.publish(
                            ModelRegistered.subject_for(PROVINCE),
                            item.model_dump_json().encode(),
                            stream=stream_name("registry"),
                            headers={"Nats-Msg-Id": str(item.id), "content-type": CONTENT_TYPE},
                        )

                    async def counted(wave: int = wave) -> bool:
                        return await models_registered(client) >= wave * per_wave

                    await eventually(counted, timeout=60, interval=0.1)
                await caught_up(fresh_nats.url, "registry")
                assert await models_registered(client) == waves * per_wave

                answered_by = {(await health(client, "reporting"))["instance"] for _ in range(40)}
                assert len(answered_by) == 2  # the queue group spreads requests over both

            for copy in copies:
                assert await copy.terminated() == 0
    finally:
        await connection.close()
    handled = [int(HANDLED.findall(copy.log())[-1]) for copy in copies]
    assert all(count > 0 for count in handled), handled  # both copies did some of the work
    assert sum(handled) >= waves * per_wave
