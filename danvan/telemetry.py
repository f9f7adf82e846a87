"""OpenTelemetry set-up: one tracer provider per process, OTLP export when configured."""

from __future__ import annotations

import os
import socket

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider

_provider: TracerProvider | None = None


def setup_tracing(service: str, *processors: SpanProcessor) -> TracerProvider:
    """Install the process's tracer provider once; later calls add span processors.

    The trace viewer shows spans under `service.name` (`danvan-<service>`), and tells apart two
    copies of one service by `service.instance.id`. A process that runs several services
    (tests do) shares one provider, named after the first service that asked: `danvan serve`
    asks before anything else.
    """
    global _provider
    if _provider is None:
        _provider = TracerProvider(
            resource=Resource.create(
                {
                    "service.name": f"danvan-{service}",
                    "service.namespace": "danvan",
                    "service.instance.id": f"{socket.gethostname()}-{os.getpid()}",
                }
            )
        )
        _add_otlp_exporter(_provider)
        trace.set_tracer_provider(_provider)
    for processor in processors:
        _provider.add_span_processor(processor)
    return _provider


def tracer_provider() -> TracerProvider:
    return _provider if _provider is not None else setup_tracing("danvan")


def _add_otlp_exporter(provider: TracerProvider) -> None:
    if not os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        return
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
