"""Report periods: codes, calendar and Decree 09/2019 cut-off ranges, neighbours and labels."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from danvan.contracts.rpc import ErrorCode, ServiceError
from danvan.lifecycle import compared_period_of
from danvan.periods import (
    Basis,
    InvalidPeriod,
    Period,
    PeriodKind,
    period_containing,
)

Y, H, Q, M, NM = (
    PeriodKind.YEAR,
    PeriodKind.HALF,
    PeriodKind.QUARTER,
    PeriodKind.MONTH,
    PeriodKind.NINE_MONTHS,
)
CAL, CUT = Basis.CALENDAR, Basis.CUTOFF


def d(text: str) -> date:
    return date.fromisoformat(text)


# --- codes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "kind", "year", "index"),
    [
        ("2024", Y, 2024, 1),
        ("2024S1", H, 2024, 1),
        ("2024S2", H, 2024, 2),
        ("2024Q1", Q, 2024, 1),
        ("2024Q2", Q, 2024, 2),
        ("2024Q3", Q, 2024, 3),
        ("2024Q4", Q, 2024, 4),
        ("202401", M, 2024, 1),
        ("202409", M, 2024, 9),
        ("202412", M, 2024, 12),
        ("2024NM", NM, 2024, 1),
        ("1900", Y, 1900, 1),
        ("2999Q4", Q, 2999, 4),
    ],
)
def test_every_period_code_reads_to_its_kind_year_and_index_and_writes_back(
    code: str, kind: PeriodKind, year: int, index: int
) -> None:
    period = Period.parse(code)
    assert period == Period(kind, year, index)
    assert period.code == code
    assert str(period) == code
    assert Period.parse(period.code) == period


@pytest.mark.parametrize(
    ("typed", "code"),
    [(" 2024q3 ", "2024Q3"), ("2024s1", "2024S1"), ("2024nm", "2024NM"), ("\t202405\n", "202405")],
)
def test_codes_typed_in_lower_case_or_with_spaces_are_accepted(typed: str, code: str) -> None:
    assert Period.parse(typed).code == code


@pytest.mark.parametrize(
    "code",
    [
        "2024Q5",
        "2024Q0",
        "202413",
        "202400",
        "2024S3",
        "2024S0",
        "abc",
        "",
        "   ",
        "24Q1",
        "2024M05",
        "2024-05",
        "2024Q",
        "2024NM1",
        "1899",
        "3000Q1",
        "２０２４",  # full-width digits are not a code
    ],
)
def test_an_invalid_code_is_refused_with_the_code_and_the_accepted_forms(code: str) -> None:
    with pytest.raises(InvalidPeriod) as caught:
        Period.parse(code)
    message = str(caught.value)
    assert repr(code) in message
    assert "YYYYQ1" in message
    assert "YYYYNM" in message


def test_invalid_period_is_a_value_error_so_callers_can_catch_either() -> None:
    with pytest.raises(ValueError, match="2024Q5"):
        Period.parse("2024Q5")


def test_a_quarter_out_of_range_says_what_a_quarter_may_be() -> None:
    with pytest.raises(InvalidPeriod, match="quarter must be 1 to 4"):
        Period.parse("2024Q5")


def test_a_month_out_of_range_says_what_a_month_may_be() -> None:
    with pytest.raises(InvalidPeriod, match="month must be 01 to 12"):
        Period.parse("202413")


@pytest.mark.parametrize(
    ("kind", "year", "index"),
    [(M, 2024, 13), (Q, 2024, 0), (H, 2024, 3), (Y, 2024, 2), (NM, 2024, 2), (Y, 1899, 1)],
)
def test_a_period_built_from_fields_out_of_range_is_refused(
    kind: PeriodKind, year: int, index: int
) -> None:
    with pytest.raises(InvalidPeriod):
        Period(kind, year, index)


def test_periods_of_one_kind_sort_chronologically() -> None:
    codes = ["202401", "202312", "202402", "202311"]
    assert [p.code for p in sorted(map(Period.parse, codes))] == [
        "202311",
        "202312",
        "202401",
        "202402",
    ]


# --- date ranges ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "first", "last"),
    [
        ("2024", "2024-01-01", "2024-12-31"),
        ("2024S1", "2024-01-01", "2024-06-30"),
        ("2024S2", "2024-07-01", "2024-12-31"),
        ("2024Q1", "2024-01-01", "2024-03-31"),
        ("2024Q2", "2024-04-01", "2024-06-30"),
        ("2024Q3", "2024-07-01", "2024-09-30"),
        ("2024Q4", "2024-10-01", "2024-12-31"),
        ("202401", "2024-01-01", "2024-01-31"),
        ("202404", "2024-04-01", "2024-04-30"),
        ("202412", "2024-12-01", "2024-12-31"),
        ("2024NM", "2024-01-01", "2024-09-30"),
    ],
)
def test_calendar_range_of_every_kind(code: str, first: str, last: str) -> None:
    assert Period.parse(code).date_range() == (d(first), d(last))
    assert Period.parse(code).date_range(CAL) == (d(first), d(last))


@pytest.mark.parametrize(
    ("code", "first", "last"),
    [
        ("2024", "2023-12-15", "2024-12-14"),
        ("2024S1", "2023-12-15", "2024-06-14"),
        ("2024S2", "2024-06-15", "2024-12-14"),
        ("2024Q1", "2023-12-15", "2024-03-14"),
        ("2024Q2", "2024-03-15", "2024-06-14"),
        ("2024Q3", "2024-06-15", "2024-09-14"),
        ("2024Q4", "2024-09-15", "2024-12-14"),
        ("202401", "2023-12-15", "2024-01-14"),
        ("202403", "2024-02-15", "2024-03-14"),
        ("202412", "2024-11-15", "2024-12-14"),
        ("2024NM", "2023-12-15", "2024-09-14"),
    ],
)
def test_cutoff_range_of_every_kind_follows_decree_09(code: str, first: str, last: str) -> None:
    assert Period.parse(code).date_range(CUT) == (d(first), d(last))


def test_cutoff_january_report_starts_on_15_december_of_the_year_before() -> None:
    assert Period.parse("202401").date_range(CUT)[0] == date(2023, 12, 15)


def test_basis_may_be_given_as_its_string_value() -> None:
    assert Period.parse("2024Q1").date_range(Basis("cutoff")) == (d("2023-12-15"), d("2024-03-14"))


@pytest.mark.parametrize(
    ("code", "last"),
    [("202402", "2024-02-29"), ("202302", "2023-02-28"), ("200002", "2000-02-29")],
)
def test_calendar_february_ends_on_the_29th_only_in_leap_years(code: str, last: str) -> None:
    assert Period.parse(code).date_range()[1] == d(last)


def test_cutoff_march_report_spans_leap_february() -> None:
    first, last = Period.parse("202403").date_range(CUT)
    assert (first, last) == (d("2024-02-15"), d("2024-03-14"))
    assert (last - first).days + 1 == 29


def test_a_period_contains_its_first_and_last_day_but_not_the_days_around() -> None:
    q1 = Period.parse("2024Q1")
    assert q1.contains(d("2023-12-15"), CUT)
    assert q1.contains(d("2024-03-14"), CUT)
    assert not q1.contains(d("2023-12-14"), CUT)
    assert not q1.contains(d("2024-03-15"), CUT)
    assert q1.contains(d("2024-01-01"))
    assert q1.contains(d("2024-03-31"))
    assert not q1.contains(d("2023-12-31"))
    assert not q1.contains(d("2024-04-01"))


# --- neighbours ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "last_year"),
    [
        ("2024", "2023"),
        ("2024S2", "2023S2"),
        ("2024Q1", "2023Q1"),
        ("202402", "202302"),
        ("2024NM", "2023NM"),
    ],
)
def test_same_period_last_year_is_the_cung_ky(code: str, last_year: str) -> None:
    assert Period.parse(code).same_period_last_year().code == last_year


@pytest.mark.parametrize(
    ("code", "before"),
    [
        ("2024Q1", "2023Q4"),
        ("2024Q3", "2024Q2"),
        ("202401", "202312"),
        ("202407", "202406"),
        ("2024S1", "2023S2"),
        ("2024S2", "2024S1"),
        ("2024", "2023"),
        ("2024NM", "2023NM"),
    ],
)
def test_previous_period_of_the_same_kind_crosses_the_year_boundary(code: str, before: str) -> None:
    assert Period.parse(code).previous().code == before


def test_there_is_no_period_before_the_first_year_supported() -> None:
    with pytest.raises(InvalidPeriod):
        Period.parse("190001").previous()


# --- the period a day falls in -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "kind", "basis", "code"),
    [
        # calendar: the day's own month
        ("2024-01-01", M, CAL, "202401"),
        ("2023-12-31", M, CAL, "202312"),
        ("2024-03-31", Q, CAL, "2024Q1"),
        ("2024-04-01", Q, CAL, "2024Q2"),
        ("2024-06-30", H, CAL, "2024S1"),
        ("2024-07-01", H, CAL, "2024S2"),
        ("2024-12-31", Y, CAL, "2024"),
        ("2024-09-30", NM, CAL, "2024NM"),
        ("2024-01-01", NM, CAL, "2024NM"),
        # cut-off: from the 15th a day belongs to the next month's report
        ("2024-12-14", M, CUT, "202412"),
        ("2024-12-15", M, CUT, "202501"),
        ("2024-12-20", M, CUT, "202501"),
        ("2024-12-20", Q, CUT, "2025Q1"),
        ("2024-12-20", H, CUT, "2025S1"),
        ("2024-12-20", Y, CUT, "2025"),
        ("2024-12-20", NM, CUT, "2025NM"),
        ("2024-12-31", Y, CUT, "2025"),
        ("2024-01-14", M, CUT, "202401"),
        ("2024-01-15", M, CUT, "202402"),
        ("2024-03-14", Q, CUT, "2024Q1"),
        ("2024-03-15", Q, CUT, "2024Q2"),
        ("2024-06-14", H, CUT, "2024S1"),
        ("2024-06-15", H, CUT, "2024S2"),
        ("2024-12-14", H, CUT, "2024S2"),
        ("2024-12-14", Y, CUT, "2024"),
        ("2023-12-15", Y, CUT, "2024"),
        ("2024-09-14", NM, CUT, "2024NM"),
        ("2024-02-29", M, CUT, "202403"),
    ],
)
def test_period_containing_a_boundary_day(
    day: str, kind: PeriodKind, basis: Basis, code: str
) -> None:
    period = period_containing(d(day), kind, basis)
    assert period.code == code
    assert period.contains(d(day), basis)


@pytest.mark.parametrize(
    ("day", "basis"),
    [("2024-10-01", CAL), ("2024-12-31", CAL), ("2024-09-15", CUT), ("2024-12-14", CUT)],
)
def test_a_day_after_the_first_nine_months_has_no_nine_month_period(day: str, basis: Basis) -> None:
    with pytest.raises(ValueError, match=day):
        period_containing(d(day), NM, basis)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _all_periods(kind: PeriodKind, years: range) -> list[Period]:
    count = {Y: 1, H: 2, Q: 4, M: 12, NM: 1}[kind]
    return [Period(kind, year, index) for year in years for index in range(1, count + 1)]


@pytest.mark.parametrize("basis", [CAL, CUT])
@pytest.mark.parametrize("kind", [Y, H, Q, M])
def test_every_day_of_2023_to_2025_is_in_exactly_one_period_of_each_kind(
    kind: PeriodKind, basis: Basis
) -> None:
    candidates = _all_periods(kind, range(2022, 2027))
    for day in _days(date(2023, 1, 1), date(2025, 12, 31)):
        holders = [p for p in candidates if p.contains(day, basis)]
        assert holders == [period_containing(day, kind, basis)], day


@pytest.mark.parametrize("basis", [CAL, CUT])
@pytest.mark.parametrize("kind", [Y, H, Q, M])
def test_consecutive_periods_follow_each_other_with_no_gap_or_overlap(
    kind: PeriodKind, basis: Basis
) -> None:
    for period in _all_periods(kind, range(2020, 2029)):
        before_end = period.previous().date_range(basis)[1]
        start = period.date_range(basis)[0]
        assert before_end + timedelta(days=1) == start, period


@pytest.mark.parametrize("basis", [CAL, CUT])
def test_the_nine_months_are_the_first_three_quarters(basis: Basis) -> None:
    for year in range(2020, 2029):
        nine = Period(NM, year, 1).date_range(basis)
        assert nine[0] == Period(Q, year, 1).date_range(basis)[0]
        assert nine[1] == Period(Q, year, 3).date_range(basis)[1]


@pytest.mark.parametrize("basis", [CAL, CUT])
def test_a_year_is_made_of_its_twelve_months(basis: Basis) -> None:
    for year in (2023, 2024):
        days = sum(
            (end - start).days + 1
            for start, end in (Period(M, year, m).date_range(basis) for m in range(1, 13))
        )
        start, end = Period(Y, year, 1).date_range(basis)
        assert days == (end - start).days + 1


# --- labels -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "vi", "en"),
    [
        ("2024", "Năm 2024", "Year 2024"),
        ("2024S1", "6 tháng đầu năm 2024", "First half of 2024"),
        ("2024S2", "6 tháng cuối năm 2024", "Second half of 2024"),
        ("2024Q1", "Quý I/2024", "Q1 2024"),
        ("2024Q2", "Quý II/2024", "Q2 2024"),
        ("2024Q3", "Quý III/2024", "Q3 2024"),
        ("2024Q4", "Quý IV/2024", "Q4 2024"),
        ("202401", "Tháng 1/2024", "January 2024"),
        ("202405", "Tháng 5/2024", "May 2024"),
        ("202412", "Tháng 12/2024", "December 2024"),
        ("2024NM", "9 tháng đầu năm 2024", "First nine months of 2024"),
    ],
)
def test_labels_in_vietnamese_and_english(code: str, vi: str, en: str) -> None:
    period = Period.parse(code)
    assert period.label() == vi
    assert period.label("vi") == vi
    assert period.label("en") == en


def test_a_regional_language_tag_gets_its_language_label() -> None:
    assert Period.parse("2024Q3").label("en-GB") == "Q3 2024"
    assert Period.parse("2024Q3").label("vi_VN") == "Quý III/2024"


def test_an_unknown_label_language_is_refused() -> None:
    with pytest.raises(ValueError, match="fr"):
        Period.parse("2024").label("fr")


def test_a_view_of_the_first_supported_year_is_refused_for_want_of_a_year_to_compare() -> None:
    with pytest.raises(ServiceError) as caught:
        compared_period_of("190005")
    assert caught.value.code is ErrorCode.VALIDATION
    assert caught.value.details[0].field == "period"
    assert "1901" in str(caught.value)
    assert compared_period_of("190105").code == "190105"
