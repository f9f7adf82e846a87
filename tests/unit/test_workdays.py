"""Vietnam's working days and the Civil Code's counting of periods (Arts. 147–148).

Dates of days off are those of the ``holidays`` package 0.108; each expectation is worked out by
hand in a comment, weekday by weekday.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from danvan.workdays import (
    DEFAULT_CALENDAR,
    VietnamCalendar,
    add_calendar_days,
    add_working_days,
    is_working_day,
)


def d(text: str) -> date:
    return date.fromisoformat(text)


# --- which days are working days ----------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2026-03-04", True),  # an ordinary Wednesday
        ("2026-03-06", True),  # an ordinary Friday
        ("2026-03-07", False),  # Saturday
        ("2026-03-08", False),  # Sunday
        ("2026-01-01", False),  # Tết Dương lịch, a Thursday
        ("2026-01-02", True),  # the Friday after it: the package knows no bridge day in 2026
        ("2026-04-30", False),  # Ngày Chiến thắng, a Thursday
        ("2026-05-01", False),  # Quốc tế Lao động, a Friday
        ("2026-09-01", False),  # Quốc khánh, first day (Tuesday)
        ("2026-09-02", False),  # Quốc khánh (Wednesday)
        ("2026-11-24", False),  # Ngày Văn hóa Việt Nam, a holiday from 2026
        ("2025-11-24", True),  # ... but an ordinary Monday in 2025
    ],
)
def test_weekends_and_public_holidays_are_not_working_days(day: str, working: bool) -> None:
    assert is_working_day(d(day)) is working


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2026-02-13", True),  # Friday before Tết 2026: still at work
        ("2026-02-16", False),  # Monday, Giao thừa (Lunar New Year's Eve)
        ("2026-02-17", False),  # Tuesday, mùng 1 Tết
        ("2026-02-20", False),  # Friday, mùng 4 Tết
        ("2026-02-23", True),  # Monday: back at work
        ("2027-02-03", True),  # Wednesday before Tết 2027
        ("2027-02-04", False),  # Thursday, 29 Tết: in lieu of mùng 1 falling on Saturday
        ("2027-02-06", False),  # Saturday, mùng 1 Tết
        ("2027-02-10", False),  # Wednesday, mùng 5: in lieu of mùng 2 falling on Sunday
        ("2027-02-11", True),  # Thursday: back at work
    ],
)
def test_tet_keeps_offices_closed_for_five_working_days(day: str, working: bool) -> None:
    assert is_working_day(d(day)) is working


@pytest.mark.parametrize(
    "day",
    [
        "2026-04-27",  # Monday in lieu of Giỗ Tổ Hùng Vương on Sunday 2026-04-26
        "2027-05-03",  # Monday in lieu of Quốc tế Lao động on Saturday 2027-05-01
        "2026-08-31",  # Monday bridging Quốc khánh, swapped for Saturday 2026-08-22
        "2024-04-29",  # Monday bridging 30/4, swapped for Saturday 2024-05-04
    ],
)
def test_a_substitute_day_off_is_not_a_working_day(day: str) -> None:
    assert not is_working_day(d(day))


@pytest.mark.parametrize("day", ["2026-08-22", "2024-05-04", "2025-04-26"])
def test_a_saturday_worked_in_exchange_for_a_bridge_day_is_a_working_day(day: str) -> None:
    assert d(day).weekday() == 5
    assert is_working_day(d(day))


# --- periods in calendar days ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "last_day"),
    [
        # The day of the event is not counted: 1 day after Monday 2026-03-02 is Tuesday.
        ("2026-03-02", 1, "2026-03-03"),
        # 2026-03-02 + 4 = Friday 2026-03-06, a working day: no move.
        ("2026-03-02", 4, "2026-03-06"),
        # 2026-03-02 + 5 = Saturday 2026-03-07 -> Monday 2026-03-09.
        ("2026-03-02", 5, "2026-03-09"),
        # 2026-03-02 + 6 = Sunday 2026-03-08 -> Monday 2026-03-09.
        ("2026-03-02", 6, "2026-03-09"),
        # 2026-03-02 + 7 = Monday 2026-03-09, itself a working day.
        ("2026-03-02", 7, "2026-03-09"),
    ],
)
def test_a_period_in_days_ending_on_a_weekend_runs_to_monday(
    start: str, days: int, last_day: str
) -> None:
    assert add_calendar_days(d(start), days) == d(last_day)


def test_a_period_ending_during_tet_2026_runs_to_the_first_working_day_after_tet() -> None:
    # 2026-01-19 + 30 days: Jan 19 + 12 = Jan 31, + 18 = Tuesday 2026-02-17 (mùng 1 Tết).
    # Feb 18-20 are Tết, Feb 21-22 the weekend: the period ends on Monday 2026-02-23.
    assert add_calendar_days(d("2026-01-19"), 30) == d("2026-02-23")


def test_a_period_ending_during_tet_2027_runs_to_the_first_working_day_after_tet() -> None:
    # 2027-01-07 + 30 days: Jan 7 + 24 = Jan 31, + 6 = Saturday 2027-02-06 (mùng 1 Tết).
    # Feb 7 is Sunday, Feb 8-10 Tết days off: the period ends on Thursday 2027-02-11.
    assert add_calendar_days(d("2027-01-07"), 30) == d("2027-02-11")


def test_a_period_ending_on_a_bridge_day_runs_past_the_holiday_it_bridges() -> None:
    # 2026-08-21 + 10 = Monday 2026-08-31 (bridge day), then Sep 1-2 Quốc khánh: Thursday Sep 3.
    assert add_calendar_days(d("2026-08-21"), 10) == d("2026-09-03")


def test_a_period_ending_on_a_saturday_worked_in_exchange_ends_that_saturday() -> None:
    # 2026-08-12 + 10 = Saturday 2026-08-22, a working day by the 2026 swap.
    assert add_calendar_days(d("2026-08-12"), 10) == d("2026-08-22")


def test_a_period_ending_on_new_years_day_runs_into_the_next_year() -> None:
    # 2026-12-22 + 10 = Friday 2027-01-01 (Tết Dương lịch), Jan 2-3 weekend: Monday 2027-01-04.
    assert add_calendar_days(d("2026-12-22"), 10) == d("2027-01-04")


# --- periods in working days ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "last_day"),
    [
        # The next working day after Friday 2026-03-06 is Monday 2026-03-09.
        ("2026-03-06", 1, "2026-03-09"),
        # Received on Saturday 2026-03-07: Monday is day 1, Friday 2026-03-13 day 5.
        ("2026-03-07", 5, "2026-03-13"),
        # From Monday 2026-03-02: Mar 3, 4, 5, 6 are days 1-4, Monday Mar 9 is day 5.
        ("2026-03-02", 5, "2026-03-09"),
    ],
)
def test_working_days_skip_the_weekend_and_the_day_of_the_event(
    start: str, days: int, last_day: str
) -> None:
    assert add_working_days(d(start), days) == d(last_day)


def test_working_days_across_tet_2026_skip_the_whole_holiday() -> None:
    # From Thursday 2026-02-12: Fri Feb 13 is day 1; Feb 14-22 are off (weekends and Tết);
    # Mon Feb 23 is day 2, Tue Feb 24 day 3.
    assert add_working_days(d("2026-02-12"), 3) == d("2026-02-24")


def test_working_days_across_a_substitute_day_off_skip_it() -> None:
    # From Thursday 2027-04-29: Apr 30 holiday, May 1-2 weekend, Mon May 3 in lieu of May 1;
    # Tue May 4 is day 1, Wed May 5 day 2, Thu May 6 day 3.
    assert add_working_days(d("2027-04-29"), 3) == d("2027-05-06")


def test_working_days_count_a_saturday_worked_in_exchange() -> None:
    # From Friday 2026-08-21: Saturday Aug 22 is worked (day 1), Monday Aug 24 day 2.
    assert add_working_days(d("2026-08-21"), 1) == d("2026-08-22")
    assert add_working_days(d("2026-08-21"), 2) == d("2026-08-24")


def test_working_days_across_the_national_day_bridge_skip_four_days() -> None:
    # From Friday 2026-08-28: Aug 29-30 weekend, Aug 31 bridge, Sep 1-2 Quốc khánh: Thu Sep 3.
    assert add_working_days(d("2026-08-28"), 1) == d("2026-09-03")


@pytest.mark.parametrize("days", [1, 5, 7, 10])
def test_a_working_day_period_always_ends_on_a_working_day_after_exactly_that_many(
    days: int,
) -> None:
    # Every start from mid-January to mid-March 2026, Tết included.
    for offset in range(60):
        start = d("2026-01-15") + timedelta(days=offset)
        end = add_working_days(start, days)
        counted = [
            start + timedelta(days=n)
            for n in range(1, (end - start).days + 1)
            if is_working_day(start + timedelta(days=n))
        ]
        assert is_working_day(end)
        assert len(counted) == days
        assert counted[-1] == end


# --- configuration: a year's government decision ---------------------------------------------


def test_an_extra_day_off_from_configuration_is_skipped() -> None:
    # Say the government adds Tuesday 2026-03-10 as a day off.
    calendar = VietnamCalendar(extra_days_off=[d("2026-03-10")])
    assert not calendar.is_working_day(d("2026-03-10"))
    # From Monday 2026-03-09: Tuesday is off, so day 1 is Wednesday 2026-03-11.
    assert calendar.add_working_days(d("2026-03-09"), 1) == d("2026-03-11")
    # A period in days ending on it runs to the next working day.
    assert calendar.add_calendar_days(d("2026-03-05"), 5) == d("2026-03-11")


def test_an_extra_working_saturday_from_configuration_ends_a_period_on_it() -> None:
    # Wednesday 2026-03-04 + 10 = Saturday 2026-03-14: Monday 03-16 normally...
    assert add_calendar_days(d("2026-03-04"), 10) == d("2026-03-16")
    # ... but that Saturday itself when configuration makes it a working day.
    calendar = VietnamCalendar(extra_working_days=[d("2026-03-14")])
    assert calendar.add_calendar_days(d("2026-03-04"), 10) == d("2026-03-14")
    # From Friday 2026-03-13, the Saturday is working day 1.
    assert calendar.add_working_days(d("2026-03-13"), 1) == d("2026-03-14")


def test_configuration_can_correct_a_day_the_package_thinks_is_off() -> None:
    # If the 2027 decision kept Thursday 2027-02-04 (29 Tết in the package) as a working day:
    calendar = VietnamCalendar(extra_working_days=[d("2027-02-04")])
    assert calendar.is_working_day(d("2027-02-04"))
    assert not DEFAULT_CALENDAR.is_working_day(d("2027-02-04"))


def test_a_calendar_with_extras_leaves_the_default_calendar_alone() -> None:
    VietnamCalendar(extra_days_off=[d("2026-03-10")]).is_working_day(d("2026-03-10"))
    assert is_working_day(d("2026-03-10"))


def test_a_day_cannot_be_both_an_extra_day_off_and_an_extra_working_day() -> None:
    with pytest.raises(ValueError, match="2026-03-14"):
        VietnamCalendar(extra_days_off=[d("2026-03-14")], extra_working_days=[d("2026-03-14")])


def test_the_extras_are_visible_on_the_calendar() -> None:
    calendar = VietnamCalendar(
        extra_days_off=[d("2026-03-10")], extra_working_days=(d("2026-03-14"),)
    )
    assert calendar.extra_days_off == frozenset({d("2026-03-10")})
    assert calendar.extra_working_days == frozenset({d("2026-03-14")})


# --- misuse -------------------------------------------------------------------------------


@pytest.mark.parametrize("days", [0, -1])
def test_a_period_of_no_days_is_refused(days: int) -> None:
    with pytest.raises(ValueError, match="at least one day"):
        add_calendar_days(d("2026-03-02"), days)
    with pytest.raises(ValueError, match="at least one day"):
        add_working_days(d("2026-03-02"), days)


def test_a_timestamp_is_refused_because_only_a_local_date_decides_the_day() -> None:
    moment = datetime(2026, 3, 2, 23, 30)
    with pytest.raises(TypeError, match="local date"):
        is_working_day(moment)
    with pytest.raises(TypeError, match="local date"):
        add_working_days(moment, 1)
    with pytest.raises(TypeError, match="local date"):
        VietnamCalendar(extra_days_off=[moment])


def test_the_module_functions_use_the_default_calendar() -> None:
    start = d("2026-02-12")
    assert add_working_days(start, 3) == DEFAULT_CALENDAR.add_working_days(start, 3)
    assert add_calendar_days(start, 5) == DEFAULT_CALENDAR.add_calendar_days(start, 5)
    assert is_working_day(start) is DEFAULT_CALENDAR.is_working_day(start)
