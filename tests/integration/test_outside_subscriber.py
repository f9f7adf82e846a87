"""A service outside the platform: `danvan-contracts` built as its own wheel and installed where
nothing else of danvan is, reading the events the platform published; and the example follower
(`examples/petition_follower`) on a real nats-server, as the `subscriber` user, following one
province's petitions through duplicates, a redelivery, an unknown version and a restart."""

from __future__ import annotations

import json
import shlex
import tarfile
import tomllib
import uuid
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nats
import pytest
from nats.js.api import RawStreamMsg
from nats.js.errors import NotFoundError

from danvan.contracts.rpc import Role
from tests.outside_subscriber import (
    ROOT,
    SUBSCRIBER_USER,
    build_contracts_sdist,
    build_contracts_wheel,
    run_in,
    start_follower,
    subscriber_environment,
    with_user,
)
from tests.platform_stack import ADMIN
from tests.reception_stack import ReceptionStack, reception_stack
from tests.secured_nats import start_secured_nats
from tests.stream_reader import Received, read_stream
from tests.waiting import eventually

HONG_HA = "00097"  # Phường Hồng Hà, Hà Nội (province 01)
SAIGON_COMMUNE = "26878"  # a commune of Thành phố Hồ Chí Minh (province 79)
STREAM = "RECEPTION"


@pytest.fixture(scope="module")
def contracts_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_contracts_wheel(tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def subscriber_python(contracts_wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A python with only the contracts wheel and nats-py (and pydantic, which they need)."""
    return subscriber_environment(
        tmp_path_factory.mktemp("subscriber") / "venv", str(contracts_wheel), "nats-py"
    )


@dataclass
class Platform:
    stack: ReceptionStack
    url: str  # as the operators' admin user
    subscriber_url: str  # no user: the follower takes its own from the environment
    subscriber_password: str


@pytest.fixture
async def platform(tmp_path: Path) -> AsyncIterator[Platform]:
    """Reception and the gateway on SQLite, on a nats-server with compose's users and
    permissions (deploy/nats/permissions.conf): each service as its own user, the follower as
    `subscriber`."""
    server = start_secured_nats(tmp_path / "nats")
    url = with_user(server.url, ADMIN, server.passwords[ADMIN])
    try:
        database = f"sqlite+aiosqlite:///{tmp_path / 'reception.db'}"
        async with reception_stack(
            tmp_path / "home", server.url, database, nats_passwords=server.passwords
        ) as stack:
            yield Platform(stack, url, server.url, server.passwords[SUBSCRIBER_USER])
    finally:
        server.stop()


async def record_petition(stack: ReceptionStack, commune: str) -> str:
    reply = await stack.client.post(
        "/api/v1/petitions",
        json={
            "unit_code": commune,
            "source": "in_person",
            "petition_class": "complaint",
            "sector": "compensation",
            "petitioner": {"kind": "individual", "name": "Lê Thị Hoa"},
            "summary": "Khiếu nại quyết định phê duyệt đơn giá bồi thường",
            "new_case": True,
        },
        headers=stack.auth(commune, Role.OFFICER),
    )
    assert reply.status_code == 201, reply.text
    petition_id: str = reply.json()["id"]
    return petition_id


async def classify(stack: ReceptionStack, commune: str, petition_id: str) -> None:
    reply = await stack.client.post(
        f"/api/v1/petitions/{petition_id}/classify", headers=stack.auth(commune, Role.OFFICER)
    )
    assert reply.status_code == 200, reply.text


async def petition_events(url: str, province: str, count: int) -> list[Received]:
    """The province's petition events the platform published, once its outbox relay has
    published `count` of them; not the copies and other versions a test added."""
    found: list[Received] = []

    async def published() -> bool:
        nonlocal found
        found = []
        for received in await read_stream(url, STREAM):
            if (
                received.subject.startswith("evt.reception.petition.")
                and received.subject.endswith(f".{province}")
                and received.event["type"].endswith(".v1")
                and received.event["id"] not in {r.event["id"] for r in found}
            ):
                found.append(received)
        return len(found) >= count

    await eventually(published, timeout=20, interval=0.1)
    assert len(found) == count, [r.subject for r in found]
    return found


async def publish(url: str, subject: str, event: dict[str, Any], msg_id: str) -> None:
    connection = await nats.connect(url)
    try:
        await connection.jetstream().publish(
            subject, json.dumps(event).encode(), headers={"Nats-Msg-Id": msg_id}
        )
    finally:
        await connection.close()


async def caught_up(url: str, durable: str) -> None:
    """Until the consumer has nothing left to deliver and nothing awaiting its ack."""
    connection = await nats.connect(url)
    try:
        js = connection.jetstream()

        async def settled() -> bool:
            try:
                info = await js.consumer_info(STREAM, durable)
            except NotFoundError:
                return False
            return not info.num_pending and not info.num_ack_pending

        await eventually(settled, timeout=20, interval=0.1)
    finally:
        await connection.close()


async def take_without_ack(url: str, durable: str) -> str:
    """Another copy of the follower takes the next event and dies before its commit: the
    event is delivered again once the consumer's ack wait has passed. Its event id."""
    connection = await nats.connect(url)
    try:
        subscription = await connection.jetstream().pull_subscribe_bind(
            durable=durable, stream=STREAM
        )
        (message,) = await subscription.fetch(1, timeout=5)
        event_id: str = json.loads(message.data)["id"]
        await subscription.unsubscribe()
        return event_id
    finally:
        await connection.close()


async def last_stored(url: str, subject: str) -> RawStreamMsg:
    """The stream's last message on `subject`, as stored: its sequence and its very bytes."""
    connection = await nats.connect(url)
    try:
        return await connection.jetstream().get_last_msg(STREAM, subject)
    finally:
        await connection.close()


def event_ids(lines: list[str]) -> list[str]:
    return [
        field.removeprefix("event=")
        for line in lines
        for field in line.split()
        if field.startswith("event=")
    ]


def test_a_wheel_built_from_the_sdist_holds_what_the_checkouts_wheel_holds(
    contracts_wheel: Path, tmp_path: Path
) -> None:
    sdist = build_contracts_sdist(tmp_path)
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp_path / "unpacked", filter="data")
    (project,) = (tmp_path / "unpacked").iterdir()
    rebuilt = build_contracts_wheel(tmp_path / "dist", project)

    def contents(wheel: Path) -> dict[str, bytes]:
        with zipfile.ZipFile(wheel) as archive:
            return {name: archive.read(name) for name in archive.namelist()}

    assert rebuilt.name == contracts_wheel.name
    assert contents(rebuilt) == contents(contracts_wheel)


async def test_the_contracts_wheel_alone_reads_a_petition_event_the_platform_published(
    platform: Platform, subscriber_python: Path, tmp_path: Path
) -> None:
    petition_id = await record_petition(platform.stack, HONG_HA)
    (received,) = await petition_events(platform.url, "01", 1)
    stored = await last_stored(platform.url, received.subject)
    body = tmp_path / "event.json"
    body.write_bytes(stored.data or b"")

    output = run_in(
        subscriber_python,
        """
import importlib.metadata, importlib.util, json, sys
from danvan.contracts.envelope import CloudEvent
from danvan.contracts.reception import PetitionReceived

event = CloudEvent[PetitionReceived].model_validate_json(open(sys.argv[1], "rb").read())
print(json.dumps({
    "type": event.type,
    "petition_id": str(event.data.petition_id),
    "unit": event.data.unit_code,
    "version": importlib.metadata.version("danvan-contracts"),
    "platform": [m for m in ("danvan.bus", "danvan.config", "services", "sqlalchemy", "faststream")
                 if importlib.util.find_spec(m) is not None],
    "imported": sorted(m for m in sys.modules if m.split(".")[0] == "danvan"),
}))
""",
        str(body),
        cwd=tmp_path,
    )

    result = json.loads(output)
    assert result["type"] == "vn.danvan.reception.petition.received.v1"
    assert result["petition_id"] == petition_id
    assert result["unit"] == HONG_HA
    platform_version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert result["version"] == platform_version
    assert result["platform"] == []
    assert all(m == "danvan" or m.startswith("danvan.contracts") for m in result["imported"])


async def test_follower_prints_each_of_its_provinces_petition_events_once_across_a_restart(
    platform: Platform, subscriber_python: Path, tmp_path: Path
) -> None:
    stack = platform.stack
    first = await record_petition(stack, HONG_HA)
    await classify(stack, HONG_HA, first)
    await record_petition(stack, SAIGON_COMMUNE)
    hanoi = await petition_events(platform.url, "01", 2)
    await petition_events(platform.url, "79", 1)
    # A copy of an event already in the stream, published again past JetStream's duplicate
    # window (the relay retried after a long outage): a new sequence, the same event id.
    await publish(platform.url, hanoi[0].subject, hanoi[0].event, msg_id=f"{uuid.uuid4()}")
    # A later, breaking version of a petition event, published beside v1.
    newer = {
        **hanoi[1].event,
        "id": str(uuid.uuid4()),
        "type": "vn.danvan.reception.petition.classified.v2",
    }
    await publish(platform.url, hanoi[1].subject, newer, msg_id=newer["id"])

    follow = shlex.split("--province 01 --durable hanoi --store hanoi.sqlite3 --ack-wait 1")
    run = await start_follower(
        subscriber_python, platform.subscriber_url, platform.subscriber_password, tmp_path, *follow
    )
    await caught_up(platform.url, "hanoi")
    lines, log = await run.stop()

    assert event_ids(lines) == [r.event["id"] for r in hanoi]
    assert all(line.split()[1] == HONG_HA for line in lines)
    assert "seen before" in log
    assert "petition.classified.v2: version v2 is not one this follower reads (v1)" in log

    # While it is stopped: another Hà Nội petition, whose first event another copy of the
    # follower took and never acknowledged.
    second = await record_petition(stack, HONG_HA)
    await classify(stack, HONG_HA, second)
    later = (await petition_events(platform.url, "01", 4))[2:]
    assert await take_without_ack(platform.url, "hanoi") == later[0].event["id"]

    run = await start_follower(
        subscriber_python,
        platform.subscriber_url,
        platform.subscriber_password,
        tmp_path,
        *follow,
        "--from-seq",
        "1",
    )
    await caught_up(platform.url, "hanoi")
    lines, log = await run.stop()

    # Each once, the one the other copy took included (so delivered again); it may come after
    # the event that followed it, once its ack wait has passed.
    assert sorted(event_ids(lines)) == sorted(r.event["id"] for r in later)
    assert "resumes where it stopped" in log


async def test_a_new_follower_starts_at_the_sequence_or_the_time_it_is_given(
    platform: Platform, subscriber_python: Path, tmp_path: Path
) -> None:
    stack = platform.stack
    await record_petition(stack, HONG_HA)
    await petition_events(platform.url, "01", 1)
    since = datetime.now(UTC)
    await record_petition(stack, HONG_HA)
    later = (await petition_events(platform.url, "01", 2))[1:]
    sequence = (await last_stored(platform.url, later[0].subject)).seq

    for durable, start in (
        ("by-seq", ("--from-seq", str(sequence))),
        ("by-time", ("--from-time", since.isoformat())),
    ):
        options = [*shlex.split(f"--province 01 --durable {durable}"), *start]
        run = await start_follower(
            subscriber_python,
            platform.subscriber_url,
            platform.subscriber_password,
            tmp_path,
            *options,
        )
        await caught_up(platform.url, durable)
        lines, _ = await run.stop()
        assert event_ids(lines) == [later[0].event["id"]], durable
