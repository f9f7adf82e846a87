"""A line a service logs while answering a request leads to that request's trace."""

from __future__ import annotations

import io
import json
import logging
import uuid
from pathlib import Path

import pytest
from opentelemetry import trace

from danvan.bus import call, rpc_subject
from danvan.config import Settings
from danvan.contracts.rpc import ErrorCode, Principal, Role, ServiceError
from danvan.embedded import EmbeddedNats
from danvan.logs import JsonFormatter
from danvan.telemetry import tracer_provider
from danvan.units import load_units
from services.registry.app import build as build_registry
from tests.operations import take_the_place_of


async def test_the_warning_a_service_logs_while_answering_carries_the_callers_trace_id(
    tmp_path: Path, fresh_nats: EmbeddedNats
) -> None:
    where = tmp_path / "registry.db"
    settings = Settings(
        home=tmp_path, nats_url=fresh_nats.url, registry_database_url=f"sqlite+aiosqlite:///{where}"
    )
    registry = build_registry(settings, units=load_units())
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.setFormatter(JsonFormatter("registry"))
    logging.getLogger("danvan.bus").addHandler(handler)
    await registry.start()  # it waits for its database: there must be one at first
    try:
        # Then a directory where the SQLite file was: the handler's query fails and is logged.
        assert registry.engine is not None
        await registry.engine.dispose()
        take_the_place_of(where)
        officer = Principal(sub="o", unit="01", roles=(Role.OFFICER,))
        tracer = tracer_provider().get_tracer("test")
        with (
            tracer.start_as_current_span("a portal's request") as span,
            pytest.raises(ServiceError) as refused,
        ):
            await call(
                registry.broker,
                rpc_subject("registry", "models", "get"),
                officer,
                {"id": str(uuid.uuid4())},
                timeout=5,
            )
        assert refused.value.code is ErrorCode.UNAVAILABLE
    finally:
        logging.getLogger("danvan.bus").removeHandler(handler)
        await registry.stop()

    lines = [json.loads(line) for line in written.getvalue().splitlines()]
    (warning,) = [line for line in lines if "could not reach its database" in line["message"]]
    assert warning["trace_id"] == trace.format_trace_id(span.get_span_context().trace_id)
    assert warning["span_id"] != trace.format_span_id(span.get_span_context().span_id)
    assert warning["level"] == "WARNING"
