"""The process's Prometheus metrics: one registry, every metric named `danvan_*` and labelled by
the service that counts it (a test process runs several services at once).

What is counted on the hot path lives here as counters and histograms; what is read from the
database or JetStream when Prometheus scrapes lives in `danvan.scrape`.
"""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    disable_created_metrics,
)

# A `_created` series beside every counter and histogram doubles what is scraped for nothing
# Prometheus uses. (prometheus_client leaves this function without annotations.)
disable_created_metrics()  # type: ignore[no-untyped-call]

registry = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=registry)
PlatformCollector(registry=registry)
GCCollector(registry=registry)

# A batch of up to 500 events in one transaction takes far longer than one rpc.
_BATCH_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

http_requests = Counter(
    "danvan_http_requests",
    "HTTP requests answered, by method, route template and status",
    ["service", "method", "route", "status"],
    registry=registry,
)
http_duration = Histogram(
    "danvan_http_request_duration_seconds",
    "Time to answer an HTTP request, by method, route template and status",
    ["service", "method", "route", "status"],
    registry=registry,
)
rpc_requests = Counter(
    "danvan_rpc_requests",
    "Requests this service answered over NATS, by subject and outcome (ok or the error code)",
    ["service", "subject", "outcome"],
    registry=registry,
)
rpc_duration = Histogram(
    "danvan_rpc_duration_seconds",
    "Time this service took to answer a request, by subject and outcome",
    ["service", "subject", "outcome"],
    registry=registry,
)
rpc_client_duration = Histogram(
    "danvan_rpc_client_duration_seconds",
    "Time from sending a request to its reply (or giving up), as the caller saw it, by subject "
    "and outcome",
    ["service", "subject", "outcome"],
    registry=registry,
)
events_published = Counter(
    "danvan_events_published",
    "Events the outbox relay published and JetStream acknowledged, by stream and subject "
    "without its province token",
    ["service", "stream", "subject"],
    registry=registry,
)
outbox_publish_failures = Counter(
    "danvan_outbox_publish_failures",
    "Tries of the outbox relay that JetStream did not acknowledge (each is retried)",
    ["service"],
    registry=registry,
)
events_consumed = Counter(
    "danvan_events_consumed",
    "Events a durable consumer took from its stream and settled (acknowledged, put back for "
    "a later try, or dropped as malformed); redeliveries count again",
    ["service", "durable"],
    registry=registry,
)
batch_duration = Histogram(
    "danvan_batch_duration_seconds",
    "Time a durable consumer took to apply and settle one batch of events",
    ["service", "durable"],
    registry=registry,
    buckets=_BATCH_BUCKETS,
)


def subject_family(subject: str) -> str:
    """An event subject without its last token (the province): a label of bounded size."""
    return subject.rsplit(".", 1)[0]
