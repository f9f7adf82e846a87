"""What a dead letter carries, what a replay's bounds mean, and which failures are an outage
rather than the event's fault: no server needed."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import unquote

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from danvan.clock import VIETNAM
from danvan.db import unreachable
from danvan.dead_letters import (
    MAX_ERROR_LENGTH,
    Origin,
    consumer_of,
    dead_subject,
    header_text,
    origin_from_headers,
    origin_headers,
    retry_durable,
    retry_subject,
)
from danvan.replaying import ReplayRefused, parse_bound

DURABLE = "reporting-figures-reception-v1"


def test_a_consumers_dead_letters_and_retries_have_subjects_of_its_name() -> None:
    assert dead_subject(DURABLE) == "dlq.dead.reporting-figures-reception-v1"
    assert retry_subject(DURABLE) == "dlq.retry.reporting-figures-reception-v1"
    assert consumer_of(dead_subject(DURABLE)) == consumer_of(retry_subject(DURABLE)) == DURABLE
    assert retry_durable(DURABLE).startswith("reporting-")


def test_an_error_in_a_header_is_one_ascii_line_that_reads_back_the_same() -> None:
    error = "không đếm được đơn của Phường Hồng Hà\n\t(100% chắc)"
    carried = header_text(error)
    assert carried.isascii()
    assert "\n" not in carried
    assert unquote(carried) == "không đếm được đơn của Phường Hồng Hà (100% chắc)"


def test_a_long_error_is_cut_short() -> None:
    carried = unquote(header_text("x" * 5000))
    assert len(carried) == MAX_ERROR_LENGTH
    assert carried.endswith("…")


def test_a_retry_says_where_its_event_was_first_published() -> None:
    origin = Origin("RECEPTION", 42, "evt.reception.petition.received.01")
    headers = origin_headers(origin, "4b1c…")
    assert origin_from_headers(headers) == origin
    assert origin_from_headers({**headers, "Danvan-Sequence": "forty-two"}) is None
    assert origin_from_headers({}) is None


def test_a_replay_starts_at_a_sequence_or_a_time_in_vietnam_unless_told() -> None:
    assert parse_bound("120") == 120
    assert parse_bound("2026-03-01T08:00") == datetime(2026, 3, 1, 8, 0, tzinfo=VIETNAM)
    assert parse_bound("2026-03-01") == datetime(2026, 3, 1, tzinfo=VIETNAM)
    assert parse_bound("2026-03-01T01:00:00+00:00") == datetime(2026, 3, 1, 1, tzinfo=UTC)
    with pytest.raises(ReplayRefused, match="neither a stream sequence nor an ISO time"):
        parse_bound("last week")


def test_a_database_that_cannot_be_reached_is_an_outage_a_broken_row_is_not() -> None:
    assert unreachable(ConnectionRefusedError("refused"))
    assert unreachable(OperationalError("SELECT 1", {}, OSError("database is locked")))
    assert not unreachable(IntegrityError("INSERT …", {}, ValueError("duplicate key")))
    assert not unreachable(ValueError("a payload without its class"))
