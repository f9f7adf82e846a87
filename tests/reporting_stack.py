"""The reporting service and the gateway in this process, on a nats-server and a database the
test provides, with a clock the test moves; events published onto the REGISTRY and RECEPTION
streams the way the outbox relay publishes them (`Nats-Msg-Id` = event id, the current
province's code as the subject's last token), and waits on what the dashboard shows.

The test plays the owners of REGISTRY and RECEPTION: it declares their streams (as those
services would) and publishes their events; reporting declares its own REPORTING stream."""

from __future__ import annotations

import random
import uuid
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from unittest import mock

import httpx
import nats
from nats.aio.client import Client as NatsClient
from nats.js.api import PubAck
from nats.js.client import JetStreamContext
from nats.js.errors import NotFoundError

from danvan import pull
from danvan.bus import stream_config, stream_name
from danvan.clock import VIETNAM, FixedClock
from danvan.config import Settings
from danvan.contracts.envelope import CloudEvent, EventPayload, make_event
from danvan.contracts.reception import (
    Conclusion,
    PetitionAccepted,
    PetitionClass,
    PetitionConcluded,
    PetitionerKind,
    PetitionReceived,
    PetitionSource,
    PetitionStatus,
    ReceiverRole,
    ReceptionMode,
    Sector,
    VisitRecorded,
)
from danvan.contracts.registry import ModelField, ModelRegistered
from danvan.contracts.rpc import Role
from danvan.emit import province_token
from danvan.migrate import upgrade
from danvan.outbox import CONTENT_TYPE
from danvan.service import ServiceRuntime
from danvan.units import UnitTree, load_units
from services.gateway.app import create_app
from services.reporting.app import CONSUMERS
from services.reporting.app import build as build_reporting
from tests.bearer import bearer
from tests.languages import ENGLISH
from tests.waiting import eventually

SECRET = "reporting-stack-secret-" + "x" * 32
NOW = datetime(2026, 3, 18, 9, 0, tzinfo=VIETNAM)  # a Wednesday, inside 2026Q1's reporting
# When the producers wrote the events: after every fact's day, so no event comes from the future.
PUBLISHED_AT = datetime(2026, 3, 18, 1, 0, tzinfo=UTC)
# The streams of the producing services the test stands in for.
PRODUCERS = ("registry", "reception")

Event = CloudEvent[EventPayload]
Json = dict[str, Any]


# ---- events, as the registry and reception services would write them ---------------------------


def event(
    payload: EventPayload, unit_code: str, day: date, *, time: datetime = PUBLISHED_AT
) -> Event:
    """The envelope the producing service writes for a fact recorded at `unit_code` on `day`."""
    return make_event(
        payload, subject=str(uuid.uuid4()), unit_code=unit_code, occurred_on=day, time=time
    )


def model_registered(unit_code: str, day: date, field: ModelField = ModelField.ECONOMY) -> Event:
    payload = ModelRegistered(
        model_id=uuid.uuid4(),
        name="Mô hình “Dân vận khéo”",
        field=field,
        unit_code=unit_code,
        registered_on=day,
        registered_by="registry-officer",
    )
    return event(payload, unit_code, day)


def petition_received(unit_code: str, day: date, *, time: datetime = PUBLISHED_AT) -> Event:
    payload = PetitionReceived(
        petition_id=uuid.uuid4(),
        unit_code=unit_code,
        petition_class=PetitionClass.COMPLAINT,
        sector=Sector.LAND,
        status=PetitionStatus.RECEIVED,
        record_version=1,
        on=day,
        by="reception-officer",
        case_id=uuid.uuid4(),
        source=PetitionSource.IN_PERSON,
        petitioner_kind=PetitionerKind.INDIVIDUAL,
        petitioner_unit_code=None,
        remote_area=False,
        first_instance_id=None,
        due_on=None,
    )
    return event(payload, unit_code, day, time=time)


def petition_accepted(unit_code: str, day: date, petition_id: uuid.UUID) -> Event:
    payload = PetitionAccepted(
        petition_id=petition_id,
        unit_code=unit_code,
        petition_class=PetitionClass.COMPLAINT,
        sector=Sector.LAND,
        status=PetitionStatus.ACCEPTED,
        record_version=3,
        on=day,
        by="reception-leader",
        rule_code="complaint_first_resolution",
        due_on=day,
        on_time=True,
    )
    return event(payload, unit_code, day)


def petition_concluded(
    unit_code: str, day: date, petition_id: uuid.UUID, *, on_time: bool, days: int
) -> Event:
    payload = PetitionConcluded(
        petition_id=petition_id,
        unit_code=unit_code,
        petition_class=PetitionClass.COMPLAINT,
        sector=Sector.LAND,
        status=PetitionStatus.CONCLUDED,
        record_version=5,
        on=day,
        by="reception-leader",
        conclusion=Conclusion.PARTLY_UPHELD,
        decision_number="45/QĐ-UBND",
        on_time=on_time,
        days_to_resolve=days,
    )
    return event(payload, unit_code, day)


def crowd_visit(unit_code: str, day: date, case_id: uuid.UUID, *, headcount: int = 12) -> Event:
    """A crowd delegation received at the office (not the head's scheduled day)."""
    payload = VisitRecorded(
        visit_id=uuid.uuid4(),
        case_id=case_id,
        unit_code=unit_code,
        mode=ReceptionMode.REGULAR,
        received_on=day,
        receiver_role=ReceiverRole.OFFICER,
        headcount=headcount,
        crowd=True,
        representatives=2,
        repeat=False,
        matter="Bồi thường giải phóng mặt bằng",
        by="reception-officer",
    )
    return event(payload, unit_code, day)


# ---- the stack --------------------------------------------------------------------------------


@dataclass
class ReportingStack:
    client: httpx.AsyncClient
    nats_url: str
    clock: FixedClock
    service: ServiceRuntime
    settings: Settings
    units: UnitTree
    connection: NatsClient
    js: JetStreamContext

    def auth(self, unit: str, *roles: Role, sub: str | None = None) -> dict[str, str]:
        return bearer(SECRET, unit, *roles, sub=sub)

    # ---- publishing, as the outbox relay does ------------------------------------------------

    async def publish(self, item: Event, *, msg_id: str | None = None) -> PubAck:
        """One event onto its service's stream, `Nats-Msg-Id` the event id unless told
        otherwise (another id is a republish the stream's duplicate window does not catch)."""
        payload_type = type(item.data)
        subject = payload_type.subject_for(province_token(self.units, item.unitcode))
        ack: PubAck = await self.js.publish(
            subject,
            item.model_dump_json().encode(),
            stream=stream_name(payload_type.service),
            headers={"Nats-Msg-Id": msg_id or str(item.id), "content-type": CONTENT_TYPE},
        )
        return ack

    async def publish_all(
        self, items: Sequence[Event], *, twice: bool = False, shuffle: int | None = None
    ) -> None:
        """The events in order; `twice` publishes each a second time under a new
        `Nats-Msg-Id`; `shuffle` (a seed) publishes the whole lot in a random order."""
        sends: list[tuple[Event, str]] = [(item, str(item.id)) for item in items]
        if twice:
            sends += [(item, f"{item.id}-again") for item in items]
        if shuffle is not None:
            random.Random(shuffle).shuffle(sends)
        for item, msg_id in sends:
            await self.publish(item, msg_id=msg_id)

    # ---- reading -----------------------------------------------------------------------------

    async def unit_figures(
        self,
        unit: str,
        period: str,
        *,
        basis: str = "calendar",
        boundaries: str = "current",
        headers: Mapping[str, str] | None = None,
    ) -> Json:
        reply = await self.client.get(
            f"/api/v1/units/{unit}/figures",
            params={"period": period, "basis": basis, "boundaries": boundaries},
            headers=dict(headers) if headers is not None else self.auth("VN", Role.VIEWER),
        )
        assert reply.status_code == 200, reply.text
        view: Json = reply.json()
        return view

    async def figure(
        self,
        unit: str,
        period: str,
        indicator: str,
        *,
        basis: str = "calendar",
        boundaries: str = "current",
    ) -> Json:
        view = await self.unit_figures(unit, period, basis=basis, boundaries=boundaries)
        return figure_of(view, indicator)

    async def amount(
        self,
        unit: str,
        period: str,
        indicator: str,
        *,
        basis: str = "calendar",
        boundaries: str = "current",
    ) -> Any:
        found = await self.figure(unit, period, indicator, basis=basis, boundaries=boundaries)
        return found["amount"]

    async def wait_for(
        self,
        unit: str,
        period: str,
        indicator: str,
        amount: float,
        *,
        basis: str = "calendar",
        boundaries: str = "current",
    ) -> None:
        """Until the dashboard shows `amount` for the indicator."""
        seen: list[Any] = []

        async def shows() -> bool:
            seen.append(
                await self.amount(unit, period, indicator, basis=basis, boundaries=boundaries)
            )
            return bool(seen[-1] == amount)

        try:
            await eventually(shows, timeout=15)
        except AssertionError as error:
            raise AssertionError(
                f"{unit} {period} ({basis}, {boundaries}): {indicator} never showed {amount}; "
                f"last seen {seen[-1:]}"
            ) from error

    async def settled(self) -> None:
        """Until reporting's live consumers have applied and acknowledged everything now in the
        streams: after this a figure that is right stays right (nothing more is coming)."""

        async def all_acknowledged() -> bool:
            for source, durable in CONSUMERS.items():
                stream = stream_name(source)
                try:
                    last = (await self.js.stream_info(stream)).state.last_seq
                    if last == 0:
                        continue
                    info = await self.js.consumer_info(stream, durable)
                except NotFoundError:
                    return False
                if info.num_pending or info.num_ack_pending:
                    return False
                if info.ack_floor is None or (info.ack_floor.stream_seq or 0) < last:
                    return False
            return True

        await eventually(all_acknowledged, timeout=15)

    async def size(self, stream: str) -> int:
        """How many messages the stream holds."""
        return int((await self.js.stream_info(stream)).state.messages)

    async def last_sequences(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for source in CONSUMERS:
            info = await self.js.stream_info(stream_name(source))
            found[stream_name(source)] = int(info.state.last_seq)
        return found


REBUILD = "/api/v1/admin/reporting/rebuild"


async def rebuild_status(stack: ReportingStack) -> dict[str, Any]:
    reply = await stack.client.get(REBUILD, headers=stack.auth("VN", Role.ADMIN))
    assert reply.status_code == 200, reply.text
    status: dict[str, Any] = reply.json()
    return status


async def rebuild_finished(stack: ReportingStack) -> dict[str, Any]:
    """The rebuild's status once none is running."""

    async def not_running() -> bool:
        return (await rebuild_status(stack))["running"] is False

    await eventually(not_running)
    return await rebuild_status(stack)


def figure_of(view: Json, indicator: str, part: str = "figures") -> Json:
    """One indicator's figure in a view (`part`: "figures" or "at_this_level")."""
    found: Json = next(f for f in view[part] if f["indicator"] == indicator)
    return found


def child_amount(view: Json, child: str, indicator: str) -> Any:
    row = next(r for r in view["children"] if r["unit_code"] == child)
    return row["figures"][indicator]["amount"]


def without_freshness(views: Iterable[Json]) -> list[Json]:
    """Views as a person compares them: everything but how far they are current."""
    return [{k: v for k, v in view.items() if k != "current_as_of"} for view in views]


async def declare_producer_streams(js: JetStreamContext) -> None:
    """What the registry and reception services declare when they start."""
    for service in PRODUCERS:
        await js.add_stream(config=stream_config(service))


# How long an idle consumer's fetch waits for events before it looks again (one second in
# service): a stop waits for the fetch in hand, so a short one keeps each test's teardown short.
FETCH_WAIT_SECONDS = 0.1


@asynccontextmanager
async def reporting_stack(
    home: Path, nats_url: str, database_url: str, *, now: datetime = NOW
) -> AsyncIterator[ReportingStack]:
    with mock.patch.object(pull, "FETCH_WAIT_SECONDS", FETCH_WAIT_SECONDS):
        async with _reporting_stack(home, nats_url, database_url, now) as stack:
            yield stack


@asynccontextmanager
async def _reporting_stack(
    home: Path, nats_url: str, database_url: str, now: datetime
) -> AsyncIterator[ReportingStack]:
    settings = Settings(
        home=home,
        jwt_secret=SECRET,
        nats_url=nats_url,
        reporting_database_url=database_url,
        rpc_timeout=30,
    )
    await upgrade("reporting", database_url)
    clock = FixedClock(now)
    units = load_units(settings.units_folder(), clock.today())
    connection = await nats.connect(nats_url)
    try:
        js = connection.jetstream()
        # Declared first, so reporting's consumers find them at once instead of backing off.
        await declare_producer_streams(js)
        reporting = build_reporting(settings, units=units, clock=clock, nats_url=nats_url)
        await reporting.start()
        try:
            app = create_app(settings, units_tree=units, clock=clock)
            async with app.router.lifespan_context(app):
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(
                    transport=transport,
                    base_url="http://gateway",
                    timeout=60,
                    headers=ENGLISH,
                ) as client:
                    yield ReportingStack(
                        client, nats_url, clock, reporting, settings, units, connection, js
                    )
        finally:
            await reporting.stop()
    finally:
        await connection.close()
