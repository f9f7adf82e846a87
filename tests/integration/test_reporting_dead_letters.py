"""The reporting service with a poison event on the RECEPTION stream, on a real nats-server: the
event is set aside as a dead letter of reporting's reception consumer and the figures go on
moving; a replay of the stream to that consumer counts nothing twice."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import date
from pathlib import Path
from unittest import mock

import pytest
from nats.js.errors import NotFoundError

from danvan import pull
from danvan.bus import stream_name
from danvan.contracts.reception import PetitionReceived
from danvan.dead_letter_queue import DeadLetterQueue
from danvan.dead_letters import DLQ_STREAM, DeadLetter, retry_durable
from danvan.embedded import EmbeddedNats
from danvan.outbox import CONTENT_TYPE
from services.reporting.app import CONSUMERS
from tests.operator_commands import run_danvan, said
from tests.reporting_stack import ReportingStack, petition_received, reporting_stack
from tests.waiting import eventually

HONG_HA = "00097"
DAY = date(2026, 3, 2)
RECEPTION_CONSUMER = CONSUMERS["reception"]


@pytest.fixture(autouse=True)
def quick_retries() -> Iterator[None]:
    with mock.patch.object(pull, "FIRST_RETRY_DELAY_SECONDS", 0.05):
        yield


@pytest.fixture
async def stack(fresh_nats: EmbeddedNats, tmp_path: Path) -> AsyncIterator[ReportingStack]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'reporting.db'}"
    async with reporting_stack(tmp_path, fresh_nats.url, url) as running:
        yield running


async def publish_poison(stack: ReportingStack) -> str:
    """A petition's event whose payload lacks its class: reporting cannot count it, however
    often it tries."""
    poison = petition_received(HONG_HA, DAY)
    body = json.loads(poison.model_dump_json())
    del body["data"]["petition_class"]
    await stack.js.publish(
        PetitionReceived.subject_for("01"),
        json.dumps(body).encode(),
        stream=stream_name("reception"),
        headers={"Nats-Msg-Id": str(poison.id), "content-type": CONTENT_TYPE},
    )
    return str(poison.id)


async def dead_letters(stack: ReportingStack) -> list[DeadLetter]:
    return await DeadLetterQueue(stack.js).page()


async def retries_settled(stack: ReportingStack) -> bool:
    try:
        info = await stack.js.consumer_info(DLQ_STREAM, retry_durable(RECEPTION_CONSUMER))
    except NotFoundError:
        return False
    return not info.num_pending and not info.num_ack_pending


async def test_a_poison_event_does_not_stop_the_figures_and_a_replay_counts_nothing_twice(
    stack: ReportingStack, tmp_path: Path
) -> None:
    await stack.publish(petition_received(HONG_HA, DAY))
    poison_id = await publish_poison(stack)
    await stack.publish(petition_received(HONG_HA, DAY))
    await stack.wait_for(HONG_HA, "2026", "petitions.received", 2)

    async def set_aside() -> bool:
        return len(await dead_letters(stack)) == 1

    await eventually(set_aside)
    await stack.publish(petition_received(HONG_HA, DAY))  # after the dead letter too
    await stack.wait_for(HONG_HA, "2026", "petitions.received", 3)
    await stack.settled()
    [letter] = await dead_letters(stack)
    assert letter.consumer == RECEPTION_CONSUMER
    assert letter.event_id == poison_id
    assert letter.origin == (stream_name("reception"), 2, PetitionReceived.subject_for("01"))
    assert letter.error_type == "ValidationError"
    assert "petition_class" in letter.error
    assert letter.deliveries == stack.settings.max_deliver

    replayed = await run_danvan(
        stack.nats_url, tmp_path / "operator", "replay", "--consumer", RECEPTION_CONSUMER,
        "--from", "1",
    )  # fmt: skip
    assert replayed.exit_code == 0, replayed.output
    assert f"4 events of RECEPTION (sequences 1 to 4) delivered again to {RECEPTION_CONSUMER}" in (
        said(replayed)
    )

    async def poison_set_aside_again() -> bool:
        return len(await dead_letters(stack)) == 2 and await retries_settled(stack)

    await eventually(poison_set_aside_again)
    assert await stack.amount(HONG_HA, "2026", "petitions.received") == 3
    view = await stack.unit_figures(HONG_HA, "2026")
    positions = {p["stream"]: p["sequence"] for p in view["current_as_of"]}
    assert positions["RECEPTION"] == 4
