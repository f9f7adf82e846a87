"""Reading a stream in batches with nats-py's pull consumers: the live consumer of a projection
(durable, acked after its transaction commits) and a replay from the start (ephemeral, no
acks). A batch is one transaction: far fewer commits than one per event, which is what keeps
a projection fresh under load and a rebuild fast.

An event the consumer cannot apply `max_deliver` times, and a message that is not an event at
all, becomes a dead letter (`danvan.dead_letters`) and the consumer goes on; the consumer's
retries (`dlq.retry.<durable>`) come through a second durable and the same handler.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
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
from danvan.db import unreachable
from danvan.dead_letters import (
    DLQ_STREAM,
    Origin,
    dead_letter_headers,
    origin_from_headers,
    publish_dead_letter,
    retry_durable,
    retry_subject,
)
from danvan.pull_requests import PullReader

log = logging.getLogger(__name__)
_tracer = trace.get_tracer(__name__)

BATCH_SIZE = 500
ACK_WAIT_SECONDS = 30.0
#: How many times a consumer tries an event before it becomes a dead letter, unless told.
MAX_DELIVER = 5
#: The wait before an event that failed is tried again; it doubles with each delivery.
FIRST_RETRY_DELAY_SECONDS = 0.5
#: The pause in fetching while the consumer's own database cannot be reached: the first, and
#: the longest it doubles to.
FIRST_OUTAGE_PAUSE_SECONDS = 1.0
MAX_OUTAGE_PAUSE_SECONDS = 30.0


def redelivery_delay(delivered: int, *, base: float | None = None, cap: float = 60.0) -> float:
    """A plain nak is redelivered at once and would burn through retries: wait longer each
    time instead."""
    first = FIRST_RETRY_DELAY_SECONDS if base is None else base
    return float(min(cap, first * (2 ** max(0, delivered - 1))))


FETCH_WAIT_SECONDS = 1.0


class Delivered:
    """One event read from a stream, with its place there: where it was first published
    (`stream`, `sequence`, `subject`), also when it came again through the consumer's
    retries."""

    __slots__ = ("event", "message", "sequence", "stream", "subject")

    def __init__(
        self,
        event: RawCloudEvent,
        stream: str,
        sequence: int,
        message: Msg,
        subject: str | None = None,
    ) -> None:
        self.event = event
        self.stream = stream
        self.sequence = sequence
        self.message = message
        self.subject = message.subject if subject is None else subject


HandleBatch = Callable[[Sequence[Delivered]], Awaitable[None]]


def _consumer_spans(batch: Sequence[Delivered], consumer: str) -> list[Span]:
    """One span per event, in the trace its producer started (the `traceparent` the outbox
    relay published with it), so a request's trace reaches this consumer."""
    return [
        _tracer.start_span(
            f"{d.subject} process",
            context=propagate.extract(d.message.headers or {}),
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "nats",
                "messaging.destination.name": d.subject,
                "messaging.consumer.group.name": consumer,
                "messaging.batch.message_count": len(batch),
                "messaging.message.id": str(d.event.id),
            },
        )
        for d in batch
    ]


class Malformed(ValueError):
    """A message that is not an event, or a retry that does not say where it came from."""


def _origin(msg: Msg) -> Origin:
    """Where a message read from its stream sits there: the stream and the sequence are in
    the reply subject JetStream sent it with (read here without the timestamp and the other
    parts nats-py's `metadata` parses, which a replay would pay for on every event)."""
    tokens = (msg.reply or "").split(".")
    if len(tokens) == _V1_TOKENS:
        return Origin(tokens[2], int(tokens[5]), msg.subject)
    if len(tokens) >= _V2_TOKENS - 1 and tokens[0] == "$JS":
        return Origin(tokens[Msg.Ack.Stream], int(tokens[Msg.Ack.StreamSeq]), msg.subject)
    return Origin(msg.metadata.stream, msg.metadata.sequence.stream, msg.subject)


# The reply subject of a JetStream message: $JS.ACK.<stream>.<consumer>.<delivered>.<stream
# sequence>.<consumer sequence>.<time>.<pending>, or since 2.9 with a domain and an account
# hash after ACK (and a random token at the end).
_V1_TOKENS = 9
_V2_TOKENS = 12


def _parse(
    messages: Sequence[Msg], origin: Callable[[Msg], Origin] = _origin
) -> tuple[list[Delivered], list[tuple[Msg, Exception]]]:
    good: list[Delivered] = []
    bad: list[tuple[Msg, Exception]] = []
    for msg in messages:
        try:
            event = RawCloudEvent.model_validate_json(msg.data)
            place = origin(msg)
        except (ValidationError, Malformed) as error:
            bad.append((msg, error))
            continue
        good.append(Delivered(event, place.stream, place.sequence, msg, place.subject))
    return good, bad


class BatchConsumer:
    """A durable pull consumer of one service's stream that hands batches to `handle`.

    A batch that fails is retried event by event, so one bad event holds back only itself:
    it is nak'd with a delay that grows with each redelivery, the others are acked. At its
    `max_deliver`-th failure it is stored as a dead letter and then terminated; a message that
    is not an event is stored so at once. A failure because the consumer's own database cannot
    be reached is never the event's fault: the batch is nak'd and fetching pauses, however
    often it was delivered.

    The count is the consumer's own, from each message's delivery count: the durable itself
    has no `max_deliver`, because JetStream would stop redelivering a message it had given
    up on silently (an outage, or a dead letter JetStream did not take, would lose it).
    """

    def __init__(
        self,
        js: Callable[[], JetStreamContext],
        *,
        source: str,
        durable: str,
        handle: HandleBatch,
        max_deliver: int = MAX_DELIVER,
        batch_size: int = BATCH_SIZE,
        service: str | None = None,
        ack_wait: float = ACK_WAIT_SECONDS,
    ) -> None:
        self._js = js
        self._ack_wait = ack_wait
        self.source = source
        # The consumer dead letters name, and retries are addressed to.
        self.consumer = durable
        self.stream, self.subject, self.durable = self._reads(source, durable)
        self._handle = handle
        self._max_deliver = max_deliver
        self._batch_size = batch_size
        self._stopping = asyncio.Event()
        #: Events handed to `handle` and acknowledged by this process (a redelivered event
        #: that the inbox then skipped counts too): how the work of several copies was shared.
        self.handled = 0
        # A kernel durable's name starts with its service's name.
        service = service or durable.split("-", 1)[0]
        self._consumed = metrics.events_consumed.labels(service, durable)
        self._batch_duration = metrics.batch_duration.labels(service, durable)
        self._outage_pause = 0.0

    @staticmethod
    def _reads(source: str, durable: str) -> tuple[str, str, str]:
        """The stream, the subjects and the durable this consumer reads through."""
        return stream_name(source), f"evt.{source}.>", durable

    def _origin(self, msg: Msg) -> Origin:
        return _origin(msg)

    async def _subscribe(self) -> JetStreamContext.PullSubscription:
        config = ConsumerConfig(
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            ack_wait=self._ack_wait,
            max_ack_pending=10 * self._batch_size,
        )
        return await self._js().pull_subscribe(
            self.subject, durable=self.durable, stream=self.stream, config=config
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
            await self._pause(delay)
            delay = min(delay * 2, 5.0)
        return None

    async def _pause(self, seconds: float) -> None:
        """Sleep, but wake at once when told to stop."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

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
                if self._outage_pause:
                    await self._pause(self._outage_pause)
        finally:
            with contextlib.suppress(Exception):
                await subscription.unsubscribe()
            log.info("%s stops after handling %d events", self.durable, self.handled)

    async def _process(self, messages: Sequence[Msg]) -> None:
        good, bad = _parse(messages, self._origin)
        for msg, error in bad:
            log.error("a malformed message on %s: %s", msg.subject, error)
            await self._dead_letter(msg, error, self._malformed_origin(msg), None)
        if not good:
            return
        spans = _consumer_spans(good, self.durable)
        try:
            await self._handle(good)
        except Exception as error:
            if unreachable(error):
                await self._wait_out_outage(good, error)
                return
            self._outage_pause = 0.0
            if len(good) == 1:
                await self._failed(good[0], error)
                return
            log.warning("a batch of %d events failed; retrying them one by one", len(good))
            await self._one_by_one(good)
            return
        finally:
            for span in spans:
                span.end()
        self._outage_pause = 0.0
        for delivered in good:
            await delivered.message.ack()
        self.handled += len(good)

    def _malformed_origin(self, msg: Msg) -> Origin:
        try:
            return self._origin(msg)
        except Malformed:  # a retry without its headers: name where it was read
            return _origin(msg)

    async def _wait_out_outage(self, batch: Sequence[Delivered], error: Exception) -> None:
        """Give the batch back and stop fetching for a while, longer each time: the events
        are not at fault, and trying them one by one would only fail as many times."""
        self._outage_pause = min(
            MAX_OUTAGE_PAUSE_SECONDS, max(FIRST_OUTAGE_PAUSE_SECONDS, 2 * self._outage_pause)
        )
        log.warning(
            "%s cannot reach its database (%s); pausing %.0f s",
            self.durable,
            error,
            self._outage_pause,
        )
        for delivered in batch:
            await delivered.message.nak(delay=self._outage_pause)

    async def _one_by_one(self, batch: Sequence[Delivered]) -> None:
        for delivered in batch:
            try:
                await self._handle([delivered])
            except Exception as error:
                await self._failed(delivered, error)
                continue
            await delivered.message.ack()
            self.handled += 1

    async def _failed(self, delivered: Delivered, error: Exception) -> None:
        tries = delivered.message.metadata.num_delivered or 1
        if tries >= self._max_deliver and not unreachable(error):
            log.error(
                "applying event %s failed %d times; storing it as a dead letter: %s",
                delivered.event.id,
                tries,
                error,
            )
            origin = Origin(delivered.stream, delivered.sequence, delivered.subject)
            await self._dead_letter(delivered.message, error, origin, str(delivered.event.id))
            return
        delay = redelivery_delay(tries)
        log.warning(
            "applying event %s failed (delivery %d); retrying in %.1f s",
            delivered.event.id,
            tries,
            delay,
            exc_info=error,
        )
        await delivered.message.nak(delay=delay)

    async def _dead_letter(
        self, msg: Msg, error: Exception, origin: Origin, event_id: str | None
    ) -> None:
        """Store `msg` as a dead letter, then terminate it; nak it instead when the dead
        letter could not be stored, so it comes back and nothing is lost."""
        headers = dead_letter_headers(
            msg,
            consumer=self.consumer,
            origin=origin,
            event_id=event_id,
            error=error,
            read_from=(msg.metadata.stream, msg.metadata.sequence.stream),
        )
        try:
            await publish_dead_letter(self._js(), msg.data, headers)
        except Exception:
            delay = redelivery_delay(msg.metadata.num_delivered or 1)
            log.exception("storing a dead letter of %s failed; retrying in %.1f s", origin, delay)
            await msg.nak(delay=delay)
            return
        await msg.term()

    def stop(self) -> None:
        self._stopping.set()


class RetryConsumer(BatchConsumer):
    """The second durable of a consumer: what is to be delivered to it alone again (a retried
    dead letter, a replayed range), read from `dlq.retry.<durable>` and applied with the same
    handler. Each message carries where it was first published, and the handler sees that."""

    @staticmethod
    def _reads(source: str, durable: str) -> tuple[str, str, str]:
        return DLQ_STREAM, retry_subject(durable), retry_durable(durable)

    def _origin(self, msg: Msg) -> Origin:
        origin = origin_from_headers(msg.headers)
        if origin is None:
            raise Malformed("a retry without the headers that say where it came from")
        return origin


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
    created = await js.add_consumer(
        stream,
        ConsumerConfig(
            # Named, so that it is created on the subject naming its filter, the one a
            # service's NATS user may create consumers on.
            name=f"replay-{uuid.uuid4().hex}",
            ack_policy=AckPolicy.NONE,
            deliver_policy=DeliverPolicy.ALL,
            inactive_threshold=60.0,
            filter_subject=f"evt.{source}.>",
        ),
    )
    # Not deleted at the end (a service's NATS user may not): gone after a minute unused.
    consumer = created.name
    async with PullReader(js, stream, consumer, wait=FETCH_WAIT_SECONDS) as reader:
        read = 0  # the furthest sequence seen
        await reader.ask(min(batch_size, until))
        while True:
            messages = await reader.take()
            if messages:
                read = max(read, _origin(messages[-1]).sequence)
            more = read < until and (bool(messages) or await _pending(js, stream, consumer))
            if more:  # asked before this batch is handled, so that it comes meanwhile
                await reader.ask(min(batch_size, until - read))
            good, bad = _parse(messages)
            for msg, error in bad:
                log.error("skipping a malformed message on %s: %s", msg.subject, error)
            wanted = [d for d in good if d.sequence <= until]
            if wanted:
                yield wanted
            if not more:
                return


async def _pending(js: JetStreamContext, stream: str, consumer: str) -> bool:
    """Whether the consumer has messages left (after a request that brought none: events up
    to `until` may have been deleted)."""
    info = await js.consumer_info(stream, consumer)
    return bool(info.num_pending)
