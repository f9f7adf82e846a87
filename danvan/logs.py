"""A service process's log lines: one JSON object per line in production (what a log shipper
reads), one readable line in development.

A JSON line carries the trace and span ids of the span current when it was written, so that
a line found in the logs leads to its request's trace in the trace viewer, and back.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from opentelemetry import trace

from danvan.config import Settings

# The attributes every LogRecord has; any other one was passed in `extra=` and is kept, but
# for uvicorn's copy of its message in terminal colours.
_RECORD_ATTRIBUTES = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "color_message",
}


class JsonFormatter(logging.Formatter):
    """time, level, service, logger, message; trace_id and span_id inside a span; exception
    text; and whatever the caller passed in `extra=`."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": self._service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        # The handler formats in the caller's context, so the current span is the caller's.
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            entry["trace_id"] = trace.format_trace_id(span.trace_id)
            entry["span_id"] = trace.format_span_id(span.span_id)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        for key, value in record.__dict__.items():
            if key not in _RECORD_ATTRIBUTES and not key.startswith("_"):
                entry.setdefault(key, value)
        # Vietnamese stays readable; json escapes newlines, so one record is one line.
        return json.dumps(entry, ensure_ascii=False, default=str)


def text_formatter(service: str) -> logging.Formatter:
    return logging.Formatter(f"%(asctime)s {service} %(levelname)s %(name)s: %(message)s")


def configure_logging(service: str, settings: Settings) -> None:
    """One handler on the root logger, to standard output (where a container's logs are
    read), in the configured format. The handler flushes each line."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        JsonFormatter(service) if settings.log_style() == "json" else text_formatter(service)
    )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    logging.captureWarnings(True)  # a library's warning is a line in the same format too
