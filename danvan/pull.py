"""Reading a stream in batches with nats-py's pull consumers: the live consumer of a projection
(durable, acked after its transaction commits) and a replay from the start (ephemeral, no
acks). A batch is one transaction: far fewer commits than one per event, which is what keeps
a projection fresh under load and a rebuild fast.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.client import JetStreamContext
from nats.js.errors import NotFoundError
from opentelemetry import propagate, trace
from opentelemetry.trace import Span, SpanKind
from pydantic import ValidationError

from danvan import metrics
from danvan.bus import stream_name
from danvan.contracts.envelope import RawCloudEvent

log = logging.getLogger(__name__)
_tracer = trace.get_tracer(__name__)

BATCH_SIZE = 500
ACK_WAIT_SECONDS = 30.0


def redelivery_delay(delivered: int, *, base: float = 0.5, cap: float = 60.0) -> float:
    """A plain nak is redelivered at once and would burn through retries: wait longer each
    time instead."""
    return float(min(cap, base * (2 ** max(0, delivered - 1))))


FETCH_WAIT_SECONDS = 1.0


class Delivered:
    """One event read from a stream, with its place there."""

    __slots__ = ("event", "message", "sequence", "stream")

    def __init__(self, event: RawCloudEvent, stream: str, sequence: int, message: Msg) -> None:
        self.event = event
        self.stream = stream
        self.sequence = sequence
        self.message = message


HandleBatch = Callable[[Sequence[Delivered]], Awaitable[None]]


def _consumer_spans(batch: Sequence[Delivered], consumer: str) -> list[Span]:
    """One span per event, in the trace its producer started (the `traceparent` the outbox
    relay published with it), so a request's trace reaches this consumer."""
    return [
        _tracer.start_span(
            f"{d.message.subject} process",
            context=propagate.extract(d.message.headers or {}),
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "nats",
                "messaging.destination.name": d.message.subject,
                "messaging.consumer.group.name": consumer,
                "messaging.batch.message_count": len(batch),
                "messaging.message.id": str(d.event.id),
            },
        )
        for d in batch
    ]


def _parse(stream: str, messages: Sequence[Msg]) -> tuple[list[Delivered], list[Msg]]:
    good: list[Delivered] = []
    bad: list[Msg] = []
    for msg in messages:
        try:
            event = RawCloudEvent.model_validate_json(msg.data)
        except ValidationError as error:
            log.error("dropping a malformed event on %s: %s", msg.subject, error)
            bad.append(msg)
            continue
        good.append(Delivered(event, stream, msg.metadata.sequence.stream, msg))
    return good, bad


class BatchConsumer:
    """A durable pull consumer of one service's stream that hands batches to `handle`.

    A batch that fails is retried event by event, so one bad event holds back only itself:
    it is nak'd with a delay that grows with each redelivery, the others are acked.
    """

    def __init__(
        self,
        js: Callable[[], JetStreamContext],
        *,
        source: str,
        durable: str,
        handle: HandleBatch,
        batch_size: int = BATCH_SIZE,
        service: str | None = None,
    ) -> None:
        self._js = js
        self.source = source
        self.stream = stream_name(source)
        self.durable = durable
        self._handle = handle
        self._batch_size = batch_size
        self._stopping = asyncio.Event()
        #: Events handed to `handle` and acknowledged by this process (a redelivered event
        #: that the inbox then skipped counts too): how the work of several copies was shared.
        self.handled = 0
        # A kernel durable's name starts with its service's name.
        service = service or durable.split("-", 1)[0]
        self._consumed = metrics.events_consumed.labels(service, durable)
        self._batch_duration = metrics.batch_duration.labels(service, durable)

    async def _subscribe(self) -> JetStreamContext.PullSubscription:
        config = ConsumerConfig(
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            ack_wait=ACK_WAIT_SECONDS,
            max_ack_pending=10 * self._batch_size,
        )
        return await self._js().pull_subscribe(
            f"evt.{self.source}.>", durable=self.durable, stream=self.stream, config=config
        )

    async def _subscription(self) -> JetStreamContext.PullSubscription | None:
        """Wait, with back-off, until the source's owner has declared its stream (a consumer
        never declares another service's stream), then bind the durable consumer; None if told
        to stop first. A failure to bind (NATS gone a moment) is waited out the same way
        rather than ending the consumer."""
        delay = 0.2
        while not self._stopping.is_set():
            try:
                await self._js().stream_info(self.stream)
                return await self._subscribe()
            except NotFoundError:
                log.info("%s waits for the %s stream", self.durable, self.stream)
            except Exception as error:
                log.warning(
                    "%s cannot reach JetStream yet (%s); next try in %.1f s",
                    self.durable,
                    str(error) or type(error).__name__,
                    delay,
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), delay)
            delay = min(delay * 2, 5.0)
        return None

    async def run(self) -> None:
        subscription = await self._subscription()
        if subscription is None:
            return
        try:
            while not self._stopping.is_set():
                try:
                    messages = await subscription.fetch(
                        self._batch_size, timeout=FETCH_WAIT_SECONDS
                    )
                except (TimeoutError, NatsTimeoutError):
                    continue
                except Exception:  # NATS reconnecting: the client recovers, so wait and retry
                    log.warning("fetching from %s failed; retrying", self.durable, exc_info=True)
                    await asyncio.sleep(FETCH_WAIT_SECONDS)
                    continue
                if not messages:
                    continue
                started = time.perf_counter()
                try:
                    await self._process(messages)
                except Exception:  # an ack lost with the connection: redelivered, deduplicated
                    log.warning("settling a batch of %s failed", self.durable, exc_info=True)
                self._batch_duration.observe(time.perf_counter() - started)
                self._consumed.inc(len(messages))
        finally:
            with contextlib.suppress(Exception):
                await subscription.unsubscribe()
            log.info("%s stops after handling %d events", self.durable, self.handled)

    async def _process(self, messages: Sequence[Msg]) -> None:
        good, bad = _parse(self.stream, messages)
        for msg in bad:
            await msg.term()
        if not good:
            return
        spans = _consumer_spans(good, self.durable)
        try:
            await self._handle(good)
        except Exception:
            log.warning("a batch of %d events failed; retrying them one by one", len(good))
            await self._one_by_one(good)
            return
        finally:
            for span in spans:
                span.end()
        for delivered in good:
            await delivered.message.ack()
        self.handled += len(good)

    async def _one_by_one(self, batch: Sequence[Delivered]) -> None:
        for delivered in batch:
            try:
                await self._handle([delivered])
            except Exception:
                tries = delivered.message.metadata.num_delivered or 1
                delay = redelivery_delay(tries)
                log.exception(
                    "applying event %s failed (delivery %d); retrying in %.1f s",
                    delivered.event.id,
                    tries,
                    delay,
                )
                await delivered.message.nak(delay=delay)
                continue
            await delivered.message.ack()
            self.handled += 1

    def stop(self) -> None:
        self._stopping.set()


async def last_sequence(js: JetStreamContext, source: str) -> int:
    """The stream's last sequence now; 0 for a stream not declared yet."""
    try:
        info = await js.stream_info(stream_name(source))
    except NotFoundError:
        return 0
    return int(info.state.last_seq)


async def replay(
    js: JetStreamContext, source: str, *, until: int, batch_size: int = BATCH_SIZE
) -> AsyncIterator[list[Delivered]]:
    """Every event of `source`'s stream from the first up to sequence `until`, in batches,
    through an ephemeral consumer that needs no acks. Malformed events are skipped."""
    if until <= 0:
        return
    stream = stream_name(source)
    config = ConsumerConfig(
        ack_policy=AckPolicy.NONE,
        deliver_policy=DeliverPolicy.ALL,
        inactive_threshold=60.0,
    )
    subscription = await js.pull_subscribe(f"evt.{source}.>", stream=stream, config=config)
    try:
        while True:
            try:
                messages = await subscription.fetch(batch_size, timeout=FETCH_WAIT_SECONDS)
            except (TimeoutError, NatsTimeoutError):
                # Nothing came: done if nothing is left (events up to `until` may be gone).
                info = await subscription.consumer_info()
                if not info.num_pending:
                    return
                continue
            good, _ = _parse(stream, messages)
            wanted = [d for d in good if d.sequence <= until]
            if wanted:
                yield wanted
            if any(m.metadata.sequence.stream >= until for m in messages):
                return
    finally:
        with contextlib.suppress(Exception):
            await subscription.unsubscribe()
