"""The kernel's clock: "now" and "today" in Vietnam, injectable so tests can move time."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


class Clock(Protocol):
    def now(self) -> datetime:
        """An aware datetime in Vietnam's time zone."""
        ...

    def today(self) -> date:
        """The local date in Vietnam."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(VIETNAM)

    def today(self) -> date:
        return self.now().date()


class FixedClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at.astimezone(VIETNAM)

    def now(self) -> datetime:
        return self._at

    def today(self) -> date:
        return self._at.date()

    def advance(self, delta: timedelta) -> None:
        self._at += delta


def local_date(moment: datetime) -> date:
    """The date in Vietnam of an aware moment: 06:30 on 1 January local time is January."""
    if moment.tzinfo is None:
        raise ValueError("a timestamp must carry its offset")
    return moment.astimezone(VIETNAM).date()
