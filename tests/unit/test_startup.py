"""How a starting service waits for its servers, and what its log says meanwhile."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.exc import DBAPIError

from danvan.startup import (
    FIRST_DELAY,
    LONGEST_DELAY,
    Patience,
    Refused,
    StartupFailed,
    database_address,
    describe,
    nats_address,
    next_delay,
)


def test_waits_double_from_half_a_second_to_ten_seconds_each_a_little_shorter_at_random() -> None:
    for attempt in range(1, 12):
        longest = min(LONGEST_DELAY, FIRST_DELAY * 2 ** (attempt - 1))
        delays = {next_delay(attempt) for _ in range(50)}
        assert all(0.8 * longest <= delay <= longest for delay in delays)
        assert len(delays) > 1  # jittered, so copies started together spread out
    assert next_delay(30) <= LONGEST_DELAY


def test_the_log_names_servers_and_databases_without_their_passwords() -> None:
    servers = ["nats://registry:s3cret@nats-1:4222", "nats://nats-2:4222"]
    assert nats_address(servers) == "nats://registry@nats-1:4222, nats://nats-2:4222"
    shown = database_address("postgresql+asyncpg://registry:s3cret@postgres:5432/registry")
    assert shown == "postgresql+asyncpg://registry:***@postgres:5432/registry"


def test_errors_are_told_in_the_words_of_whoever_refused() -> None:
    assert describe(TimeoutError()) == "no answer within 5 s"
    assert describe(ConnectionRefusedError(111, "Connect call failed")) == (
        "[Errno 111] Connect call failed"
    )
    wrapped = DBAPIError("SELECT 1", None, Exception('database "registry" does not exist'))
    assert describe(wrapped) == 'database "registry" does not exist'


async def test_a_wait_logs_what_it_waits_for_where_why_and_when_it_tries_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    tries = 0

    async def answers_the_second_time() -> None:
        nonlocal tries
        tries += 1
        if tries == 1:
            raise ConnectionRefusedError(111, "Connect call failed")

    with caplog.at_level(logging.INFO, logger="danvan.startup"):
        await Patience(None).until_done("NATS", "nats://nats-1:4222", answers_the_second_time)
    waiting, answered = caplog.messages
    assert waiting.startswith(
        "waiting for NATS at nats://nats-1:4222: [Errno 111] Connect call failed; next try in 0."
    )
    assert answered.startswith("NATS at nats://nats-1:4222 answers (after 0.")


async def test_a_wait_gives_up_when_the_next_try_would_come_after_its_limit() -> None:
    async def never() -> None:
        raise ConnectionRefusedError(111, "Connect call failed")

    with pytest.raises(StartupFailed) as failed:
        await Patience(0.1).until_done("the registry database", "postgresql://db/r", never)
    assert str(failed.value) == (
        "gave up waiting for the registry database at postgresql://db/r after 0 s "
        "(DANVAN_STARTUP_TIMEOUT=0.1): [Errno 111] Connect call failed"
    )


async def test_an_answer_that_waiting_cannot_change_ends_the_wait_at_once() -> None:
    async def refused() -> None:
        raise Refused("user 'gateway' is not allowed")

    with pytest.raises(StartupFailed, match="NATS at nats://n:4222 refused us: user 'gateway'"):
        await Patience(None).until_done("NATS", "nats://n:4222", refused)
