"""The `DLQ` stream as an operator works it: which dead letters wait, one of them in full,
delivering one again to its consumer, giving one up (`danvan dlq …`)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from nats.js.client import JetStreamContext
from nats.js.errors import NotFoundError

from danvan.dead_letters import (
    ALL_DEAD,
    DEAD_PREFIX,
    DLQ_STREAM,
    PUBLISH_TIMEOUT_SECONDS,
    RETRY_PREFIX,
    DeadLetter,
    consumer_of,
    dead_subject,
)


class NoSuchDeadLetter(LookupError):
    def __init__(self, sequence: int) -> None:
        super().__init__(f"no dead letter {sequence} in {DLQ_STREAM}")
        self.sequence = sequence


class CannotRetry(RuntimeError):
    """A dead letter that cannot be delivered again as it stands."""


class DeadLetterQueue:
    def __init__(self, js: JetStreamContext) -> None:
        self._js = js

    async def declared(self) -> bool:
        """False until a consuming service has started once and declared the stream."""
        try:
            await self._js.stream_info(DLQ_STREAM)
        except NotFoundError:
            return False
        return True

    async def counts(self, consumer: str | None = None) -> dict[str, int]:
        """How many dead letters wait, per consumer."""
        wanted = dead_subject(consumer) if consumer else ALL_DEAD
        try:
            info = await self._js.stream_info(DLQ_STREAM, subjects_filter=wanted)
        except NotFoundError:
            return {}
        subjects = info.state.subjects or {}
        return {consumer_of(subject): count for subject, count in sorted(subjects.items())}

    async def last_sequence(self) -> int:
        try:
            info = await self._js.stream_info(DLQ_STREAM)
        except NotFoundError:
            return 0
        return int(info.state.last_seq)

    async def letters(
        self, *, consumer: str | None = None, start: int = 1, upto: int | None = None
    ) -> AsyncIterator[DeadLetter]:
        """The dead letters from sequence `start` on (up to `upto`), oldest first."""
        wanted = dead_subject(consumer) if consumer else ALL_DEAD
        sequence = max(1, start)
        while upto is None or sequence <= upto:
            try:
                raw = await self._js.get_msg(DLQ_STREAM, seq=sequence, subject=wanted, next=True)
            except NotFoundError:
                return
            letter = DeadLetter.from_stored(raw)
            if upto is not None and letter.sequence > upto:
                return
            yield letter
            sequence = letter.sequence + 1

    async def page(
        self, *, consumer: str | None = None, start: int = 1, limit: int = 50
    ) -> list[DeadLetter]:
        found: list[DeadLetter] = []
        async for letter in self.letters(consumer=consumer, start=start):
            found.append(letter)
            if len(found) >= limit:
                break
        return found

    async def get(self, sequence: int) -> DeadLetter:
        try:
            raw = await self._js.get_msg(DLQ_STREAM, seq=sequence)
        except NotFoundError as error:
            raise NoSuchDeadLetter(sequence) from error
        if not str(raw.subject).startswith(f"{DEAD_PREFIX}."):
            raise NoSuchDeadLetter(sequence)  # a retry waiting for its consumer
        return DeadLetter.from_stored(raw)

    async def retry_consumers(self) -> set[str]:
        """The consumers that read their retries: a retry to any other would wait forever."""
        try:
            consumers = await self._js.consumers_info(DLQ_STREAM)
        except NotFoundError:
            return set()
        prefix = f"{RETRY_PREFIX}."
        return {
            consumer_of(info.config.filter_subject)
            for info in consumers
            if info.config.filter_subject and info.config.filter_subject.startswith(prefix)
        }

    async def retry(self, letter: DeadLetter) -> None:
        """Deliver the dead letter again to its consumer, then remove it once the retry is
        stored (a failure in between leaves both: the consumer's inbox makes the second
        harmless)."""
        if letter.origin is None:
            raise CannotRetry(
                f"dead letter {letter.sequence} does not say where it came from: drop it"
            )
        if letter.cut_from is not None:
            raise CannotRetry(
                f"dead letter {letter.sequence} keeps only the start of a message of "
                f"{letter.cut_from} bytes, too large to deliver again with its headers; the "
                f"original is message {letter.origin.sequence} of {letter.origin.stream}: "
                "drop it"
            )
        subject, headers = letter.retry(letter.origin)
        await self._js.publish(
            subject,
            letter.data,
            stream=DLQ_STREAM,
            headers=headers,
            timeout=PUBLISH_TIMEOUT_SECONDS,
        )
        await self.drop(letter.sequence)

    async def drop(self, sequence: int) -> None:
        try:
            await self._js.delete_msg(DLQ_STREAM, sequence)
        except NotFoundError as error:
            raise NoSuchDeadLetter(sequence) from error
