"""What `/metrics` reads when Prometheus scrapes: the outbox backlog and the age of its oldest
event, each durable consumer's lag, the dead letters waiting for it, and whether the database
and NATS answered.

A dependency that is down never fails the scrape: what it would have told is left out, and
`danvan_up{dependency=...}` is 0. Every question is bounded by a short timeout, well inside
Prometheus's scrape timeout.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from nats.js.api import ConsumerInfo
from nats.js.client import JetStreamContext
from nats.js.errors import NotFoundError
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from danvan import metrics
from danvan.outbox import backlog
from danvan.pull import BatchConsumer
from danvan.readiness import nats_connected
from danvan.service import ServiceRuntime
from danvan.timeutil import utcnow

log = logging.getLogger(__name__)

SCRAPE_TIMEOUT_SECONDS = 2.0

#: The dead-letter stream; a dead letter of durable `<durable>` waits at `dlq.dead.<durable>`.
DEAD_LETTER_STREAM = "DLQ"
DEAD_LETTER_PREFIX = "dlq.dead."


@dataclass(frozen=True)
class _Probe:
    """What one dependency told, and whether it answered."""

    dependency: str
    answered: bool
    families: list[Metric]


async def scrape(runtime: ServiceRuntime) -> list[Metric]:
    """The metrics read now from `runtime`'s database and JetStream."""
    probes = [_jetstream(runtime)]
    if runtime.sessions is not None:
        probes.append(_outbox(runtime))
    found = await asyncio.gather(*probes)
    up = GaugeMetricFamily(
        "danvan_up",
        "1 when the dependency answered this scrape, 0 when it did not (NATS: connected, and "
        "JetStream answered the questions about this service's consumers)",
        labels=["service", "dependency"],
    )
    for probe in found:
        up.add_metric([runtime.name, probe.dependency], 1.0 if probe.answered else 0.0)
    return [up, *(family for probe in found for family in probe.families)]


class Exposition(Collector):
    """The process's registry followed by what a scrape read, for `generate_latest`."""

    def __init__(self, read: Sequence[Metric]) -> None:
        self._read = read

    def collect(self) -> Iterator[Metric]:
        yield from metrics.registry.collect()
        yield from self._read


async def _outbox(runtime: ServiceRuntime) -> _Probe:
    pending = GaugeMetricFamily(
        "danvan_outbox_backlog",
        "Events written to the outbox and not yet published to JetStream",
        labels=["service"],
    )
    age = GaugeMetricFamily(
        "danvan_outbox_oldest_age_seconds",
        "How long the oldest unpublished event of the outbox has waited; 0 when none waits",
        labels=["service"],
    )
    try:
        async with asyncio.timeout(SCRAPE_TIMEOUT_SECONDS), runtime.db() as session:
            count, oldest = await backlog(session)
    except Exception as error:
        log.debug("the outbox backlog of %s could not be read: %s", runtime.name, error)
        return _Probe("database", False, [pending, age])
    pending.add_metric([runtime.name], count)
    waited = (utcnow() - oldest).total_seconds() if oldest else 0.0
    age.add_metric([runtime.name], max(0.0, waited))
    return _Probe("database", True, [pending, age])


async def _jetstream(runtime: ServiceRuntime) -> _Probe:
    pending = GaugeMetricFamily(
        "danvan_consumer_pending",
        "Events of the stream the durable consumer has not received yet (JetStream's "
        "num_pending): how far behind it is",
        labels=["service", "durable", "stream"],
    )
    ack_pending = GaugeMetricFamily(
        "danvan_consumer_ack_pending",
        "Events delivered to the durable consumer and not acknowledged yet",
        labels=["service", "durable", "stream"],
    )
    dead = GaugeMetricFamily(
        "danvan_dead_letters",
        f"Messages waiting in the {DEAD_LETTER_STREAM} stream at "
        f"{DEAD_LETTER_PREFIX}<durable> for one of this service's durable consumers",
        labels=["service", "durable"],
    )
    families: list[Metric] = [pending, ack_pending, dead]
    if not nats_connected(runtime.broker):
        return _Probe("nats", False, families)
    consumers = runtime.batch_consumers
    if not consumers:
        return _Probe("nats", True, families)
    try:
        async with asyncio.timeout(SCRAPE_TIMEOUT_SECONDS):
            js = runtime.jetstream()
            infos = await asyncio.gather(*(_consumer_info(js, c) for c in consumers))
            waiting = await dead_letters(js)
    except Exception as error:
        log.debug("JetStream did not tell %s's consumer lag: %s", runtime.name, error)
        return _Probe("nats", False, families)
    for consumer, info in zip(consumers, infos, strict=True):
        if info is None:  # not created yet: its source's stream is not declared
            continue
        labels = [runtime.name, consumer.durable, consumer.stream]
        pending.add_metric(labels, info.num_pending or 0)
        ack_pending.add_metric(labels, info.num_ack_pending or 0)
    # Every durable of this service, including one retired with messages still waiting.
    durables = {c.durable for c in consumers} | {
        d for d in waiting if d.startswith(f"{runtime.name}-")
    }
    for durable in sorted(durables):
        dead.add_metric([runtime.name, durable], waiting.get(durable, 0))
    return _Probe("nats", True, families)


async def _consumer_info(js: JetStreamContext, consumer: BatchConsumer) -> ConsumerInfo | None:
    try:
        info: ConsumerInfo = await js.consumer_info(consumer.stream, consumer.durable)
    except NotFoundError:
        return None
    return info


async def dead_letters(js: JetStreamContext) -> dict[str, int]:
    """How many dead letters wait for each durable consumer; none without a DLQ stream."""
    try:
        info = await js.stream_info(DEAD_LETTER_STREAM, subjects_filter=f"{DEAD_LETTER_PREFIX}*")
    except NotFoundError:
        return {}
    return {
        subject.removeprefix(DEAD_LETTER_PREFIX): count
        for subject, count in (info.state.subjects or {}).items()
    }
