"""Report periods: their codes, their date ranges (calendar or Decree 09 cut-off) and labels.

Codes: ``2024`` (year), ``2024S1``/``2024S2`` (half-years), ``2024Q1``…``2024Q4`` (quarters),
``202401``…``202412`` (months) and ``2024NM`` (the first nine months).

Decree 09/2019/NĐ-CP, Art. 12, sets the data cut-off of the reports of state administrative
bodies: a report's data run from the 15th of the month before the period's first month to the
14th of its last month. Under that basis 2024-12-20 belongs to January 2025, to Q1 2025 and to
the year 2025.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from danvan.contracts.rpc import Message
from danvan.messages import MessageError

MIN_YEAR = 1900
MAX_YEAR = 2999

# Decree 09/2019/NĐ-CP Art. 12: a period's data start on this day of the month before it.
CUTOFF_DAY = 15

ACCEPTED_FORMS = Message(
    vi="YYYY (năm), YYYYS1 hoặc YYYYS2 (sáu tháng), YYYYQ1 đến YYYYQ4 (quý), "
    "YYYYMM với MM từ 01 đến 12 (tháng) hoặc YYYYNM (chín tháng đầu năm), "
    f"với năm từ {MIN_YEAR} đến {MAX_YEAR}",
    en="YYYY (year), YYYYS1 or YYYYS2 (half-year), YYYYQ1 to YYYYQ4 (quarter), "
    "YYYYMM with MM from 01 to 12 (month) or YYYYNM (first nine months), "
    f"with a year from {MIN_YEAR} to {MAX_YEAR}",
)


class PeriodKind(StrEnum):
    YEAR = "year"
    HALF = "half"
    QUARTER = "quarter"
    MONTH = "month"
    NINE_MONTHS = "nine_months"


class Basis(StrEnum):
    CALENDAR = "calendar"
    CUTOFF = "cutoff"  # Decree 09/2019/NĐ-CP Art. 12


class InvalidPeriod(MessageError):
    """A code or a set of fields that names no period."""


# How many periods of a kind a year holds, and how many months each spans.
_COUNT: dict[PeriodKind, int] = {
    PeriodKind.YEAR: 1,
    PeriodKind.HALF: 2,
    PeriodKind.QUARTER: 4,
    PeriodKind.MONTH: 12,
    PeriodKind.NINE_MONTHS: 1,
}
_MONTHS: dict[PeriodKind, int] = {
    PeriodKind.YEAR: 12,
    PeriodKind.HALF: 6,
    PeriodKind.QUARTER: 3,
    PeriodKind.MONTH: 1,
    PeriodKind.NINE_MONTHS: 9,
}

_CODE = re.compile(
    r"(?P<year>[0-9]{4})(?:(?P<letter>[SQ])(?P<number>[0-9]+)|(?P<month>[0-9]{2})|(?P<nm>NM))?",
    re.ASCII,
)

_ROMAN = ("I", "II", "III", "IV")
_MONTH_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _invalid(code: object, reason: Message) -> InvalidPeriod:
    return InvalidPeriod(
        Message(
            vi=f"mã kỳ {code!r} không hợp lệ: {reason.vi}; các dạng được nhận: {ACCEPTED_FORMS.vi}",
            en=f"invalid period code {code!r}: {reason.en}; accepted forms: {ACCEPTED_FORMS.en}",
        )
    )


_NOT_A_STRING = Message(vi="mã kỳ phải là một chuỗi ký tự", en="a period code must be a string")
_EMPTY = Message(vi="mã kỳ đang để trống", en="the code is empty")
_NOT_A_CODE = Message(vi="đây không phải là một mã kỳ", en="not a period code")
# Only the kinds with more than one period a year can name one out of range.
_INDEX_RANGE: dict[PeriodKind, Message] = {
    PeriodKind.HALF: Message(vi="nửa năm phải là 1 hoặc 2", en="half-year must be 1 or 2"),
    PeriodKind.QUARTER: Message(vi="quý phải từ 1 đến 4", en="quarter must be 1 to 4"),
    PeriodKind.MONTH: Message(vi="tháng phải từ 01 đến 12", en="month must be 01 to 12"),
}


def _month_before(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """One report period. ``index`` is 1 for a year or the nine months, 1-2 for a half-year,
    1-4 for a quarter and 1-12 for a month.

    Ordering compares ``kind`` first (by its value), then ``year`` and ``index``: periods of one
    kind sort chronologically.
    """

    kind: PeriodKind
    year: int
    index: int

    def __post_init__(self) -> None:
        try:
            kind = PeriodKind(self.kind)
        except ValueError:
            kinds = ", ".join(k.value for k in PeriodKind)
            raise InvalidPeriod(
                Message(
                    vi=f"không có loại kỳ {self.kind!r}; chỉ nhận một trong các loại {kinds}",
                    en=f"unknown period kind {self.kind!r}; expected one of {kinds}",
                )
            ) from None
        object.__setattr__(self, "kind", kind)
        if type(self.year) is not int or not MIN_YEAR <= self.year <= MAX_YEAR:
            raise InvalidPeriod(
                Message(
                    vi=f"năm của kỳ {self.year!r} nằm ngoài khoảng cho phép: "
                    f"từ {MIN_YEAR} đến {MAX_YEAR}",
                    en=f"period year {self.year!r} is out of range: "
                    f"expected {MIN_YEAR} to {MAX_YEAR}",
                )
            )
        count = _COUNT[kind]
        if type(self.index) is not int or not 1 <= self.index <= count:
            raise InvalidPeriod(
                Message(
                    vi=f"số thứ tự {self.index!r} nằm ngoài khoảng cho phép của kỳ "
                    f"{kind.value}: từ 1 đến {count}",
                    en=f"index {self.index!r} is out of range for a {kind.value} period: "
                    f"expected 1 to {count}",
                )
            )

    @classmethod
    def parse(cls, code: str) -> Period:
        """Read a period code; raise InvalidPeriod naming the code and the accepted forms."""
        if not isinstance(code, str):
            raise _invalid(code, _NOT_A_STRING)
        text = code.strip().upper()
        if not text:
            raise _invalid(code, _EMPTY)
        match = _CODE.fullmatch(text)
        if match is None:
            raise _invalid(code, _NOT_A_CODE)
        year = int(match["year"])
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise _invalid(
                code,
                Message(
                    vi=f"năm {year} nằm ngoài khoảng cho phép", en=f"year {year} is out of range"
                ),
            )
        if match["letter"] == "S":
            kind, index = PeriodKind.HALF, int(match["number"])
        elif match["letter"] == "Q":
            kind, index = PeriodKind.QUARTER, int(match["number"])
        elif match["month"] is not None:
            kind, index = PeriodKind.MONTH, int(match["month"])
        elif match["nm"] is not None:
            kind, index = PeriodKind.NINE_MONTHS, 1
        else:
            kind, index = PeriodKind.YEAR, 1
        if not 1 <= index <= _COUNT[kind]:
            raise _invalid(code, _INDEX_RANGE[kind])
        return cls(kind, year, index)

    @property
    def code(self) -> str:
        """The period's code; ``Period.parse(p.code) == p``."""
        if self.kind is PeriodKind.YEAR:
            return f"{self.year}"
        if self.kind is PeriodKind.HALF:
            return f"{self.year}S{self.index}"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.year}Q{self.index}"
        if self.kind is PeriodKind.MONTH:
            return f"{self.year}{self.index:02d}"
        return f"{self.year}NM"

    def __str__(self) -> str:
        return self.code

    @property
    def _first_month(self) -> int:
        return (self.index - 1) * _MONTHS[self.kind] + 1

    @property
    def _last_month(self) -> int:
        return self._first_month + _MONTHS[self.kind] - 1

    def date_range(self, basis: Basis = Basis.CALENDAR) -> tuple[date, date]:
        """The first and the last day of the period, both inclusive."""
        first, last = self._first_month, self._last_month
        if Basis(basis) is Basis.CUTOFF:
            start_year, start_month = _month_before(self.year, first)
            return (
                date(start_year, start_month, CUTOFF_DAY),
                date(self.year, last, CUTOFF_DAY) - timedelta(days=1),
            )
        last_day = calendar.monthrange(self.year, last)[1]
        return date(self.year, first, 1), date(self.year, last, last_day)

    def contains(self, day: date, basis: Basis = Basis.CALENDAR) -> bool:
        start, end = self.date_range(basis)
        return start <= day <= end

    def same_period_last_year(self) -> Period:
        """The same period of the previous year ("cùng kỳ")."""
        return Period(self.kind, self.year - 1, self.index)

    def previous(self) -> Period:
        """The period of the same kind just before this one."""
        if self.index > 1:
            return Period(self.kind, self.year, self.index - 1)
        return Period(self.kind, self.year - 1, _COUNT[self.kind])

    def label(self, lang: str = "vi") -> str:
        """The name a person reads: Vietnamese ("vi", the default) or English ("en")."""
        primary = lang.strip().lower().replace("_", "-").split("-")[0]
        if primary == "vi":
            return self._label_vi()
        if primary == "en":
            return self._label_en()
        raise ValueError(f"unsupported label language {lang!r}: expected 'vi' or 'en'")

    def _label_vi(self) -> str:
        if self.kind is PeriodKind.YEAR:
            return f"Năm {self.year}"
        if self.kind is PeriodKind.HALF:
            half = "đầu" if self.index == 1 else "cuối"
            return f"6 tháng {half} năm {self.year}"
        if self.kind is PeriodKind.QUARTER:
            return f"Quý {_ROMAN[self.index - 1]}/{self.year}"
        if self.kind is PeriodKind.MONTH:
            return f"Tháng {self.index}/{self.year}"
        return f"9 tháng đầu năm {self.year}"

    def _label_en(self) -> str:
        if self.kind is PeriodKind.YEAR:
            return f"Year {self.year}"
        if self.kind is PeriodKind.HALF:
            half = "First" if self.index == 1 else "Second"
            return f"{half} half of {self.year}"
        if self.kind is PeriodKind.QUARTER:
            return f"Q{self.index} {self.year}"
        if self.kind is PeriodKind.MONTH:
            return f"{_MONTH_EN[self.index - 1]} {self.year}"
        return f"First nine months of {self.year}"


def period_containing(day: date, kind: PeriodKind, basis: Basis = Basis.CALENDAR) -> Period:
    """The period of ``kind`` that ``day`` falls in under ``basis``.

    Under the cut-off basis a day from the 15th on belongs to the next month's report, so
    2024-12-20 is in 202501, 2025Q1, 2025S1 and 2025. For NINE_MONTHS the day must fall in a
    year's first nine months (under the basis); otherwise ValueError.
    """
    kind = PeriodKind(kind)
    year, month = day.year, day.month
    if Basis(basis) is Basis.CUTOFF and day.day >= CUTOFF_DAY:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    if kind is PeriodKind.NINE_MONTHS:
        nine = Period(kind, year, 1)
        if month > nine._last_month:
            raise ValueError(
                f"{day.isoformat()} is not in the first nine months of any year "
                f"({Basis(basis).value} basis)"
            )
        return nine
    return Period(kind, year, (month - 1) // _MONTHS[kind] + 1)


def periods_within(period: Period) -> list[Period]:
    """Every period whose months all lie inside `period`'s (itself included): a figure entered
    for any of them counts in `period`. 2024Q1 holds 202401-202403 and 2024Q1 itself."""
    first, last = period._first_month, period._last_month
    found: list[Period] = []
    for kind, count in _COUNT.items():
        for index in range(1, count + 1):
            candidate = Period(kind, period.year, index)
            if first <= candidate._first_month and candidate._last_month <= last:
                found.append(candidate)
    return found


def periods_of_year(year: int) -> list[Period]:
    return [
        Period(kind, year, index) for kind, count in _COUNT.items() for index in range(1, count + 1)
    ]


def overlaps(a: Period, b: Period) -> bool:
    """True when the two periods share a month."""
    return a.year == b.year and a._first_month <= b._last_month and b._first_month <= a._last_month
