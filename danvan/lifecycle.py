"""Rules every record with a lifecycle shares (models, exemplars, petitions): a step is dated
today unless stated, never in the future and never before the record's last step; a step on
a record that has moved on since the caller read it, or that its state does not allow, is a
conflict that says what is allowed now."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from danvan.contracts.rpc import ErrorCode, ErrorDetail, Message, ServiceError
from danvan.periods import MIN_YEAR, InvalidPeriod, Period


def invalid(field: str, reason: Message) -> ServiceError:
    """A 422 naming one field."""
    return ServiceError(ErrorCode.VALIDATION, reason, [ErrorDetail(field=field, reason=reason)])


def period_of(code: str, field: str = "period") -> Period:
    """The period a code names, or a 422 naming the field and the accepted forms."""
    try:
        return Period.parse(code)
    except InvalidPeriod as error:
        raise invalid(field, error.message) from error


def compared_period_of(code: str, field: str = "period") -> Period:
    """A period for a view that compares it with the same period of the year before ("cùng
    kỳ"): a 422 for the first supported year, which has no year before it."""
    period = period_of(code, field)
    try:
        period.same_period_last_year()
    except InvalidPeriod as error:
        raise invalid(
            field,
            Message(
                vi=f"{period.code} không có năm trước để so sánh cùng kỳ: "
                f"số liệu bắt đầu từ năm {MIN_YEAR + 1}",
                en=f"{period.code} has no year before it to compare with: "
                f"views start from the year {MIN_YEAR + 1}",
            ),
        ) from error
    return period


def not_after_today(day: date, today: date, field: str) -> None:
    if day > today:
        raise invalid(
            field,
            Message(
                vi=f"ngày {day} là ngày trong tương lai (hôm nay là {today})",
                en=f"{day} is in the future (today is {today})",
            ),
        )


def step_day(requested: date | None, last_step_on: date, today: date, noun: Message) -> date:
    """The day of a step: today unless stated; never in the future, never before the last."""
    on = requested or today
    not_after_today(on, today, "on")
    if on < last_step_on:
        raise invalid(
            "on",
            Message(
                vi=f"ngày {on} là trước bước xử lý gần nhất của {noun.vi}, ngày {last_step_on}",
                en=f"{on} is before the {noun.en}'s last step on {last_step_on}",
            ),
        )
    return on


def check_version(noun: Message, current: int, expected: int | None) -> None:
    if expected is not None and expected != current:
        raise ServiceError(
            ErrorCode.CONFLICT,
            Message(
                vi=f"{noun.vi} đang ở phiên bản {current}, không phải {expected}: "
                "hãy tải lại rồi thử lại",
                en=f"the {noun.en} is at version {current}, not {expected}: "
                "reload it and try again",
            ),
        )


def changed_meanwhile(noun: Message) -> ServiceError:
    """A 409 for a write that lost a race with another one to the same record."""
    return ServiceError(
        ErrorCode.CONFLICT,
        Message(
            vi=f"{noun.vi} vừa được người khác thay đổi: hãy tải lại rồi thử lại",
            en=f"the {noun.en} changed meanwhile: reload it and try again",
        ),
    )


def refuse_transition(
    noun: Message, action: str, status: str, allowed: Iterable[str]
) -> ServiceError:
    names = ", ".join(allowed)
    return ServiceError(
        ErrorCode.CONFLICT,
        Message(
            vi=f"không thể thực hiện thao tác {action} với {noun.vi} đang ở trạng thái {status}; "
            f"các thao tác được phép lúc này: {names or 'không có'}",
            en=f"cannot {action} a {noun.en} that is {status}; allowed now: {names or 'none'}",
        ),
    )
