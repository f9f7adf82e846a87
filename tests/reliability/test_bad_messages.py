"""Malformed and oversized messages published onto the registry's and reception's event
subjects in the middle of a burst of real writes, the services running as `danvan serve`
processes: the real events go on being counted exactly, each bad message becomes one dead
letter of the consumer that met it (or is refused by the server), and nothing stops."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import nats
import pytest
from nats.errors import MaxPayloadError
from nats.js.client import JetStreamContext

from danvan.bus import stream_name
from danvan.contracts.reception import PetitionReceived
from danvan.contracts.registry import ModelRegistered
from danvan.dead_letter_queue import CannotRetry, DeadLetterQueue
from danvan.embedded import EmbeddedNats
from danvan.migrate import upgrade
from danvan.outbox import CONTENT_TYPE
from services.reporting.app import CONSUMERS
from tests.conftest import MakeDatabase
from tests.reliability.burst import (
    COMMUNE,
    PROVINCE,
    TODAY,
    Burst,
    models_and_petitions,
    platform,
)
from tests.reporting_stack import model_registered, petition_received

SERVICES = ("registry", "reception", "reporting")
#: Each source and the subject its counted events travel on.
SOURCES = {
    "registry": ModelRegistered.subject_for(PROVINCE),
    "reception": PetitionReceived.subject_for(PROVINCE),
}
#: Few tries before a dead letter: an event that cannot be applied fails the same each time.
MAX_DELIVER = 2


def a_real_event(source: str) -> dict[str, Any]:
    made = model_registered if source == "registry" else petition_received
    event: dict[str, Any] = json.loads(made(COMMUNE, TODAY).model_dump_json())
    event["source"] = "danvan-tests/bad-messages"  # not the service's own: see burst.py
    return event


def bad_messages(source: str, max_payload: int) -> dict[str, bytes]:
    """What someone with the right to publish there might put on a source's subjects, each
    one that is not an event reporting can count. The largest fits the server's limit once
    the headers of its dead letter are added to it."""
    unknown_version = a_real_event(source)
    unknown_version["type"] = unknown_version["type"].removesuffix(".v1") + ".v9"
    unfit = a_real_event(source)
    del unfit["data"]["unit_code"]  # its type is one reporting counts; its data does not fit
    return {
        "not json": b"\xff\xfe not JSON {",
        "json, not an event": json.dumps({"hello": "xin chào"}).encode(),
        "a json array": b"[1, 2, 3]",
        "an event of a version no one knows": json.dumps(unknown_version).encode(),
        "an event whose data does not fit its type": json.dumps(unfit).encode(),
        "just under the server's limit": b"{" + b"x" * (max_payload - 256),
    }


@asynccontextmanager
async def jetstream(nats_url: str) -> AsyncIterator[tuple[JetStreamContext, int]]:
    connection = await nats.connect(nats_url)
    try:
        yield connection.jetstream(), connection.max_payload
    finally:
        await connection.close()


async def publish(js: JetStreamContext, source: str, data: bytes) -> int:
    """Onto the source's event subject, as its events are; the stream sequence it got."""
    ack = await js.publish(
        SOURCES[source],
        data,
        stream=stream_name(source),
        headers={"Nats-Msg-Id": str(uuid.uuid4()), "content-type": CONTENT_TYPE},
    )
    return int(ack.seq)


async def test_bad_messages_on_the_event_subjects_become_dead_letters_and_real_events_count(
    tmp_path: Path, fresh_nats: EmbeddedNats, make_database: MakeDatabase
) -> None:
    urls: dict[str, str] = {}
    for service in SERVICES:
        urls[service] = await make_database(service)
        await upgrade(service, urls[service])  # type: ignore[arg-type]
    async with (
        platform(tmp_path, fresh_nats.url, urls) as running,
        jetstream(fresh_nats.url) as (js, max_payload),
    ):
        await running.serve(*SERVICES, max_deliver=MAX_DELIVER)
        burst = Burst(running.client, models_and_petitions)
        burst.start(writers=4)
        await burst.grows_by(20)

        published: dict[str, dict[str, int]] = {}  # source → what → its sequence
        for source in SOURCES:
            messages = bad_messages(source, max_payload)
            published[source] = {what: await publish(js, source, m) for what, m in messages.items()}
            # Over the limit: the client refuses to send it, so the server never sees it (and
            # the connection stays: the next source's messages go out on it).
            with pytest.raises(MaxPayloadError):
                await publish(js, source, b"{" + b"x" * max_payload)
            await burst.grows_by(10)
        await burst.grows_by(20)
        await burst.stop()

        await running.check_figures(burst, *SOURCES)
        queue = DeadLetterQueue(js)
        letters = [letter async for letter in queue.letters()]
        # A letter cut to fit cannot be delivered again: retrying it says where the original is.
        cut_letter = next(letter for letter in letters if letter.cut_from is not None)
        with pytest.raises(CannotRetry, match=r"too large to deliver again.*the original is"):
            await queue.retry(cut_letter)

    assert not burst.refused, burst.refused
    assert not burst.unknown, burst.unknown
    dead = {(letter.consumer, letter.origin.sequence if letter.origin else 0) for letter in letters}
    expected = {
        (CONSUMERS[source], sequence)
        for source, sequences in published.items()
        for what, sequence in sequences.items()
        if what != "an event of a version no one knows"  # one a newer reporting may count
    }
    assert dead == expected
    assert len(letters) == len(expected)  # each stored once
    # The largest could not be stored whole with its dead letter's headers: it keeps its start
    # and says how large it was; the original is still in its stream.
    largest = len(bad_messages("registry", max_payload)["just under the server's limit"])
    cut = {
        (letter.consumer, letter.origin.sequence if letter.origin else 0): letter.cut_from
        for letter in letters
        if letter.cut_from is not None
    }
    assert cut == {
        (CONSUMERS[source], sequences["just under the server's limit"]): largest
        for source, sequences in published.items()
    }
