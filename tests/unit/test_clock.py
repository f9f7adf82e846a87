"""The kernel's clock: Vietnam's local time, movable by tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from danvan.clock import VIETNAM, FixedClock, SystemClock, local_date


def test_a_moment_at_0630_on_1_january_in_vietnam_is_in_january() -> None:
    # 23:30 UTC on 31 December is 06:30 on 1 January in Vietnam (UTC+7).
    assert local_date(datetime(2023, 12, 31, 23, 30, tzinfo=UTC)) == date(2024, 1, 1)


def test_a_naive_timestamp_is_refused() -> None:
    with pytest.raises(ValueError, match="offset"):
        local_date(datetime(2024, 1, 1, 6, 30))


def test_a_fixed_clock_moves_only_when_told() -> None:
    clock = FixedClock(datetime(2026, 3, 31, 20, 0, tzinfo=UTC))
    assert clock.today() == date(2026, 4, 1)
    assert clock.now().utcoffset() == timedelta(hours=7)
    clock.advance(timedelta(days=30))
    assert clock.today() == date(2026, 5, 1)


def test_the_system_clock_speaks_vietnamese_time() -> None:
    now = SystemClock().now()
    assert now.tzinfo is VIETNAM
    assert SystemClock().today() == now.date()
