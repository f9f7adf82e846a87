"""Vietnam's working-day calendar and the Civil Code 2015's counting of periods (Arts. 147–148).

Public holidays come from the ``holidays`` package's Vietnam calendar, which knows the holidays
of the Labour Code (Tết Dương lịch, five working days of Tết Nguyên Đán, Giỗ Tổ Hùng Vương,
30/4, 1/5, the two days of Quốc khánh and, from 2026, Ngày Văn hóa Việt Nam on 24/11), the
substitute days off ("nghỉ bù") when one falls on a weekend, and the days swapped by the
government's yearly decisions that it has been told about ("ngày làm bù": a Saturday made a
working day in exchange for a bridging day off). What it does not know yet — a decision taken
after its release, or a local day off — the caller adds with ``extra_days_off`` and
``extra_working_days``.

Counting (Civil Code 2015, Arts. 147–148): the day of the event is not counted; a period in days
ends at the end of its last day; when that day is not a working day the period ends at the end of
the next working day. A Saturday the government made a working day counts as a working day here:
state offices are open on it, so a step can be taken and a period can end on it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

import holidays

_SATURDAY = 5
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class _PackageYear:
    """What the ``holidays`` package says about one year, computed once per process."""

    days_off: frozenset[date]
    working_weekend_days: frozenset[date]


@cache
def _package_year(year: int) -> _PackageYear:
    # One immutable snapshot per year: the package's objects grow lazily as they are queried and
    # would be shared, mutable state across every caller.
    calendar = holidays.country_holidays("VN", years=year)
    return _PackageYear(
        days_off=frozenset(calendar),
        working_weekend_days=frozenset(d for d in calendar.weekend_workdays if d.year == year),
    )


def _require_date(day: date) -> None:
    # A datetime is a date to Python; accepting it would skip the conversion to Vietnam's local
    # date that decides which day a fact happened on.
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError(f"expected a local date in Vietnam, got {day!r}")


def _require_positive(days: int) -> None:
    if days < 1:
        raise ValueError(f"a period counts at least one day, got {days}")


class VietnamCalendar:
    """Vietnam's working days: Monday to Friday, less public holidays and days off in lieu.

    Args:
        extra_days_off: dates that are not working days although the ``holidays`` package
            thinks they are, e.g. a bridging day off from a government decision it does not
            know yet.
        extra_working_days: dates that are working days although the package thinks they are
            not, e.g. the Saturday worked in exchange ("ngày làm bù") for that bridging day.

    The extras win over the package, so configuration can also correct it. A date cannot be in
    both. Holiday sets are cached per year for the whole process, so instances are cheap.
    """

    def __init__(
        self,
        *,
        extra_days_off: Iterable[date] = (),
        extra_working_days: Iterable[date] = (),
    ) -> None:
        days_off = frozenset(extra_days_off)
        working_days = frozenset(extra_working_days)
        for day in days_off | working_days:
            _require_date(day)
        if clash := days_off & working_days:
            listed = ", ".join(sorted(d.isoformat() for d in clash))
            raise ValueError(f"a date cannot be both an extra day off and working day: {listed}")
        self._extra_days_off = days_off
        self._extra_working_days = working_days

    @property
    def extra_days_off(self) -> frozenset[date]:
        return self._extra_days_off

    @property
    def extra_working_days(self) -> frozenset[date]:
        return self._extra_working_days

    def is_working_day(self, day: date) -> bool:
        """Whether state offices work on ``day``."""
        _require_date(day)
        if day in self._extra_working_days:
            return True
        if day in self._extra_days_off:
            return False
        year = _package_year(day.year)
        if day in year.working_weekend_days:
            return True
        return day.weekday() < _SATURDAY and day not in year.days_off

    def working_day_on_or_after(self, day: date) -> date:
        """``day`` itself when it is a working day, else the next working day."""
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def add_calendar_days(self, start: date, days: int) -> date:
        """The last day of a period of ``days`` calendar days starting after ``start``.

        The day of the event (``start``) is not counted; when the last day is a weekend or a
        day off the period runs to the end of the next working day (Civil Code Art. 148).
        """
        _require_date(start)
        _require_positive(days)
        return self.working_day_on_or_after(start + timedelta(days=days))

    def add_working_days(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start``, which is always a working day.

        ``start`` itself is never counted, even when it is a working day: the day of the event
        does not count (Civil Code Art. 147). A petition received on a Saturday has the next
        Monday as its first day.
        """
        _require_date(start)
        _require_positive(days)
        day = start
        for _ in range(days):
            day = self.working_day_on_or_after(day + _ONE_DAY)
        return day


DEFAULT_CALENDAR = VietnamCalendar()


def is_working_day(day: date) -> bool:
    """Whether ``day`` is a working day on the default calendar (the package's data alone)."""
    return DEFAULT_CALENDAR.is_working_day(day)


def add_calendar_days(start: date, days: int) -> date:
    """:meth:`VietnamCalendar.add_calendar_days` on the default calendar."""
    return DEFAULT_CALENDAR.add_calendar_days(start, days)


def add_working_days(start: date, days: int) -> date:
    """:meth:`VietnamCalendar.add_working_days` on the default calendar."""
    return DEFAULT_CALENDAR.add_working_days(start, days)
