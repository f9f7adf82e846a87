"""One trace follows a request from the gateway's HTTP span through the registry's handler,
the outbox relay's publish and reporting's consumer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from danvan.config import Settings
from danvan.contracts.rpc import Role
from danvan.migrate import upgrade
from danvan.service import ServiceRuntime
from danvan.telemetry import setup_tracing
from danvan.tokens import issue_token
from danvan.units import load_units
from services.gateway.app import create_app
from services.registry.app import build as build_registry
from services.reporting.app import build as build_reporting
from tests.waiting import eventually

SECRET = "trace-test-secret-" + "x" * 32


@pytest.fixture
async def exporter() -> InMemorySpanExporter:
    spans = InMemorySpanExporter()
    setup_tracing("test", SimpleSpanProcessor(spans))
    return spans


@pytest.fixture
async def running(
    tmp_path: Path, nats_url: str, exporter: InMemorySpanExporter
) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(home=tmp_path, jwt_secret=SECRET, nats_url=nats_url)
    for name in ("registry", "reporting"):
        await upgrade(name, settings.database_url(name))
    units = load_units()
    services: list[ServiceRuntime] = [
        build_registry(settings, units=units),
        build_reporting(settings, units=units),
    ]
    for service in services:
        await service.start()
    app = create_app(settings, units_tree=units)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            yield client
    for service in services:
        await service.stop()


def spans_named(spans: tuple[ReadableSpan, ...], fragment: str) -> list[ReadableSpan]:
    return [span for span in spans if fragment in span.name]


async def test_one_trace_runs_from_the_http_request_to_the_reporting_consumer(
    running: httpx.AsyncClient, exporter: InMemorySpanExporter
) -> None:
    token = issue_token(SECRET, unit="01", roles=[Role.OFFICER], sub="tracer")
    reply = await running.post(
        "/api/v1/models",
        json={"name": "Bóng đèn an ninh", "field": "defence_security", "unit_code": "00292"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert reply.status_code == 201, reply.text

    async def consumed() -> bool:
        return any(
            span.kind is SpanKind.CONSUMER and "evt.registry" in span.name
            for span in exporter.get_finished_spans()
        )

    await eventually(consumed)
    await asyncio.sleep(0.1)
    spans = exporter.get_finished_spans()

    (http,) = [s for s in spans if s.kind is SpanKind.SERVER and "/api/v1/models" in s.name]
    trace_id = http.context.trace_id
    handler = [
        s for s in spans_named(spans, "rpc.registry.models.create") if s.kind is SpanKind.CONSUMER
    ]
    publish = [s for s in spans_named(spans, "evt.registry") if s.kind is SpanKind.PRODUCER]
    consume = [s for s in spans_named(spans, "evt.registry") if s.kind is SpanKind.CONSUMER]
    assert handler, [s.name for s in spans]
    assert publish, [s.name for s in spans]
    assert consume, [s.name for s in spans]
    assert {s.context.trace_id for s in handler + publish + consume} == {trace_id}
