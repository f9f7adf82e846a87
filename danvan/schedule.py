"""The head's reception schedule the law sets for each level (Luật Tiếp công dân 2013, Arts. 12,
13, 15) and how many reception days it requires over a span of days."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from danvan.periods import Period
from danvan.units import Level

_THURSDAY = 3


@dataclass(frozen=True, slots=True)
class ScheduleRule:
    per: str  # "week" or "month"
    days: int
    basis: str


def schedule_rule(level: Level) -> ScheduleRule | None:
    """Luật Tiếp công dân Arts. 12, 13, 15: how often the head must receive citizens."""
    if level is Level.COMMUNE:
        return ScheduleRule("week", 1, "Luật Tiếp công dân 2013 Art. 15: 1 day a week")
    if level is Level.DISTRICT:
        return ScheduleRule("month", 2, "Luật Tiếp công dân 2013 Art. 13: 2 days a month")
    if level is Level.PROVINCE:
        return ScheduleRule("month", 1, "Luật Tiếp công dân 2013 Art. 12: 1 day a month")
    return None


def _buckets(start: date, end: date, per: str) -> list[tuple[str, date, date]]:
    """The weeks (Monday to Sunday) whose Thursday falls in [start, end], as ISO weeks belong
    to the month of their Thursday, so a week across two months is required in exactly one;
    or the whole months inside [start, end]."""
    found: list[tuple[str, date, date]] = []
    if per == "week":
        monday = start - timedelta(days=start.weekday())
        while monday + timedelta(days=3) <= end:
            if monday + timedelta(days=3) >= start:
                year, week, _ = monday.isocalendar()
                found.append((f"{year}-W{week:02d}", monday, monday + timedelta(days=6)))
            monday += timedelta(days=7)
        return found
    month = date(start.year, start.month, 1)
    if month < start:
        month = _next_month(month)
    while _next_month(month) - timedelta(days=1) <= end:
        found.append((f"{month:%Y-%m}", month, _next_month(month) - timedelta(days=1)))
        month = _next_month(month)
    return found


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


@dataclass(frozen=True, slots=True)
class Compliance:
    required_days: int
    held_days: int
    kept: bool
    missing: list[str]


def schedule_compliance(
    rule: ScheduleRule, period: Period, held: Iterable[date], today: date
) -> Compliance:
    """Whether each week or month of the period that has ended by today had its days. A
    week's days may lie just outside the period (a week across two months): pass them too."""
    start, end = period.date_range()
    days = sorted(set(held))
    missing: list[str] = []
    required = 0
    for label, first, last in _buckets(start, end, rule.per):
        if last > today:
            continue  # not over yet: nothing is missing
        required += rule.days
        if sum(1 for d in days if first <= d <= last) < rule.days:
            missing.append(label)
    held_in_period = [d for d in days if start <= d <= min(end, today)]
    return Compliance(required, len(held_in_period), not missing, missing)


def required_days(rule: ScheduleRule, start: date, end: date, today: date) -> int:
    """Days the rule requires in [start, end], counting only the weeks or months over by
    `today`: the sum of what `schedule_compliance` requires, without listing the weeks."""
    if rule.per == "week":
        # A week is required where its Thursday falls, once its Sunday (Thursday + 3) is past.
        last = min(end, today - timedelta(days=3))
        first = start + timedelta(days=(_THURSDAY - start.weekday()) % 7)
        weeks = 0 if last < first else (last - first).days // 7 + 1
        return weeks * rule.days
    months = _buckets(start, end, rule.per)
    return rule.days * sum(1 for _, _, month_end in months if month_end <= today)
