"""Dead letters and replay on a real nats-server: a consumer that cannot apply an event sets it
aside in the `DLQ` stream after `max_deliver` tries and goes on; `danvan dlq` lists, shows,
retries and drops what is there; `danvan replay` delivers a range again to one consumer, whose
inbox applies only what it had not applied."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from unittest import mock

import nats
import pytest
from nats.js.client import JetStreamContext
from nats.js.errors import NotFoundError
from sqlalchemy import Column, Integer, MetaData, String, Table, delete, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from typer.testing import Result

from danvan import pull
from danvan.bus import stream_config, stream_name
from danvan.consumer import with_inbox
from danvan.contracts.envelope import RawCloudEvent, make_event
from danvan.contracts.registry import ModelField, ModelRegistered
from danvan.db import create_engine, kernel_metadata, session_factory, transaction, upsert_insert
from danvan.dead_letter_queue import DeadLetterQueue
from danvan.dead_letters import DLQ_STREAM, DeadLetter, ensure_dlq_stream, retry_durable
from danvan.embedded import EmbeddedNats
from danvan.inbox import inbox_table
from danvan.pull import BatchConsumer, Delivered, RetryConsumer
from tests.operator_commands import run_danvan, said
from tests.waiting import eventually

MAX_DELIVER = 3
SUBJECT = ModelRegistered.subject_for("01")

test_metadata = MetaData()
applied_table = Table(
    "applied",
    test_metadata,
    Column("event_id", String(36), primary_key=True),
    Column("times", Integer, nullable=False),
)


def model_registered() -> RawCloudEvent:
    payload = ModelRegistered(
        model_id=uuid.uuid4(),
        name="Cổng trường an toàn văn minh",
        field=ModelField.CULTURE_SOCIETY,
        unit_code="00097",
        registered_on=date(2026, 3, 2),
        registered_by="tester",
    )
    made = make_event(
        payload,
        subject=str(payload.model_id),
        unit_code="00097",
        occurred_on=payload.registered_on,
        time=datetime(2026, 3, 2, 8, 0, tzinfo=UTC),
    )
    return RawCloudEvent.model_validate_json(made.model_dump_json())


@dataclass
class Consumer:
    """A consumer of the REGISTRY stream with its retries, as a service runs it, whose effect
    is a count per event: an event it fails for is one the test named."""

    nats_url: str
    home: Path
    js: JetStreamContext
    sessions: async_sessionmaker[AsyncSession]
    durable: str = field(default_factory=lambda: f"test-counts-{uuid.uuid4().hex[:8]}")
    # The events it fails for, and the error each time.
    failing: dict[str, Callable[[str], Exception]] = field(default_factory=dict)
    attempts: Counter[str] = field(default_factory=Counter)
    committed: set[str] = field(default_factory=set)
    # What had been committed when each failed attempt was made, by event id.
    committed_when_failed: dict[str, list[set[str]]] = field(default_factory=dict)
    consumers: list[BatchConsumer] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def apply(self, session: AsyncSession, event: RawCloudEvent) -> None:
        event_id = str(event.id)
        self.attempts[event_id] += 1
        if event_id in self.failing:
            self.committed_when_failed.setdefault(event_id, []).append(set(self.committed))
            raise self.failing[event_id](f"cannot count {event_id} at Phường Hồng Hà\nfor now")
        insert = upsert_insert(session)
        statement = insert(applied_table).values(event_id=event_id, times=1)
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["event_id"], set_={"times": applied_table.c.times + 1}
            )
        )

    def start(self) -> None:
        inner = with_inbox(self.sessions, self.durable, self.apply)

        async def handle(batch: Sequence[Delivered]) -> None:
            await inner(batch)
            self.committed.update(str(d.event.id) for d in batch)

        for kind in (BatchConsumer, RetryConsumer):
            consumer = kind(
                lambda: self.js,
                source="registry",
                durable=self.durable,
                handle=handle,
                max_deliver=MAX_DELIVER,
            )
            self.consumers.append(consumer)
            self.tasks.append(asyncio.create_task(consumer.run()))

    async def publish(self, event: RawCloudEvent) -> int:
        return await self.publish_raw(event.model_dump_json().encode(), str(event.id))

    async def publish_raw(self, data: bytes, msg_id: str) -> int:
        ack = await self.js.publish(
            SUBJECT, data, stream=stream_name("registry"), headers={"Nats-Msg-Id": msg_id}
        )
        return int(ack.seq)

    async def times(self, event: RawCloudEvent) -> int:
        async with self.sessions() as session:
            found = await session.scalar(
                select(applied_table.c.times).where(applied_table.c.event_id == str(event.id))
            )
        return int(found or 0)

    async def dead_letters(self) -> list[DeadLetter]:
        return await DeadLetterQueue(self.js).page(limit=100)

    async def caught_up(self) -> bool:
        """Nothing left for either durable: every event and every retry settled."""
        for stream, durable in (
            (stream_name("registry"), self.durable),
            (DLQ_STREAM, retry_durable(self.durable)),
        ):
            try:
                info = await self.js.consumer_info(stream, durable)
            except NotFoundError:
                return False
            if info.num_pending or info.num_ack_pending:
                return False
        return True

    async def forget(self, event: RawCloudEvent) -> None:
        """As if its application had been lost (a database restored from an older backup)."""
        async with transaction(self.sessions) as session:
            await session.execute(
                delete(applied_table).where(applied_table.c.event_id == str(event.id))
            )
            await session.execute(
                delete(inbox_table).where(
                    inbox_table.c.consumer == self.durable,
                    inbox_table.c.event_id == str(event.id),
                )
            )

    async def danvan(self, *args: str, answer: str | None = None) -> Result:
        return await run_danvan(self.nats_url, self.home, *args, answer=answer)


@pytest.fixture(autouse=True)
def quick_retries() -> Iterator[None]:
    """Shorter waits than in service, so a poison event runs out of tries in a moment."""
    with (
        mock.patch.object(pull, "FETCH_WAIT_SECONDS", 0.1),
        mock.patch.object(pull, "FIRST_RETRY_DELAY_SECONDS", 0.05),
        mock.patch.object(pull, "FIRST_OUTAGE_PAUSE_SECONDS", 0.05),
    ):
        yield


@pytest.fixture
async def consumer(fresh_nats: EmbeddedNats, tmp_path: Path) -> AsyncIterator[Consumer]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'consumer.db'}")
    async with engine.begin() as database:
        await database.run_sync(kernel_metadata.create_all)
        await database.run_sync(test_metadata.create_all)
    connection = await nats.connect(fresh_nats.url)
    js = connection.jetstream()
    await js.add_stream(config=stream_config("registry"))
    await ensure_dlq_stream(js)
    running = Consumer(fresh_nats.url, tmp_path / "operator", js, session_factory(engine))
    try:
        yield running
    finally:
        for each in running.consumers:
            each.stop()
        for task in running.tasks:
            await task
        await connection.close()
        await engine.dispose()


async def test_a_poison_event_becomes_a_dead_letter_while_the_next_events_are_applied_and_a_retry_applies_it_once_fixed(  # noqa: E501
    consumer: Consumer,
) -> None:
    before, poison, *after = [model_registered() for _ in range(4)]
    consumer.failing[str(poison.id)] = RuntimeError
    poison_sequence = 0
    for event in (before, poison, *after):
        sequence = await consumer.publish(event)
        poison_sequence = sequence if event is poison else poison_sequence
    consumer.start()

    async def set_aside() -> bool:
        return len(await consumer.dead_letters()) == 1

    await eventually(set_aside)
    await eventually(consumer.caught_up)
    [letter] = await consumer.dead_letters()
    assert letter.consumer == consumer.durable
    assert letter.origin == (stream_name("registry"), poison_sequence, SUBJECT)
    assert letter.event_id == str(poison.id)
    assert letter.deliveries == MAX_DELIVER
    assert letter.error_type == "RuntimeError"
    assert letter.error == f"cannot count {poison.id} at Phường Hồng Hà for now"
    assert RawCloudEvent.model_validate_json(letter.data) == poison
    # The events after it were applied before its last try, not held back by it.
    last_try = consumer.committed_when_failed[str(poison.id)][-1]
    assert {str(event.id) for event in after} <= last_try
    assert [await consumer.times(event) for event in (before, poison, *after)] == [1, 0, 1, 1]

    del consumer.failing[str(poison.id)]  # the cause is fixed
    retried = await consumer.danvan("dlq", "retry", str(letter.sequence))
    assert retried.exit_code == 0, retried.output
    assert f"dead letter {letter.sequence} delivered again to {consumer.durable}" in said(retried)

    async def applied() -> bool:
        return await consumer.times(poison) == 1

    await eventually(applied)
    await eventually(consumer.caught_up)
    assert await consumer.dead_letters() == []
    assert (await consumer.js.stream_info(DLQ_STREAM)).state.messages == 0
    assert [await consumer.times(event) for event in (before, poison, *after)] == [1, 1, 1, 1]
    again = await consumer.danvan("dlq", "retry", str(letter.sequence))
    assert again.exit_code == 1
    assert f"no dead letter {letter.sequence}" in said(again)


async def test_a_retry_that_fails_again_becomes_a_dead_letter_again(consumer: Consumer) -> None:
    poison = model_registered()
    consumer.failing[str(poison.id)] = ValueError
    await consumer.publish(poison)
    consumer.start()

    async def dead_letters(count: int) -> bool:
        return len(await consumer.dead_letters()) == count and await consumer.caught_up()

    await eventually(lambda: dead_letters(1))
    [first] = await consumer.dead_letters()
    retried = await consumer.danvan("dlq", "retry", "--all")
    assert retried.exit_code == 0, retried.output
    assert "1 dead letters delivered again" in said(retried)

    async def back() -> bool:
        letters = await consumer.dead_letters()
        return [d.sequence for d in letters] != [first.sequence] and await dead_letters(1)

    await eventually(back)
    [second] = await consumer.dead_letters()
    assert second.origin == first.origin
    assert second.consumer == consumer.durable
    assert second.deliveries == MAX_DELIVER
    assert len(consumer.committed_when_failed[str(poison.id)]) >= 2 * MAX_DELIVER
    assert await consumer.times(poison) == 0


async def test_a_message_that_is_not_an_event_becomes_a_dead_letter_at_once(
    consumer: Consumer,
) -> None:
    garbage = await consumer.publish_raw(b'{"specversion": "1.0", "id": 42', "garbage")
    good = model_registered()
    await consumer.publish(good)
    consumer.start()

    async def set_aside() -> bool:
        return len(await consumer.dead_letters()) == 1 and await consumer.times(good) == 1

    await eventually(set_aside)
    [letter] = await consumer.dead_letters()
    assert letter.origin == (stream_name("registry"), garbage, SUBJECT)
    assert letter.event_id is None
    assert letter.deliveries == 1
    assert letter.error_type == "ValidationError"
    assert letter.data == b'{"specversion": "1.0", "id": 42'

    shown = await consumer.danvan("dlq", "show", str(letter.sequence))
    assert shown.exit_code == 0, shown.output
    text = said(shown)
    assert f"from {stream_name('registry')} sequence {garbage}" in text
    assert "not an event" in text
    assert "ValidationError" in text
    assert '{"specversion": "1.0", "id": 42' in text


async def test_show_prints_the_start_of_a_long_message_and_saves_it_whole(
    consumer: Consumer, tmp_path: Path
) -> None:
    long = b"<" + b"A" * 300_000 + b">"  # one line: a terminal could not take it whole
    await consumer.publish_raw(long, "long")
    consumer.start()

    async def set_aside() -> bool:
        return len(await consumer.dead_letters()) == 1

    await eventually(set_aside)
    [letter] = await consumer.dead_letters()
    saved = tmp_path / "letter.bin"

    shown = await consumer.danvan("dlq", "show", str(letter.sequence), "--save", str(saved))
    assert shown.exit_code == 0, shown.output
    text = said(shown)
    assert "the first 4,096 of 300,002 bytes" in text
    assert "<" + "A" * 4095 in shown.output  # the start, on one line, and no more of it
    assert "A" * 4096 not in shown.output
    assert saved.read_bytes() == long


async def test_an_outage_of_the_consumers_database_never_makes_a_dead_letter(
    consumer: Consumer,
) -> None:
    event = model_registered()

    def unreachable_database(_: str) -> Exception:
        attempts = consumer.attempts[str(event.id)]
        if attempts > MAX_DELIVER:
            del consumer.failing[str(event.id)]  # the database is back for the next try
        return OperationalError("SELECT 1", {}, ConnectionRefusedError("refused"))

    consumer.failing[str(event.id)] = unreachable_database
    await consumer.publish(event)
    consumer.start()

    async def applied() -> bool:
        return await consumer.times(event) == 1

    await eventually(applied)
    assert consumer.attempts[str(event.id)] > MAX_DELIVER
    assert await consumer.dead_letters() == []


async def test_dlq_list_shows_each_dead_letter_and_the_total(consumer: Consumer) -> None:
    poison = model_registered()
    consumer.failing[str(poison.id)] = KeyError
    await consumer.publish(poison)
    for n in range(2):
        await consumer.publish_raw(b"not json", f"garbage-{n}")
    consumer.start()

    async def three() -> bool:
        return len(await consumer.dead_letters()) == 3

    await eventually(three)
    letters = await consumer.dead_letters()
    listed = await consumer.danvan("dlq", "list", "--limit", "2")
    assert listed.exit_code == 0, listed.output
    text = said(listed)
    assert f"2 shown of 3 dead letters ({consumer.durable}: 3)" in text
    for letter in letters[:2]:
        assert f"│ {letter.sequence} │ {consumer.durable} │ {SUBJECT} │" in text
    assert f"more: danvan dlq list --start {letters[2].sequence}" in text
    assert [d.event_id for d in letters] == [None, None, str(poison.id)]
    rest = await consumer.danvan(
        "dlq", "list", "--start", str(letters[2].sequence), "--consumer", consumer.durable
    )
    assert rest.exit_code == 0, rest.output
    text = said(rest)
    assert f"│ {letters[2].sequence} │ {consumer.durable} │" in text
    assert f"│ {str(poison.id)[:8]} │ {MAX_DELIVER} │ KeyError: 'cannot count" in text
    assert f"│ {letters[0].sequence} │" not in text
    assert "more:" not in text
    other = await consumer.danvan("dlq", "list", "--consumer", "reporting-nothing-v1")
    assert "no dead letters of reporting-nothing-v1" in said(other)


async def test_drop_asks_first_and_removes_the_dead_letter(consumer: Consumer) -> None:
    for n in range(3):
        await consumer.publish_raw(b"not json", f"garbage-{n}")
    consumer.start()

    async def three() -> bool:
        return len(await consumer.dead_letters()) == 3

    await eventually(three)
    first, *rest = await consumer.dead_letters()

    kept = await consumer.danvan("dlq", "drop", str(first.sequence), answer="n\n")
    assert kept.exit_code == 1
    assert f"Drop dead letter {first.sequence}?" in said(kept)
    assert "nothing dropped" in said(kept)
    assert len(await consumer.dead_letters()) == 3

    dropped = await consumer.danvan("dlq", "drop", str(first.sequence), answer="y\n")
    assert dropped.exit_code == 0, dropped.output
    assert f"dead letter {first.sequence} dropped" in said(dropped)
    assert await consumer.dead_letters() == rest

    every = await consumer.danvan("dlq", "drop", "--all", "--consumer", consumer.durable, "--yes")
    assert every.exit_code == 0, every.output
    assert "2 dead letters dropped" in said(every)
    assert await consumer.dead_letters() == []
    gone = await consumer.danvan("dlq", "show", str(first.sequence))
    assert gone.exit_code == 1
    assert f"no dead letter {first.sequence}" in said(gone)


async def test_replay_applies_what_was_lost_and_counts_nothing_twice(consumer: Consumer) -> None:
    events = [model_registered() for _ in range(5)]
    sequences = [await consumer.publish(event) for event in events]
    consumer.start()

    async def all_applied() -> bool:
        return [await consumer.times(e) for e in events] == [1] * 5

    await eventually(all_applied)
    await consumer.forget(events[2])
    assert await consumer.times(events[2]) == 0

    replayed = await consumer.danvan(
        "replay",
        "--consumer",
        consumer.durable,
        "--from",
        str(sequences[1]),
        "--to",
        str(sequences[3]),
    )
    assert replayed.exit_code == 0, replayed.output
    assert (
        f"3 events of REGISTRY (sequences {sequences[1]} to {sequences[3]}) delivered again "
        f"to {consumer.durable}"
    ) in said(replayed)

    await eventually(all_applied)
    await eventually(consumer.caught_up)
    assert [await consumer.times(e) for e in events] == [1] * 5
    # Only the lost one was applied again: the inbox dropped the two it had.
    assert consumer.attempts == Counter({str(e.id): 1 + (e is events[2]) for e in events})
    assert (await consumer.js.stream_info(DLQ_STREAM)).state.messages == 0


async def test_replay_from_a_time_takes_the_events_stored_since(consumer: Consumer) -> None:
    earlier = [model_registered() for _ in range(3)]
    for event in earlier:
        await consumer.publish(event)
    since = datetime.now(UTC)
    later = [model_registered() for _ in range(2)]
    later_sequences = [await consumer.publish(event) for event in later]
    consumer.start()
    await eventually(consumer.caught_up)
    await consumer.forget(later[1])

    replayed = await consumer.danvan(
        "replay", "--consumer", consumer.durable, "--from", since.isoformat()
    )
    assert replayed.exit_code == 0, replayed.output
    assert (
        f"2 events of REGISTRY (sequences {later_sequences[0]} to {later_sequences[1]})"
    ) in said(replayed)

    async def applied_again() -> bool:
        return await consumer.times(later[1]) == 1

    await eventually(applied_again)
    await eventually(consumer.caught_up)
    assert [await consumer.times(e) for e in (*earlier, *later)] == [1] * 5


async def test_replay_says_clearly_what_it_cannot_do(consumer: Consumer) -> None:
    await consumer.publish(model_registered())
    consumer.start()
    await eventually(consumer.caught_up)

    unknown = await consumer.danvan("replay", "--consumer", "reporting-nothing-v1", "--from", "1")
    assert unknown.exit_code == 1
    assert "no consumer reporting-nothing-v1 takes replays" in said(unknown)
    assert consumer.durable in said(unknown)

    empty = await consumer.danvan("replay", "--consumer", consumer.durable, "--from", "99")
    assert empty.exit_code == 1
    assert "REGISTRY holds no event for" in said(empty)
    assert "its last sequence is 1" in said(empty)

    future = await consumer.danvan(
        "replay", "--consumer", consumer.durable, "--from", "2999-01-01T00:00"
    )
    assert future.exit_code == 1
    assert "2999-01-01T00:00:00+07:00 is in the future" in said(future)

    backwards = await consumer.danvan(
        "replay", "--consumer", consumer.durable, "--from", "1", "--to", "2020-01-01"
    )
    assert backwards.exit_code == 1
    assert "the range ends before it starts" in said(backwards)

    nonsense = await consumer.danvan("replay", "--consumer", consumer.durable, "--from", "hôm qua")
    assert nonsense.exit_code == 2
    assert "neither a stream sequence nor an ISO time" in said(nonsense)


async def test_the_commands_say_when_no_platform_runs(tmp_path: Path) -> None:
    nothing = await run_danvan(None, tmp_path, "dlq", "list")
    assert nothing.exit_code == 2
    assert "no platform is running" in said(nothing)

    gone = EmbeddedNats(tmp_path / "gone").start()
    url = gone.url
    gone.stop()
    for args in (("dlq", "retry", "--all"), ("replay", "--consumer", "x", "--from", "1")):
        refused = await run_danvan(url, tmp_path, *args)
        assert refused.exit_code == 2, refused.output
        assert f"cannot reach NATS at {url}" in said(refused)


async def test_retry_and_drop_want_one_dead_letter_or_all(consumer: Consumer) -> None:
    for args in (("dlq", "retry"), ("dlq", "drop", "3", "--all")):
        refused = await consumer.danvan(*args)
        assert refused.exit_code == 2
        assert "name the dead letter" in said(refused)
    mixed = await consumer.danvan("dlq", "retry", "3", "--consumer", consumer.durable)
    assert mixed.exit_code == 2
    assert "--consumer goes with --all" in said(mixed)
