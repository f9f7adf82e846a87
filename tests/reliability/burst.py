"""What the reliability tests share: a burst of concurrent writers that records what each
writer was told, waits for the platform to settle (the outbox relayed, the durable caught up),
and reporting's figures asked as the gateway asks them.

A writer is told one of three things: accepted (the reply carried the new record), refused (a
reply said no, or no service was there to take the request: nothing was written), or nothing
in time (the caller's deadline passed: the write may or may not have committed, and only the
service's database can say which). The tests hold each to its promise.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nats
from faststream.nats import NatsBroker
from nats.errors import TimeoutError as NatsTimeoutError
from sqlalchemy import func, select

from danvan.bus import stream_name
from danvan.clock import SystemClock
from danvan.config import ServiceName
from danvan.contracts.reception import PetitionReceived
from danvan.contracts.registry import ModelRegistered
from danvan.contracts.rpc import Principal, Role, ServiceError
from danvan.db import create_engine
from danvan.migrate import upgrade
from danvan.outbox import outbox_table
from services.reception.store import petitions_table
from services.registry.store import models_table
from services.reporting.app import CONSUMERS
from tests.processes import (
    Processes,
    ServiceProcess,
    answering,
    ask,
    nats_client,
    processes,
    service_environment,
)
from tests.servers import PostgresDatabases
from tests.stream_reader import read_stream
from tests.waiting import eventually

OFFICER = Principal(sub="officer", unit="01", roles=(Role.OFFICER,))
COMMUNE, PROVINCE = "00292", "01"  # a ward of Hà Nội
#: Petitions are received today (a date in the future is refused), so they count this year.
TODAY = SystemClock().today()
PETITION_CLASSES = ("complaint", "denunciation", "recommendation", "feedback")


async def migrated(pg: PostgresDatabases, service: ServiceName) -> str:
    url = await pg.create(service)
    await upgrade(service, url)
    return url


# ---- the writes ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Write:
    """One request a writer sends: `name` is unique and stored with the record, so the
    service's database can say whether it was written; `kind` is what the figures count it as
    (`model`, or `petition:<class>`)."""

    name: str
    kind: str
    service: str
    resource: str
    body: dict[str, Any]


def model_write(name: str) -> Write:
    body = {
        "name": name,
        "field": "economy",
        "unit_code": COMMUNE,
        "registered_on": TODAY.isoformat(),
    }
    return Write(name, "model", "registry", "models", body)


def petition_write(name: str, petition_class: str) -> Write:
    body = {
        "unit_code": COMMUNE,
        "received_on": TODAY.isoformat(),
        "source": "in_person",
        "petition_class": petition_class,
        "sector": "land",
        "petitioner": {"name": f"Nguyễn Văn {name}"},
        "summary": name,  # the name the database finds it by
    }
    return Write(name, f"petition:{petition_class}", "reception", "petitions", body)


def models_only(writer: int, count: int) -> Write:
    return model_write(f"burst-{writer}-{count}")


def petitions_only(writer: int, count: int) -> Write:
    return petition_write(f"burst-{writer}-{count}", PETITION_CLASSES[count % 4])


def models_and_petitions(writer: int, count: int) -> Write:
    """Even writers register models, odd ones receive petitions of each class in turn."""
    if writer % 2 == 0:
        return models_only(writer, count)
    return petitions_only(writer, count)


# ---- the burst ----------------------------------------------------------------------------


def unanswered(error: ServiceError) -> bool:
    """The caller's deadline passed with no reply: it cannot know whether the write was done."""
    return isinstance(error.__cause__, TimeoutError | NatsTimeoutError)


@dataclass
class Burst:
    """Writers sending `make(writer, count)` as fast as the services answer."""

    client: NatsBroker
    make: Callable[[int, int], Write] = models_only
    timeout: float = 10
    writes: dict[str, Write] = field(default_factory=dict)
    accepted: dict[str, str] = field(default_factory=dict)  # name → the record's id
    refused: dict[str, str] = field(default_factory=dict)  # name → what the writer was told
    unknown: dict[str, str] = field(default_factory=dict)  # name → what the writer was told
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _writers: list[asyncio.Task[None]] = field(default_factory=list)

    async def _write(self, writer: int) -> None:
        count = 0
        while not self._stop.is_set():
            write = self.make(writer, count)
            count += 1
            self.writes[write.name] = write
            try:
                record = await ask(
                    self.client,
                    write.service,
                    write.resource,
                    "create",
                    write.body,
                    principal=OFFICER,
                    timeout=self.timeout,
                )
            except ServiceError as error:
                told = self.unknown if unanswered(error) else self.refused
                told[write.name] = error.message.en
                await asyncio.sleep(0.05)  # the service is away: do not spin
                continue
            self.accepted[write.name] = record["id"]

    def start(self, writers: int) -> None:
        self._writers = [asyncio.create_task(self._write(i)) for i in range(writers)]

    async def stop(self) -> None:
        self._stop.set()
        await asyncio.gather(*self._writers)

    async def grows_by(self, count: int, *, timeout: float = 60) -> None:
        """Until `count` more writes have been accepted."""
        wanted = len(self.accepted) + count

        async def grown() -> bool:
            return len(self.accepted) >= wanted

        grown.__qualname__ = f"{wanted} writes accepted"
        await eventually(grown, timeout=timeout, interval=0.05)

    async def refusals_grow_by(self, count: int, *, timeout: float = 60) -> None:
        """Until `count` more writes have been refused or left unanswered."""
        wanted = len(self.refused) + len(self.unknown) + count

        async def refused() -> bool:
            return len(self.refused) + len(self.unknown) >= wanted

        refused.__qualname__ = f"{wanted} writes refused"
        await eventually(refused, timeout=timeout, interval=0.05)

    def done(self, written: set[str]) -> Counter[str]:
        """What the figures must count, by kind: the accepted writes, and those left unanswered
        that the service's database says were written (`written`, the names it holds)."""
        landed = [*self.accepted, *(name for name in self.unknown if name in written)]
        return Counter(self.writes[name].kind for name in landed)

    def check_told_truly(self, written: set[str], service: str) -> None:
        """Every accepted write of `service` is in its database and no refused one is: a
        refusal changed nothing, an acceptance was not a false success."""
        mine = {name for name, write in self.writes.items() if write.service == service}
        accepted, refused = mine & set(self.accepted), mine & set(self.refused)
        assert accepted <= written, sorted(accepted - written)
        assert not refused & written, sorted(refused & written)
        # Nothing written that no writer sent (a write done twice would show as two rows).
        assert written <= mine, sorted(written - mine)


# ---- waiting for the platform to settle ---------------------------------------------------


async def scalar(url: str, statement: Any) -> Any:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.scalar(statement)
    finally:
        await engine.dispose()


async def column(url: str, statement: Any) -> list[Any]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return list((await connection.execute(statement)).scalars())
    finally:
        await engine.dispose()


UNPUBLISHED = select(func.count()).where(outbox_table.c.published_at.is_(None))


async def relayed(database_url: str, *, timeout: float = 30) -> None:
    """Until a service's outbox relay has published every event its writes committed: a
    write is answered when it commits, and its event reaches the stream a moment later."""

    async def published() -> bool:
        return bool(await scalar(database_url, UNPUBLISHED) == 0)

    published.__qualname__ = "the outbox relayed every event"
    await eventually(published, timeout=timeout, interval=0.1)


async def caught_up(nats_url: str, source: str, *, timeout: float = 60) -> None:
    """Until reporting's durable consumer of `source`'s stream has every event of it
    delivered and acknowledged."""
    connection = await nats.connect(nats_url)
    try:
        js = connection.jetstream()

        async def acknowledged() -> bool:
            info = await js.consumer_info(stream_name(source), CONSUMERS[source])
            return not info.num_pending and not info.num_ack_pending

        acknowledged.__qualname__ = f"reporting caught up with {source}"
        await eventually(acknowledged, timeout=timeout, interval=0.2)
    finally:
        await connection.close()


# ---- what the services hold --------------------------------------------------------------

#: Each service a burst writes to: the column its database keeps a write's name in, and the
#: event (type, and the field naming the record) its stream carries for it.
WRITTEN = {
    "registry": (models_table.c.name, ModelRegistered.event_type(), "model_id"),
    "reception": (petitions_table.c.summary, PetitionReceived.event_type(), "petition_id"),
}


async def written(database_url: str, service: str) -> dict[str, str]:
    """The names of the records the service's database holds, with their ids."""
    name = WRITTEN[service][0]
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(select(name, name.table.c.id))
            found: dict[str, str] = {}
            for key, record_id in rows.all():
                assert key not in found, f"{key} written twice"
                found[key] = str(record_id)
            return found
    finally:
        await engine.dispose()


async def check_stream_holds_each_once(
    nats_url: str, service: str, records: dict[str, str]
) -> None:
    """The service's stream holds one event for each record its database holds, and no event
    twice. What others put on its subjects (a test's malformed messages) is left aside."""
    _, event_type, field_name = WRITTEN[service]
    events = [
        e
        for e in await read_stream(nats_url, stream_name(service))
        if e.event.get("source") == f"danvan/{service}"
    ]
    ids = [e.event["id"] for e in events]
    assert len(set(ids)) == len(ids), "an event stored twice"
    told = sorted(e.event["data"][field_name] for e in events if e.event["type"] == event_type)
    assert told == sorted(records.values())


# ---- reporting's figures ------------------------------------------------------------------


async def figures(client: NatsBroker, period: str = str(TODAY.year)) -> dict[str, Any]:
    """Reporting's figures for the ward, asked like the gateway asks: indicator → figure."""
    view = await ask(
        client,
        "reporting",
        "figures",
        "get",
        {"unit_code": COMMUNE, "period": period},
        principal=OFFICER,
    )
    return {found["indicator"]: found for found in view["figures"]}


async def models_registered(client: NatsBroker) -> int:
    return int((await figures(client))["models.registered"]["amount"])


def counted(view: dict[str, Any]) -> Counter[str]:
    """The figures a burst's writes move, by kind as `Burst.done` names them: models registered,
    and petitions received by class."""
    found: Counter[str] = Counter()
    models = view.get("models.registered")
    if models and models["amount"]:
        found["model"] = int(models["amount"])
    petitions = view.get("petitions.received")
    for part in petitions["breakdown"] if petitions else []:
        if part["dimension"] == "class" and part["amount"]:
            found[f"petition:{part['value']}"] = int(part["amount"])
    return found


# ---- the platform as processes ------------------------------------------------------------


@dataclass
class Platform:
    """Services as `danvan serve` processes on one nats-server, each on its own database, and
    a client that asks them over NATS as the gateway does."""

    nats_url: str
    urls: Mapping[str, str]  # service → its database
    running: Processes
    client: NatsBroker

    async def serve(self, *services: str, **settings: Any) -> list[ServiceProcess]:
        started = [self.running.serve(service, **settings) for service in services]
        for service in services:
            await answering(self.client, service)
        return started

    async def check_figures(self, burst: Burst, *services: str) -> Counter[str]:
        """Once the outboxes are relayed and reporting caught up: each service holds exactly
        what its writers were told, its stream each of its events once, and reporting's figures
        equal what was written. Returns those figures."""
        for service in services:
            await relayed(self.urls[service])
        names: set[str] = set()
        for service in services:
            await caught_up(self.nats_url, service)
            records = await written(self.urls[service], service)
            burst.check_told_truly(set(records), service)
            await check_stream_holds_each_once(self.nats_url, service, records)
            names |= set(records)
        expected = burst.done(names)
        assert counted(await figures(self.client)) == expected
        return expected


@asynccontextmanager
async def platform(home: Path, nats_url: str, urls: Mapping[str, str]) -> AsyncIterator[Platform]:
    """`urls`: each service to run and its (migrated) database; nothing is started yet."""
    settings = {f"{service}_database_url": url for service, url in urls.items()}
    environment = service_environment(home, nats_url, **settings)
    with processes(home / "logs", environment) as running:
        async with nats_client(nats_url) as client:
            yield Platform(nats_url, urls, running, client)
