"""Services as compose runs them, each `danvan serve <service>` in a process of its own, on a
real nats-server and PostgreSQL: stopped by SIGTERM in the middle of a burst of writes, and two
copies of reporting sharing one durable consumer."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import nats
import pytest
from faststream.nats import NatsBroker
from sqlalchemy import func, select

from danvan.bus import stream_config, stream_name
from danvan.config import ServiceName
from danvan.contracts.registry import ModelRegistered
from danvan.contracts.rpc import Principal, Role, ServiceError
from danvan.db import create_engine
from danvan.embedded import EmbeddedNats
from danvan.migrate import upgrade
from danvan.outbox import CONTENT_TYPE, outbox_table
from services.registry.store import models_table
from services.reporting.app import CONSUMERS
from tests.processes import (
    ServiceProcess,
    answering,
    ask,
    health,
    nats_client,
    processes,
    service_environment,
)
from tests.reporting_stack import model_registered
from tests.servers import PostgresDatabases
from tests.stream_reader import read_stream
from tests.waiting import eventually

pytestmark = pytest.mark.postgres

OFFICER = Principal(sub="officer", unit="01", roles=(Role.OFFICER,))
COMMUNE, PROVINCE = "00292", "01"  # a ward of Hà Nội
REGISTERED_ON = date(2026, 3, 2)
REGISTRY_DURABLE = CONSUMERS["registry"]


async def migrated(pg: PostgresDatabases, service: ServiceName) -> str:
    url = await pg.create(service)
    await upgrade(service, url)
    return url


async def models_registered(client: NatsBroker) -> int:
    """What reporting counts for the ward this year, asked like the gateway asks."""
    view = await ask(
        client,
        "reporting",
        "figures",
        "get",
        {"unit_code": COMMUNE, "period": str(REGISTERED_ON.year)},
        principal=OFFICER,
    )
    found = next(f for f in view["figures"] if f["indicator"] == "models.registered")
    return int(found["amount"])


async def caught_up(nats_url: str, durable: str) -> None:
    """Until the durable consumer has every event of the stream delivered and acknowledged."""
    connection = await nats.connect(nats_url)
    try:
        js = connection.jetstream()

        async def acknowledged() -> bool:
            info = await js.consumer_info(stream_name("registry"), durable)
            return not info.num_pending and not info.num_ack_pending

        await eventually(acknowledged, timeout=60, interval=0.2)
    finally:
        await connection.close()


async def scalar(url: str, statement: Any) -> Any:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.scalar(statement)
    finally:
        await engine.dispose()


UNPUBLISHED = select(func.count()).where(outbox_table.c.published_at.is_(None))


async def relayed(database_url: str) -> None:
    """Until the registry's outbox relay has published every event its writes committed: a
    write is answered when it commits, and its event reaches the stream a moment later."""

    async def published() -> bool:
        return bool(await scalar(database_url, UNPUBLISHED) == 0)

    await eventually(published, timeout=30, interval=0.1)


# ---- SIGTERM during a burst ---------------------------------------------------------------


@dataclass
class Burst:
    """Writers registering models as fast as the registry answers, each with its own name."""

    client: NatsBroker
    accepted: dict[str, str] = field(default_factory=dict)  # name → the model's id
    refused: dict[str, str] = field(default_factory=dict)  # name → what the writer was told
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _writers: list[asyncio.Task[None]] = field(default_factory=list)

    async def _write(self, writer: int) -> None:
        count = 0
        while not self._stop.is_set():
            name = f"burst-{writer}-{count}"
            count += 1
            body = {
                "name": name,
                "field": "economy",
                "unit_code": COMMUNE,
                "registered_on": REGISTERED_ON.isoformat(),
            }
            try:
                model = await ask(
                    self.client, "registry", "models", "create", body, principal=OFFICER
                )
            except ServiceError as error:
                self.refused[name] = error.message.en
                await asyncio.sleep(0.05)  # the registry is away: do not spin
                continue
            self.accepted[name] = model["id"]

    def start(self, writers: int) -> None:
        self._writers = [asyncio.create_task(self._write(i)) for i in range(writers)]

    async def stop(self) -> None:
        self._stop.set()
        await asyncio.gather(*self._writers)

    async def grows_by(self, count: int) -> None:
        """Until `count` more writes have been accepted."""
        wanted = len(self.accepted) + count

        async def grown() -> bool:
            return len(self.accepted) >= wanted

        await eventually(grown, timeout=60, interval=0.05)


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
            await caught_up(nats_url, REGISTRY_DURABLE)
            assert await models_registered(client) == len(burst.accepted)
            await terminated(registry, reporting)

    events = await read_stream(nats_url, stream_name("registry"))
    assert len({e.event["id"] for e in events}) == len(events)  # no event stored twice
    assert sorted(e.event["data"]["model_id"] for e in events) == sorted(burst.accepted.values())
    names = await scalar(urls["registry_database_url"], select(func.count(models_table.c.id)))
    assert names == len(burst.accepted)  # a refused write left nothing behind
    assert burst.refused  # the writers did run into the stops
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
                        item = model_registered(COMMUNE, REGISTERED_ON)
                        await js.publish(
                            ModelRegistered.subject_for(PROVINCE),
                            item.model_dump_json().encode(),
                            stream=stream_name("registry"),
                            headers={"Nats-Msg-Id": str(item.id), "content-type": CONTENT_TYPE},
                        )

                    async def counted(wave: int = wave) -> bool:
                        return await models_registered(client) >= wave * per_wave

                    await eventually(counted, timeout=60, interval=0.1)
                await caught_up(fresh_nats.url, REGISTRY_DURABLE)
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
