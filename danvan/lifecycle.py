"""Rules every record with a lifecycle shares (models, exemplars, petitions): a step is dated
today unless stated, never in the future and never before the record's last step; a step on
a record that has moved on since the caller read it, or that its state does not allow, is a
conflict that says what is allowed now."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from danvan.contracts.rpc import ErrorCode, ErrorDetail, ServiceError
from danvan.periods import MIN_YEAR, InvalidPeriod, Period


def invalid(field: str, reason: str) -> ServiceError:
    """A 422 naming one field."""
    return ServiceError(ErrorCode.VALIDATION, reason, [ErrorDetail(field=field, reason=reason)])


def period_of(code: str, field: str = "period") -> Period:
    """The period a code names, or a 422 naming the field and the accepted forms."""
    try:
        return Period.parse(code)
    except InvalidPeriod as error:
        raise invalid(field, str(error)) from error


def compared_period_of(code: str, field: str = "period") -> Period:
    """A period for a view that compares it with the same period of the year before ("cùng
    kỳ"): a 422 for the first supported year, which has no year before it."""
    period = period_of(code, field)
    try:
        period.same_period_last_year()
    except InvalidPeriod as error:
        raise invalid(
            field,
            f"{period.code} has no year before it to compare with: "
            f"views start from the year {MIN_YEAR + 1}",
        ) from error
    return period


def not_after_today(day: date, today: date, field: str) -> None:
    if day > today:
        raise invalid(field, f"{day} is in the future (today is {today})")


def step_day(requested: date | None, last_step_on: date, today: date, noun: str) -> date:
    """The day of a step: today unless stated; never in the future, never before the last."""
    on = requested or today
    not_after_today(on, today, "on")
    if on < last_step_on:
        raise invalid("on", f"{on} is before the {noun}'s last step on {last_step_on}")
    return on


def check_version(noun: str, current: int, expected: int | None) -> None:
    if expected is not None and expected != current:
        raise ServiceError(
            ErrorCode.CONFLICT,
            f"the {noun} is at version {current}, not {expected}: reload it and try again",
        )


def refuse_transition(noun: str, action: str, status: str, allowed: Iterable[str]) -> ServiceError:
    names = ", ".join(allowed) or "none"
    return ServiceError(
        ErrorCode.CONFLICT,
        f"cannot {action} a {noun} that is {status}; allowed now: {names}",
    )
