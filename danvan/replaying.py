"""Delivering a range of a stream again to one consumer (`danvan replay`), through its retries
(`dlq.retry.<durable>`): no other subscriber of the stream sees the events again, and the
consumer's inbox applies only those it had not applied."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.client import JetStreamContext
from nats.js.errors import NotFoundError

from danvan.bus import EVENT_STREAMS
from danvan.clock import VIETNAM
from danvan.dead_letter_queue import DeadLetterQueue
from danvan.dead_letters import (
    DLQ_STREAM,
    PUBLISH_TIMEOUT_SECONDS,
    Origin,
    retry_headers,
    retry_subject,
)

BATCH_SIZE = 500
FETCH_WAIT_SECONDS = 2.0
# An ephemeral consumer the command leaves behind (killed midway) goes away by itself.
INACTIVE_THRESHOLD_SECONDS = 60.0

#: Where a range starts or ends: a stream sequence, or a moment.
Bound = int | datetime


class ReplayRefused(ValueError):
    """A replay that cannot be done as asked; the message says why."""


@dataclass(frozen=True, slots=True)
class Target:
    """A consumer that takes retries, and the stream and subjects it reads."""

    consumer: str
    stream: str
    subjects: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Range:
    first: int
    last: int
    events: int


async def find_target(js: JetStreamContext, consumer: str) -> Target:
    takers = await DeadLetterQueue(js).retry_consumers()
    if consumer not in takers:
        known = ", ".join(sorted(takers)) or "none yet (has a consuming service started?)"
        raise ReplayRefused(f"no consumer {consumer} takes replays; those that do: {known}")
    for stream in EVENT_STREAMS.values():
        try:
            info = await js.consumer_info(stream, consumer)
        except NotFoundError:
            continue
        config = info.config
        subjects = tuple(config.filter_subjects or [config.filter_subject or ">"])
        return Target(consumer, stream, subjects)
    raise ReplayRefused(f"{consumer} reads none of the event streams")


def parse_bound(text: str) -> Bound:
    """A stream sequence (digits) or an ISO 8601 time; a time without an offset is Vietnam's
    (a date alone is its midnight there)."""
    stripped = text.strip()
    if stripped.isdigit():
        return int(stripped)
    try:
        moment = datetime.fromisoformat(stripped)
    except ValueError as error:
        raise ReplayRefused(
            f"{text!r} is neither a stream sequence nor an ISO time such as 2026-03-01T08:00"
        ) from error
    return moment if moment.tzinfo else moment.replace(tzinfo=VIETNAM)


async def resolve(
    js: JetStreamContext, target: Target, start: Bound, end: Bound | None, now: datetime
) -> Range:
    """The sequences the range covers and how many of the consumer's events it holds."""
    for bound in (start, end):
        if isinstance(bound, datetime) and bound > now:
            raise ReplayRefused(f"{bound.isoformat()} is in the future")
        if isinstance(bound, int) and bound < 1:
            raise ReplayRefused("stream sequences start at 1")
    info = await js.stream_info(target.stream)
    stream_last = int(info.state.last_seq)
    first = await _first_at(js, target, start)
    last = stream_last if end is None else min(stream_last, await _last_at(js, target, end))
    if end is not None and last < first <= stream_last:
        raise ReplayRefused(f"the range ends before it starts ({_described(start, end)})")
    events = 0
    if first <= last:
        events = await _pending_from(js, target, first) - await _pending_from(js, target, last + 1)
    if events <= 0:
        raise ReplayRefused(
            f"{target.stream} holds no event for {target.consumer} "
            f"{_described(start, end)} (its last sequence is {stream_last})"
        )
    return Range(first, last, events)


def _described(start: Bound, end: Bound | None) -> str:
    def said(bound: Bound) -> str:
        return f"sequence {bound}" if isinstance(bound, int) else bound.isoformat()

    return f"from {said(start)}" + (f" to {said(end)}" if end is not None else "")


async def _first_at(js: JetStreamContext, target: Target, bound: Bound) -> int:
    """The first sequence of the range: the bound itself, or the first message at or after
    the moment."""
    if isinstance(bound, int):
        return bound
    return await _sequence_before(js, target, bound) + 1


async def _last_at(js: JetStreamContext, target: Target, bound: Bound) -> int:
    """The last sequence of the range: the bound itself, or the last message at the moment
    or before it."""
    if isinstance(bound, int):
        return bound
    return await _sequence_before(js, target, bound + timedelta(microseconds=1))


async def _sequence_before(js: JetStreamContext, target: Target, moment: datetime) -> int:
    """The last sequence stored before `moment`: where a consumer starting at that time
    stands before its first delivery."""
    info = await js.add_consumer(target.stream, _reader(target, start_time=moment))
    with contextlib.suppress(Exception):
        await js.delete_consumer(target.stream, str(info.name))
    return int(info.delivered.stream_seq or 0) if info.delivered else 0


async def _pending_from(js: JetStreamContext, target: Target, sequence: int) -> int:
    """How many of the consumer's messages the stream holds from `sequence` on."""
    info = await js.add_consumer(target.stream, _reader(target, start_sequence=sequence))
    with contextlib.suppress(Exception):
        await js.delete_consumer(target.stream, str(info.name))
    return int(info.num_pending or 0)


def _reader(
    target: Target, *, start_sequence: int | None = None, start_time: datetime | None = None
) -> ConsumerConfig:
    """An ephemeral consumer of the target's subjects, from a sequence or a moment on."""
    single = len(target.subjects) == 1
    return ConsumerConfig(
        ack_policy=AckPolicy.NONE,
        deliver_policy=DeliverPolicy.BY_START_TIME
        if start_time
        else DeliverPolicy.BY_START_SEQUENCE,
        opt_start_seq=start_sequence,
        opt_start_time=start_time,
        inactive_threshold=INACTIVE_THRESHOLD_SECONDS,
        filter_subject=target.subjects[0] if single else None,
        filter_subjects=None if single else list(target.subjects),
    )


async def replay(js: JetStreamContext, target: Target, span: Range) -> AsyncIterator[int]:
    """Store the range's events as retries of the consumer, a batch at a time; yields how
    many are stored so far."""
    subscription = await js.pull_subscribe(
        target.subjects[0] if len(target.subjects) == 1 else "",
        stream=target.stream,
        config=_reader(target, start_sequence=span.first),
    )
    stored = 0
    try:
        while stored < span.events:
            try:
                messages = await subscription.fetch(BATCH_SIZE, timeout=FETCH_WAIT_SECONDS)
            except (TimeoutError, NatsTimeoutError):
                if not (await subscription.consumer_info()).num_pending:
                    return  # the rest aged out of the stream meanwhile
                continue
            wanted = [m for m in messages if m.metadata.sequence.stream <= span.last]
            await asyncio.gather(
                *(
                    js.publish(
                        retry_subject(target.consumer),
                        msg.data,
                        stream=DLQ_STREAM,
                        headers=retry_headers(
                            Origin(target.stream, msg.metadata.sequence.stream, msg.subject),
                            None,
                            msg.headers,
                        ),
                        timeout=PUBLISH_TIMEOUT_SECONDS,
                    )
                    for msg in wanted
                )
            )
            stored += len(wanted)
            yield stored
            if len(wanted) < len(messages):
                return
    finally:
        with contextlib.suppress(Exception):
            await subscription.unsubscribe()
