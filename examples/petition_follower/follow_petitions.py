"""Follow one province's petitions on the danvan platform, as a service outside it would.

    NATS_URL=nats://nats.example.vn:4222 NATS_USER=subscriber NATS_PASSWORD=... \\
        python follow_petitions.py --province 01

It needs only `nats-py` and `danvan-contracts`. It creates (or binds to) a durable pull
consumer on the RECEPTION stream that sees only the province's petition events, prints each
event once in one line, and resumes where it stopped when started again. An event is
acknowledged only after the follower's own transaction committed its id, so an event delivered
twice (a redelivery, or a second copy in the stream) is applied once. An event type or version
it does not know is skipped with a warning: the platform publishes a new version beside the
old one for a while, so this follower keeps working until it is upgraded.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import signal
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import nats
from nats.aio.msg import Msg
from nats.errors import Error as NatsError
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.client import JetStreamContext
from nats.js.errors import NotFoundError
from pydantic import ValidationError

from danvan.contracts.catalog import events_of
from danvan.contracts.envelope import RawCloudEvent
from danvan.contracts.reception import PetitionEvent

from petition_store import PetitionStore

log = logging.getLogger("follow_petitions")

STREAM = "RECEPTION"
FETCH_WAIT_SECONDS = 1.0

#: The petition events these contracts describe, by their CloudEvents `type`
#: (`vn.danvan.reception.petition.<verb>.v<N>`).
KNOWN: dict[str, type[PetitionEvent]] = {
    cls.event_type(): cls for cls in events_of("reception") if issubclass(cls, PetitionEvent)
}


class FollowerError(Exception):
    """Something the person starting the follower must fix; printed without a traceback."""


@dataclass(frozen=True, slots=True)
class Options:
    province: str
    durable: str
    store: Path
    from_seq: int | None
    from_time: datetime | None
    ack_wait: float
    batch: int

    @property
    def subject(self) -> str:
        """Every petition event whose unit is (now) in the province."""
        return f"evt.reception.petition.*.{self.province}"


def petition_line(event: RawCloudEvent, petition: PetitionEvent, sequence: int) -> str:
    return (
        f"{petition.on} {petition.unit_code} {type(petition).verb} "
        f"petition={petition.petition_id} class={petition.petition_class.value} "
        f"sector={petition.sector.value} status={petition.status.value} "
        f"event={event.id} seq={sequence}"
    )


def unknown_type_warning(event_type: str) -> str:
    family, _, version = event_type.rpartition(".")
    known = sorted(other.rpartition(".")[2] for other in KNOWN if other.startswith(family + "."))
    if known:
        return (
            f"{event_type}: version {version} is not one this follower reads "
            f"({', '.join(known)}); skipped. A newer danvan-contracts reads it."
        )
    return f"{event_type}: an event type this follower does not know; skipped"


class Follower:
    """Applies each delivered event once and acknowledges it after its commit."""

    def __init__(self, store: PetitionStore) -> None:
        self._store = store

    async def handle(self, message: Msg) -> None:
        sequence = message.metadata.sequence.stream
        try:
            event = RawCloudEvent.model_validate_json(message.data)
        except ValidationError as error:
            log.error(
                "seq %d on %s is not a CloudEvent; skipped: %s", sequence, message.subject, error
            )
            await message.term()
            return
        payload_type = KNOWN.get(event.type)
        if payload_type is None:
            log.warning("seq %d: %s", sequence, unknown_type_warning(event.type))
            await message.ack()
            return
        try:
            petition = payload_type.model_validate(event.data)
        except ValidationError as error:
            log.error(
                "event %s (%s) does not match its contract; skipped: %s",
                event.id,
                event.type,
                error,
            )
            await message.term()
            return
        # The commit comes before the acknowledgement: a crash between the two means the event
        # is delivered again, and its id, committed, makes the second delivery a no-op.
        if self._store.apply(event, petition, sequence):
            print(petition_line(event, petition, sequence), flush=True)
        else:
            log.info(
                "event %s seen before (seq %d, delivery %d); skipped",
                event.id,
                sequence,
                message.metadata.num_delivered,
            )
        await message.ack()


def consumer_config(options: Options) -> ConsumerConfig:
    """Where a new durable consumer starts: the stream's first event, a sequence, or a time.
    An existing one always resumes after the last event it had acknowledged."""
    if options.from_seq is not None:
        policy = DeliverPolicy.BY_START_SEQUENCE
    elif options.from_time is not None:
        policy = DeliverPolicy.BY_START_TIME
    else:
        policy = DeliverPolicy.ALL
    return ConsumerConfig(
        name=options.durable,
        durable_name=options.durable,
        description=f"petitions of province {options.province} (follow_petitions.py)",
        filter_subject=options.subject,
        deliver_policy=policy,
        opt_start_seq=options.from_seq,
        opt_start_time=options.from_time,
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=options.ack_wait,
    )


async def bind_durable(js: JetStreamContext, options: Options) -> JetStreamContext.PullSubscription:
    try:
        info = await js.consumer_info(STREAM, options.durable)
    except NotFoundError:
        try:
            await js.add_consumer(STREAM, consumer_config(options))
        except NotFoundError as error:
            raise FollowerError(f"no stream {STREAM} on this NATS: {error.description}") from error
        log.info(
            "created durable consumer %s on %s for %s", options.durable, STREAM, options.subject
        )
    else:
        if info.config.filter_subject != options.subject:
            raise FollowerError(
                f"durable consumer {options.durable} follows {info.config.filter_subject}, "
                f"not {options.subject}: give another --durable"
            )
        if options.from_seq is not None or options.from_time is not None:
            log.warning(
                "durable consumer %s exists: it resumes where it stopped (--from-seq and "
                "--from-time apply only when it is created)",
                options.durable,
            )
        log.info("resuming durable consumer %s on %s", options.durable, STREAM)
    return await js.pull_subscribe_bind(durable=options.durable, stream=STREAM)


async def consume(
    subscription: JetStreamContext.PullSubscription,
    follower: Follower,
    batch: int,
    stopping: asyncio.Event,
) -> None:
    while not stopping.is_set():
        try:
            messages = await subscription.fetch(batch, timeout=FETCH_WAIT_SECONDS)
        except (TimeoutError, NatsTimeoutError):
            continue
        except NatsError as error:  # reconnecting: the client recovers by itself
            log.warning("fetching failed (%s); retrying", error)
            await asyncio.sleep(FETCH_WAIT_SECONDS)
            continue
        for message in messages:
            await follower.handle(message)


async def follow(options: Options) -> None:
    """Follow until SIGINT or SIGTERM; then finish the batch in hand and leave."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    store = PetitionStore(options.store)
    user = os.environ.get("NATS_USER", "")
    connection = await nats.connect(
        servers=os.environ.get("NATS_URL", "nats://127.0.0.1:4222").split(","),
        user=user or None,
        password=os.environ.get("NATS_PASSWORD") or None,
        # danvan's NATS lets each user read replies only on an inbox of its own.
        inbox_prefix=os.environ.get("NATS_INBOX_PREFIX")
        or (f"_INBOX.{user}" if user else "_INBOX"),
        name=f"petition-follower-{options.province}",
        max_reconnect_attempts=-1,
        reconnect_time_wait=1,
    )
    try:
        subscription = await bind_durable(connection.jetstream(), options)
        try:
            await consume(subscription, Follower(store), options.batch, stopping)
        finally:
            await subscription.unsubscribe()
        # The acknowledgements still buffered reach the server before the connection closes.
        await connection.flush()
    finally:
        await connection.close()
        store.close()


PROVINCE = re.compile(r"\d{2}|VN")


def province_code(text: str) -> str:
    if not PROVINCE.fullmatch(text):
        raise argparse.ArgumentTypeError(f"{text!r}: a province code is two digits (01, 79) or VN")
    return text


def aware_time(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r}: not an ISO 8601 time") from error
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r}: give its offset (2026-11-23T08:00+07:00 or Z)")
    return moment


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text}: must be 1 or more")
    return value


def parse_options(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        description="Print one province's petition events of the danvan platform, each once. "
        "Connects with NATS_URL, NATS_USER and NATS_PASSWORD from the environment.",
    )
    parser.add_argument(
        "--province", required=True, type=province_code, help="01 Hà Nội, 79 Hồ Chí Minh, ..."
    )
    parser.add_argument(
        "--durable", help="the consumer's name (default: petition-follower-<province>)"
    )
    parser.add_argument(
        "--store", type=Path, help="SQLite file of applied events (default: <durable>.sqlite3)"
    )
    start = parser.add_mutually_exclusive_group()
    start.add_argument(
        "--from-seq",
        type=positive_int,
        metavar="SEQ",
        help="a new consumer starts at this stream sequence",
    )
    start.add_argument(
        "--from-time",
        type=aware_time,
        metavar="TIME",
        help="a new consumer starts at events stored from this time",
    )
    parser.add_argument(
        "--ack-wait",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="redeliver what is not acknowledged within this",
    )
    parser.add_argument("--batch", type=positive_int, default=100, help="events fetched at once")
    args = parser.parse_args(argv)
    durable = args.durable or f"petition-follower-{args.province}"
    return Options(
        province=args.province,
        durable=durable,
        store=args.store or Path(f"{durable}.sqlite3"),
        from_seq=args.from_seq,
        from_time=args.from_time,
        ack_wait=args.ack_wait,
        batch=args.batch,
    )


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr
    )
    options = parse_options(argv)
    try:
        asyncio.run(follow(options))
    except FollowerError as error:
        log.error("%s", error)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
