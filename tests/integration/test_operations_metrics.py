"""What an operator reads on each service's `/metrics`: requests, rpc, events published and
consumed, consumer lag, the outbox backlog, dead letters. In this process, on a nats-server of
each test's own and SQLite files (the storage tests cover both backends)."""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import nats
from nats.js.api import StreamConfig
from nats.js.errors import BadRequestError

from danvan.bus import stream_name
from danvan.config import Settings
from danvan.contracts.envelope import make_event
from danvan.contracts.registry import ModelField, ModelRegistered
from danvan.contracts.rpc import Role
from danvan.db import transaction
from danvan.embedded import EmbeddedNats
from danvan.migrate import upgrade
from danvan.outbox import enqueue
from danvan.service import ServiceRuntime
from danvan.units import load_units
from services.registry.app import build as build_registry
from services.reporting.app import CONSUMERS
from services.reporting.app import build as build_reporting
from tests.operations import running, scraped, sqlite_files, total
from tests.platform_stack import PlatformStack, platform_stack
from tests.waiting import eventually

REGISTERED = ModelRegistered.subject_for("01").rsplit(".", 1)[0]  # without the province
FROM_REGISTRY = CONSUMERS["registry"]


async def register_model(stack: PlatformStack, name: str = "Bóng đèn an ninh") -> str:
    reply = await stack.client.post(
        "/api/v1/models",
        json={"name": name, "field": "defence_security", "unit_code": "00292"},
        headers=stack.auth("01", Role.OFFICER),
    )
    assert reply.status_code == 201, reply.text
    model_id: str = reply.json()["id"]
    return model_id


def runtime_of(stack: PlatformStack, service: str) -> ServiceRuntime:
    if service == "gateway":
        gateway: ServiceRuntime = stack.app.state.runtime
        return gateway
    return stack.running[service]


class Readings:
    """The same sample read from one service's /metrics before and after."""

    def __init__(self, runtime: ServiceRuntime) -> None:
        self.runtime = runtime
        self.before = ""
        self.after = ""

    async def read_before(self) -> None:
        self.before = await scraped(self.runtime)

    async def read_after(self) -> None:
        self.after = await scraped(self.runtime)

    def grew(self, name: str, **labels: str) -> float:
        return (total(self.after, name, **labels) or 0) - (total(self.before, name, **labels) or 0)


async def test_a_request_shows_in_the_gateway_rpc_and_event_counters_of_every_service_it_reached(
    tmp_path: Path, fresh_nats: EmbeddedNats
) -> None:
    async with platform_stack(tmp_path, fresh_nats.url, sqlite_files(tmp_path)) as stack:
        readings = {
            service: Readings(runtime_of(stack, service))
            for service in ("gateway", "registry", "reporting")
        }
        for reading in readings.values():
            await reading.read_before()

        model_id = await register_model(stack)
        officer = stack.auth("01", Role.OFFICER)
        assert (await stack.client.get(f"/api/v1/models/{model_id}", headers=officer)).is_success
        missing = await stack.client.get(f"/api/v1/models/{uuid.uuid4()}", headers=officer)
        assert missing.status_code == 404
        assert (await stack.client.get("/no/such/path")).status_code == 404
        await stack.settled()

        for reading in readings.values():
            await reading.read_after()
        gateway, registry, reporting = readings.values()

        http = "danvan_http_requests_total"
        assert gateway.grew(http, method="POST", route="/api/v1/models", status="201") == 1
        one = "/api/v1/models/{record_id}"
        assert gateway.grew(http, method="GET", route=one, status="200") == 1
        assert gateway.grew(http, method="GET", route=one, status="404") == 1
        assert gateway.grew(http, method="GET", route="unmatched", status="404") == 1
        assert (
            gateway.grew(
                "danvan_http_request_duration_seconds_count",
                method="POST",
                route="/api/v1/models",
                status="201",
            )
            == 1
        )

        create = "rpc.registry.models.create"
        get = "rpc.registry.models.get"
        for name in ("danvan_rpc_requests_total", "danvan_rpc_duration_seconds_count"):
            assert registry.grew(name, service="registry", subject=create, outcome="ok") == 1
            assert registry.grew(name, service="registry", subject=get, outcome="ok") == 1
            assert registry.grew(name, service="registry", subject=get, outcome="not_found") == 1
        client = "danvan_rpc_client_duration_seconds_count"
        assert gateway.grew(client, service="gateway", subject=create, outcome="ok") == 1
        assert gateway.grew(client, service="gateway", subject=get, outcome="not_found") == 1

        published = registry.grew(
            "danvan_events_published_total",
            service="registry",
            stream="REGISTRY",
            subject=REGISTERED,
        )
        assert published == 1
        all_published = registry.grew("danvan_events_published_total", service="registry")
        consumed = "danvan_events_consumed_total"
        assert reporting.grew(consumed, service="reporting", durable=FROM_REGISTRY) == all_published
        batches = "danvan_batch_duration_seconds_count"
        assert reporting.grew(batches, service="reporting", durable=FROM_REGISTRY) >= 1
        caught_up = {"service": "reporting", "durable": FROM_REGISTRY}
        assert total(reporting.after, "danvan_consumer_pending", **caught_up) == 0
        assert total(reporting.after, "danvan_consumer_ack_pending", **caught_up) == 0


async def test_reporting_behind_its_stream_shows_its_lag_until_it_has_caught_up(
    tmp_path: Path, fresh_nats: EmbeddedNats
) -> None:
    async with platform_stack(tmp_path, fresh_nats.url, sqlite_files(tmp_path)) as stack:
        await register_model(stack)  # reporting's durable consumer exists from here on
        await stack.settled()
        await stack.stop("reporting")

        registry = runtime_of(stack, "registry")
        before = await scraped(registry)
        for n in range(3):
            await register_model(stack, f"Mô hình {n}")

        async def all_published() -> bool:
            return total(await scraped(registry), "danvan_outbox_backlog", service="registry") == 0

        await eventually(all_published)
        published = {"service": "registry", "stream": "REGISTRY"}
        behind = (
            total(await scraped(registry), "danvan_events_published_total", **published) or 0
        ) - (total(before, "danvan_events_published_total", **published) or 0)
        assert behind >= 3

        # Reporting starting up: connected to NATS, not consuming yet.
        reporting = stack.build("reporting")
        await reporting.broker.connect()
        lag = {"service": "reporting", "durable": FROM_REGISTRY, "stream": "REGISTRY"}
        text = await scraped(reporting)
        assert total(text, "danvan_consumer_pending", **lag) == behind
        assert total(text, "danvan_up", service="reporting", dependency="nats") == 1

        await reporting.start()
        stack.running["reporting"] = reporting

        async def caught_up() -> bool:
            text = await scraped(reporting)
            return total(text, "danvan_consumer_pending", **lag) == 0 and (
                total(text, "danvan_consumer_ack_pending", **lag) == 0
            )

        await eventually(caught_up, timeout=20)


def a_registered_model() -> ModelRegistered:
    return ModelRegistered(
        model_id=uuid.uuid4(),
        name="Cổng trường an toàn văn minh",
        field=ModelField.CULTURE_SOCIETY,
        unit_code="00097",
        registered_on=date(2026, 3, 2),
        registered_by="tester",
    )


async def test_the_outbox_backlog_grows_while_nats_is_away_and_drains_once_it_is_back(
    tmp_path: Path, fresh_nats: EmbeddedNats
) -> None:
    settings = Settings(home=tmp_path, nats_url=fresh_nats.url)
    await upgrade("registry", settings.database_url("registry"))
    async with running(build_registry(settings, units=load_units())) as registry:
        before = await scraped(registry)
        assert total(before, "danvan_outbox_backlog", service="registry") == 0
        assert total(before, "danvan_outbox_oldest_age_seconds", service="registry") == 0
        fresh_nats.stop()
        try:

            async def nats_away() -> bool:
                text = await scraped(registry)
                return total(text, "danvan_up", service="registry", dependency="nats") == 0

            await eventually(nats_away)
            # What the registry's handlers do: the change and its events in one transaction.
            async with transaction(registry.db) as session:
                for _ in range(3):
                    payload = a_registered_model()
                    event = make_event(
                        payload,
                        subject=str(payload.model_id),
                        unit_code=payload.unit_code,
                        occurred_on=payload.registered_on,
                        time=datetime(2026, 3, 2, 8, 0, tzinfo=UTC),
                    )
                    await enqueue(
                        session,
                        event,
                        stream=stream_name("registry"),
                        subject=ModelRegistered.subject_for("01"),
                    )
            registry.wake_relay()
            waiting = await scraped(registry)
            assert total(waiting, "danvan_outbox_backlog", service="registry") == 3
            assert (total(waiting, "danvan_outbox_oldest_age_seconds", service="registry") or 0) > 0
            assert total(waiting, "danvan_up", service="registry", dependency="database") == 1
        finally:
            fresh_nats.start()

        async def drained() -> bool:
            text = await scraped(registry)
            return total(text, "danvan_outbox_backlog", service="registry") == 0

        await eventually(drained, timeout=30)
        after = await scraped(registry)
        assert total(after, "danvan_outbox_oldest_age_seconds", service="registry") == 0
        published = "danvan_events_published_total"
        labels = {"service": "registry", "subject": REGISTERED}
        assert (total(after, published, **labels) or 0) - (
            total(before, published, **labels) or 0
        ) == 3


async def test_dead_letters_waiting_for_a_durable_consumer_are_counted_on_its_service(
    tmp_path: Path, fresh_nats: EmbeddedNats
) -> None:
    settings = Settings(home=tmp_path, nats_url=fresh_nats.url)
    await upgrade("reporting", settings.database_url("reporting"))
    async with running(build_reporting(settings, units=load_units())) as reporting:
        dead = "danvan_dead_letters"
        none_yet = await scraped(reporting)  # no DLQ stream at all
        for durable in CONSUMERS.values():
            assert total(none_yet, dead, service="reporting", durable=durable) == 0

        connection = await nats.connect(fresh_nats.url)
        try:
            js = connection.jetstream()
            # The platform may have declared it already: the same stream.
            with contextlib.suppress(BadRequestError):
                await js.add_stream(StreamConfig(name="DLQ", subjects=["dlq.>"]))
            for subject in (
                f"dlq.dead.{FROM_REGISTRY}",
                f"dlq.dead.{FROM_REGISTRY}",
                "dlq.dead.reporting-figures-registry-v0",  # a retired durable of reporting's
                "dlq.dead.registry-someone-else",
            ):
                await js.publish(subject, b"{}")
        finally:
            await connection.close()

        text = await scraped(reporting)
        assert total(text, dead, service="reporting", durable=FROM_REGISTRY) == 2
        assert total(text, dead, service="reporting", durable="reporting-figures-registry-v0") == 1
        assert total(text, dead, durable="registry-someone-else") is None
        for durable in set(CONSUMERS.values()) - {FROM_REGISTRY}:
            assert total(text, dead, service="reporting", durable=durable) == 0
