"""A service's log lines: JSON objects that lead to the request's trace, or readable text."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from danvan.config import Settings
from danvan.logs import JsonFormatter, text_formatter


@pytest.fixture
def written() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("registry"))
    logger = logging.getLogger("danvan.test-logs")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield logger, stream
    finally:
        logger.removeHandler(handler)


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_line_written_while_serving_a_request_carries_its_trace_and_span_ids(
    written: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = written
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("rpc.registry.models.create") as span:
        logger.info("registered model %s in %s", "Bóng đèn an ninh", "00292")
    (line,) = lines(stream)
    context = span.get_span_context()
    assert line["trace_id"] == trace.format_trace_id(context.trace_id)
    assert line["span_id"] == trace.format_span_id(context.span_id)
    assert line["message"] == "registered model Bóng đèn an ninh in 00292"
    assert line["level"] == "INFO"
    assert line["service"] == "registry"
    assert line["logger"] == "danvan.test-logs"
    assert line["time"].endswith("+00:00")


def test_a_line_outside_any_request_has_no_trace_id_and_a_failure_keeps_its_traceback(
    written: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = written
    try:
        raise ValueError("dòng thứ nhất\ndòng thứ hai")
    except ValueError:
        logger.exception("the relay pass failed", extra={"event_id": "e-1"})
    raw = stream.getvalue()
    assert raw.count("\n") == 1  # the traceback's lines stay inside the one JSON line
    (line,) = lines(stream)
    assert "trace_id" not in line
    assert line["level"] == "ERROR"
    assert "ValueError: dòng thứ nhất\ndòng thứ hai" in line["exception"]
    assert line["event_id"] == "e-1"


def test_logs_are_json_in_production_and_text_in_development_unless_told(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Settings(env="production").log_style() == "json"
    assert Settings().log_style() == "text"
    assert Settings(log_format="json").log_style() == "json"
    assert Settings(env="production", log_format="text").log_style() == "text"
    monkeypatch.setenv("DANVAN_LOG_FORMAT", "")  # as an env file leaves it
    assert Settings(env="production").log_style() == "json"


def test_the_text_line_is_what_danvan_run_shows() -> None:
    record = logging.LogRecord(
        "danvan.service", logging.INFO, "", 0, "registry started", None, None
    )
    line = text_formatter("registry").format(record)
    assert line.endswith(" registry INFO danvan.service: registry started")
