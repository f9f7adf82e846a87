"""The legal deadlines of reception, complaints and denunciations (DOMAIN.md's table).

Every expected date is worked out by hand in a comment. Days off are those of the ``holidays``
package 0.108: Tết 2026 Mon 02-16 to Fri 02-20; Giỗ Tổ on Sunday 2026-04-26, in lieu Mon 04-27;
30/4 and 1/5 2026 on Thu and Fri; Quốc khánh 2026 Tue 09-01 and Wed 09-02 with the bridge day
Mon 08-31 swapped for Sat 08-22; Tết 2027 Thu 02-04 to Wed 02-10.
"""

from __future__ import annotations

import itertools
from datetime import date
from typing import TypedDict, Unpack

import pytest
from pydantic import ValidationError

from danvan.workdays import VietnamCalendar
from services.reception.deadlines import (
    Circumstance,
    DayKind,
    Deadline,
    DeadlineError,
    DeadlineSettings,
    ExtensionNotAllowed,
    RuleCode,
    RuleNotInForce,
    Trigger,
    UnknownRule,
    all_rules,
    days_left,
    deadline_for,
    is_overdue,
    rule_in_force,
    rules_in_force,
)

R = RuleCode


class Flags(TypedDict, total=False):
    """The circumstances of a case, as `deadline_for` takes them."""

    complex: bool
    especially_complex: bool
    remote: bool
    several_places: bool
    dismissal: bool


def d(text: str) -> date:
    return date.fromisoformat(text)


def due(code: RuleCode, start: str, **options: Unpack[Flags]) -> date:
    return deadline_for(code, d(start), **options).due_on


# --- lodging a complaint (Luật Khiếu nại Arts. 9, 33) ---------------------------------------


def test_complaint_lodging_ending_on_sunday_moves_to_monday() -> None:
    # 2026-01-05 + 90: Jan 5 + 26 = Jan 31, + 28 = Feb 28, + 31 = Mar 31, + 5 = Sunday Apr 5,
    # so the citizen may still lodge on Monday 2026-04-06.
    assert due(R.COMPLAINT_LODGING, "2026-01-05") == d("2026-04-06")


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        # First decision received Monday 2026-06-01: + 30 = Wednesday 2026-07-01.
        ({}, "2026-07-01"),
        # Remote and hard-to-reach areas: + 45 = Thursday 2026-07-16.
        ({"remote": True}, "2026-07-16"),
        # Complexity does not change the lodging period: still 30 days.
        ({"complex": True}, "2026-07-01"),
    ],
)
def test_second_complaint_lodging_is_30_days_or_45_in_remote_areas(
    options: Flags, expected: str
) -> None:
    assert due(R.COMPLAINT_SECOND_LODGING, "2026-06-01", **options) == d(expected)


# --- accepting a complaint: the rule changed on 2026-07-01 ------------------------------------


def test_complaint_received_on_30_june_2026_gets_ten_working_days() -> None:
    # Tuesday 2026-06-30, Decree 124/2020: Jul 1-3 (1-3), Jul 6-10 (4-8), Jul 13 (9), Jul 14 (10).
    deadline = deadline_for(R.COMPLAINT_ACCEPTANCE, d("2026-06-30"))
    assert deadline.due_on == d("2026-07-14")
    assert (deadline.days, deadline.day_kind) == (10, DayKind.WORKING)
    assert "124/2020" in deadline.basis
    assert not deadline.unsure


def test_complaint_received_on_1_july_2026_gets_seven_working_days() -> None:
    # Wednesday 2026-07-01, Decree 155/2026: Jul 2-3 (1-2), Jul 6-10 (3-7): Friday 2026-07-10.
    deadline = deadline_for(R.COMPLAINT_ACCEPTANCE, d("2026-07-01"))
    assert deadline.due_on == d("2026-07-10")
    assert (deadline.days, deadline.day_kind) == (7, DayKind.WORKING)
    assert "155/2026" in deadline.basis
    assert deadline.unsure
    assert deadline.effective_from == d("2026-07-01")


def test_complaint_acceptance_before_decree_124_counts_the_laws_calendar_days() -> None:
    # Friday 2020-12-04, the law alone: + 10 calendar days = Monday 2020-12-14.
    before = deadline_for(R.COMPLAINT_ACCEPTANCE, d("2020-12-04"))
    assert (before.due_on, before.day_kind) == (d("2020-12-14"), DayKind.CALENDAR)
    # Saturday 2020-12-05, Decree 124 in force: Dec 7-11 (1-5), Dec 14-18 (6-10).
    after = deadline_for(R.COMPLAINT_ACCEPTANCE, d("2020-12-05"))
    assert (after.due_on, after.day_kind) == (d("2020-12-18"), DayKind.WORKING)


def test_configuration_changes_the_unsure_acceptance_period_from_july_2026_only() -> None:
    settings = DeadlineSettings(acceptance_working_days_from_2026_07_01=5)
    # From Wednesday 2026-07-01: Jul 2, 3, 6, 7, 8: Wednesday 2026-07-08.
    after = deadline_for(R.COMPLAINT_ACCEPTANCE, d("2026-07-01"), settings=settings)
    assert (after.due_on, after.days) == (d("2026-07-08"), 5)
    # The decree's 10 working days before the change are law, not configuration.
    before = deadline_for(R.COMPLAINT_ACCEPTANCE, d("2026-06-30"), settings=settings)
    assert before.due_on == d("2026-07-14")


# --- resolving a complaint (Arts. 28, 37) -----------------------------------------------------


@pytest.mark.parametrize(
    ("options", "days", "expected"),
    [
        # Accepted Monday 2026-03-02: + 30 = Wednesday 2026-04-01.
        ({}, 30, "2026-04-01"),
        # Complex: + 45 = Thursday 2026-04-16.
        ({"complex": True}, 45, "2026-04-16"),
        # Especially complex is complex too.
        ({"especially_complex": True}, 45, "2026-04-16"),
        # Remote and hard-to-reach areas: + 45 as well.
        ({"remote": True}, 45, "2026-04-16"),
        # Remote and complex: + 60 = Friday 2026-05-01 (Labour Day), Sat-Sun: Monday 05-04.
        ({"remote": True, "complex": True}, 60, "2026-05-04"),
    ],
)
def test_first_complaint_resolution_variants(options: Flags, days: int, expected: str) -> None:
    deadline = deadline_for(R.COMPLAINT_FIRST_RESOLUTION, d("2026-03-02"), **options)
    assert (deadline.days, deadline.due_on) == (days, d(expected))


def test_first_complaint_resolution_ending_on_sunday_moves_to_monday() -> None:
    # Accepted Friday 2026-03-06: + 30 = Sunday 2026-04-05, so Monday 2026-04-06.
    assert due(R.COMPLAINT_FIRST_RESOLUTION, "2026-03-06") == d("2026-04-06")


def test_first_complaint_resolution_ending_in_tet_2026_moves_past_tet() -> None:
    # Accepted Monday 2026-01-19: + 30 = Wednesday 2026-02-18 (mùng 2 Tết); Feb 19-20 Tết,
    # Feb 21-22 weekend: Monday 2026-02-23.
    assert due(R.COMPLAINT_FIRST_RESOLUTION, "2026-01-19") == d("2026-02-23")


def test_first_complaint_resolution_ending_in_tet_2027_moves_past_tet() -> None:
    # Accepted Thursday 2027-01-07: + 30 = Saturday 2027-02-06 (mùng 1 Tết); Feb 7 Sunday,
    # Feb 8-10 Tết days off: Thursday 2027-02-11.
    assert due(R.COMPLAINT_FIRST_RESOLUTION, "2027-01-07") == d("2027-02-11")


@pytest.mark.parametrize(
    ("options", "days", "expected"),
    [
        # Accepted Monday 2026-03-02: + 45 = Thursday 2026-04-16.
        ({}, 45, "2026-04-16"),
        # Complex: + 60 = Friday 2026-05-01 (Labour Day): Monday 2026-05-04.
        ({"complex": True}, 60, "2026-05-04"),
        # Remote: + 60 as well.
        ({"remote": True}, 60, "2026-05-04"),
        # Remote and complex: + 70 = Monday 2026-05-11.
        ({"remote": True, "complex": True}, 70, "2026-05-11"),
    ],
)
def test_second_complaint_resolution_variants(options: Flags, days: int, expected: str) -> None:
    deadline = deadline_for(R.COMPLAINT_SECOND_RESOLUTION, d("2026-03-02"), **options)
    assert (deadline.days, deadline.due_on) == (days, d(expected))


def test_the_deadline_says_which_circumstances_chose_the_period() -> None:
    deadline = deadline_for(
        R.COMPLAINT_FIRST_RESOLUTION, d("2026-03-02"), remote=True, complex=True, dismissal=True
    )
    assert deadline.circumstances == {Circumstance.REMOTE, Circumstance.COMPLEX}


@pytest.mark.parametrize("code", [R.COMPLAINT_FIRST_RESOLUTION, R.COMPLAINT_SECOND_RESOLUTION])
def test_a_complaint_resolution_cannot_be_extended(code: RuleCode) -> None:
    with pytest.raises(ExtensionNotAllowed, match="allows no extension"):
        deadline_for(code, d("2026-03-02"), complex=True, extensions=1)


# --- complaints against disciplinary decisions (Arts. 48, 50) -------------------------------


@pytest.mark.parametrize(
    ("code", "options", "expected"),
    [
        # Decision received Monday 2026-03-02: + 15 = Tuesday 2026-03-17.
        (R.DISCIPLINARY_COMPLAINT_LODGING, {}, "2026-03-17"),
        # Second complaint: + 10 = Thursday 2026-03-12.
        (R.DISCIPLINARY_COMPLAINT_SECOND_LODGING, {}, "2026-03-12"),
        # Second complaint against a dismissal: + 30 = Wednesday 2026-04-01.
        (R.DISCIPLINARY_COMPLAINT_SECOND_LODGING, {"dismissal": True}, "2026-04-01"),
        # A first complaint against a dismissal still has 15 days.
        (R.DISCIPLINARY_COMPLAINT_LODGING, {"dismissal": True}, "2026-03-17"),
        # Accepted: + 30 = Wednesday 2026-04-01; complex + 45 = Thursday 2026-04-16.
        (R.DISCIPLINARY_COMPLAINT_RESOLUTION, {}, "2026-04-01"),
        (R.DISCIPLINARY_COMPLAINT_RESOLUTION, {"complex": True}, "2026-04-16"),
        # No remote variant for disciplinary complaints.
        (R.DISCIPLINARY_COMPLAINT_RESOLUTION, {"remote": True}, "2026-04-01"),
    ],
)
def test_disciplinary_complaint_periods(code: RuleCode, options: Flags, expected: str) -> None:
    assert due(code, "2026-03-02", **options) == d(expected)


def test_disciplinary_complaint_acceptance_counts_calendar_days_not_working_days() -> None:
    # Received Wednesday 2026-03-04: + 10 = Saturday 2026-03-14, so Monday 2026-03-16
    # (10 working days would have been Wednesday 2026-03-18).
    deadline = deadline_for(R.DISCIPLINARY_COMPLAINT_ACCEPTANCE, d("2026-03-04"))
    assert (deadline.due_on, deadline.day_kind) == (d("2026-03-16"), DayKind.CALENDAR)


# --- denunciations (Luật Tố cáo 2018) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "days", "expected"),
    [
        # Received Monday 2026-03-02: Mar 3-6 (1-4), Mar 9-11 (5-7): Wednesday 2026-03-11.
        ({}, 7, "2026-03-11"),
        # Checks at several places: Mar 12 (8), Mar 13 (9), Mar 16 (10): Monday 2026-03-16.
        ({"several_places": True}, 10, "2026-03-16"),
    ],
)
def test_denunciation_initial_handling_is_7_or_10_working_days(
    options: Flags, days: int, expected: str
) -> None:
    deadline = deadline_for(R.DENUNCIATION_INITIAL_HANDLING, d("2026-03-02"), **options)
    assert (deadline.days, deadline.day_kind, deadline.due_on) == (
        days,
        DayKind.WORKING,
        d(expected),
    )


def test_denunciation_initial_handling_across_tet_skips_the_holiday() -> None:
    # Received Thursday 2026-02-12: Feb 13 (1); Feb 14-22 off; Feb 23-27 (2-6); Mon Mar 2 (7).
    assert due(R.DENUNCIATION_INITIAL_HANDLING, "2026-02-12") == d("2026-03-02")


def test_denunciation_forwarding_skips_a_substitute_day_off() -> None:
    # Received Friday 2026-04-24: Mon Apr 27 in lieu of Giỗ Tổ; Apr 28 (1), Apr 29 (2);
    # Apr 30 and May 1 holidays, May 2-3 weekend; May 4 (3), May 5 (4), May 6 (5).
    assert due(R.DENUNCIATION_FORWARDING, "2026-04-24") == d("2026-05-06")


def test_denunciation_acceptance_notice_skips_the_national_day_bridge() -> None:
    # Accepted Thursday 2026-08-27: Aug 28 (1); Aug 29-30 weekend, Aug 31 bridge, Sep 1-2
    # Quốc khánh; Sep 3 (2), Sep 4 (3), Sep 7 (4), Sep 8 (5).
    assert due(R.DENUNCIATION_ACCEPTANCE_NOTICE, "2026-08-27") == d("2026-09-08")


def test_denunciation_resolution_without_extension_is_30_days() -> None:
    # Accepted Monday 2026-03-02: + 30 = Wednesday 2026-04-01.
    deadline = deadline_for(R.DENUNCIATION_RESOLUTION, d("2026-03-02"))
    assert deadline.due_on == d("2026-04-01")
    assert deadline.period_ends == (d("2026-04-01"),)
    assert deadline.extensions_used == 0


def test_a_complex_denunciation_gets_one_extension_from_the_end_of_the_first_period() -> None:
    # Apr 1 + 30 = Friday 2026-05-01 (Labour Day), May 2-3 weekend: Monday 2026-05-04.
    deadline = deadline_for(R.DENUNCIATION_RESOLUTION, d("2026-03-02"), complex=True, extensions=1)
    assert deadline.period_ends == (d("2026-04-01"), d("2026-05-04"))
    assert deadline.due_on == d("2026-05-04")
    assert deadline.extensions_used == 1
    assert deadline.circumstances == {Circumstance.COMPLEX}


def test_an_especially_complex_denunciation_gets_a_second_extension() -> None:
    # May 4 + 30 = Wednesday 2026-06-03.
    deadline = deadline_for(
        R.DENUNCIATION_RESOLUTION, d("2026-03-02"), especially_complex=True, extensions=2
    )
    assert deadline.period_ends == (d("2026-04-01"), d("2026-05-04"), d("2026-06-03"))
    assert deadline.due_on == d("2026-06-03")
    assert deadline.extensions_used == 2
    assert deadline.days == 30
    assert deadline.circumstances == {Circumstance.COMPLEX, Circumstance.ESPECIALLY_COMPLEX}


def test_an_especially_complex_denunciation_may_stop_at_one_extension() -> None:
    deadline = deadline_for(
        R.DENUNCIATION_RESOLUTION, d("2026-03-02"), especially_complex=True, extensions=1
    )
    assert deadline.due_on == d("2026-05-04")


@pytest.mark.parametrize(
    ("options", "extensions", "message"),
    [
        ({}, 1, "only for a case that is complex"),
        ({"complex": True}, 2, "only for a case that is especially complex"),
        ({"especially_complex": True}, 3, "at most 2 extensions"),
        ({"especially_complex": True}, -1, "cannot be negative"),
    ],
)
def test_an_extension_the_law_does_not_allow_is_refused(
    options: Flags, extensions: int, message: str
) -> None:
    with pytest.raises(ExtensionNotAllowed, match=message):
        deadline_for(R.DENUNCIATION_RESOLUTION, d("2026-03-02"), extensions=extensions, **options)


def test_a_refused_extension_is_a_value_error_callers_can_catch_as_deadline_error() -> None:
    with pytest.raises(DeadlineError) as caught:
        deadline_for(R.DENUNCIATION_RESOLUTION, d("2026-03-02"), extensions=3)
    assert isinstance(caught.value, ValueError)


def test_further_denunciation_ending_on_sunday_moves_to_monday() -> None:
    # Received Monday 2026-03-02: + 20 = Sunday 2026-03-22, so Monday 2026-03-23.
    assert due(R.FURTHER_DENUNCIATION, "2026-03-02") == d("2026-03-23")


def test_an_overdue_denunciation_is_reported_within_five_plus_five_working_days() -> None:
    # Further denunciation received Monday 2026-03-02: request by Mar 3-6, 9 -> Monday Mar 9.
    request = deadline_for(R.FURTHER_DENUNCIATION_REPORT_REQUEST, d("2026-03-02"))
    assert request.due_on == d("2026-03-09")
    # Request made on its last day: report by Mar 10-13, 16 -> Monday 2026-03-16.
    report = deadline_for(R.FURTHER_DENUNCIATION_REPORT, request.due_on)
    assert report.due_on == d("2026-03-16")


# --- reception and petitions ------------------------------------------------------------------


def test_reception_reply_is_ten_working_days() -> None:
    # Content received Monday 2026-03-02: Mar 3-6 (1-4), Mar 9-13 (5-9), Mon Mar 16 (10).
    assert due(R.RECEPTION_REPLY, "2026-03-02") == d("2026-03-16")


def test_reception_reply_counts_the_saturday_worked_in_exchange() -> None:
    # Received Thursday 2026-08-20: Aug 21 (1), Sat Aug 22 worked (2), Aug 24-28 (3-7);
    # Aug 31 bridge and Sep 1-2 off; Sep 3 (8), Sep 4 (9), Mon Sep 7 (10).
    assert due(R.RECEPTION_REPLY, "2026-08-20") == d("2026-09-07")


def test_a_calendar_from_configuration_changes_the_deadline() -> None:
    # Without the 2026 swap (Saturday 08-22 an ordinary day off) the reply above slips a day:
    # Aug 21 (1), Aug 24-28 (2-6), Sep 3 (7), Sep 4 (8), Sep 7 (9), Sep 8 (10).
    calendar = VietnamCalendar(extra_days_off=[d("2026-08-22")])
    deadline = deadline_for(R.RECEPTION_REPLY, d("2026-08-20"), calendar=calendar)
    assert deadline.due_on == d("2026-09-08")


def test_an_extra_day_off_from_configuration_delays_a_calendar_day_deadline() -> None:
    # Accepted Monday 2026-03-02: + 30 = Wednesday 2026-04-01, declared a day off: Thursday.
    calendar = VietnamCalendar(extra_days_off=[d("2026-04-01")])
    deadline = deadline_for(R.COMPLAINT_FIRST_RESOLUTION, d("2026-03-02"), calendar=calendar)
    assert deadline.due_on == d("2026-04-02")


def test_an_unhandled_petition_is_flagged_45_days_after_receipt() -> None:
    # Received Wednesday 2026-07-01: Jul 1 + 30 = Jul 31, + 15 = Saturday Aug 15: Monday 08-17.
    deadline = deadline_for(R.PETITION_UNHANDLED, d("2026-07-01"))
    assert deadline.due_on == d("2026-08-17")
    assert deadline.unsure


def test_configuration_changes_the_unhandled_petition_period() -> None:
    # 60 days: Jul 1 + 60 = Sunday Aug 30; Aug 31 bridge, Sep 1-2 Quốc khánh: Thursday Sep 3.
    settings = DeadlineSettings(unhandled_petition_days=60)
    deadline = deadline_for(R.PETITION_UNHANDLED, d("2026-07-01"), settings=settings)
    assert (deadline.days, deadline.due_on) == (60, d("2026-09-03"))


# --- rules in force -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "last_day_without", "first_day_with"),
    [
        (R.PETITION_UNHANDLED, "2026-06-30", "2026-07-01"),
        (R.DENUNCIATION_RESOLUTION, "2018-12-31", "2019-01-01"),
        (R.RECEPTION_REPLY, "2014-06-30", "2014-07-01"),
        (R.COMPLAINT_LODGING, "2012-06-30", "2012-07-01"),
        (R.COMPLAINT_ACCEPTANCE, "2012-06-30", "2012-07-01"),
    ],
)
def test_a_step_before_its_law_took_effect_has_no_deadline(
    code: RuleCode, last_day_without: str, first_day_with: str
) -> None:
    with pytest.raises(RuleNotInForce, match=code.value):
        deadline_for(code, d(last_day_without))
    assert deadline_for(code, d(first_day_with)).started_on == d(first_day_with)


def test_an_unknown_rule_code_is_refused() -> None:
    with pytest.raises(UnknownRule, match="complaint_teleport"):
        deadline_for("complaint_teleport", d("2026-03-02"))


def test_a_rule_code_may_be_given_as_text() -> None:
    deadline = deadline_for("reception_reply", d("2026-03-02"))
    assert deadline.rule_code is R.RECEPTION_REPLY


def test_rules_in_force_switch_on_1_july_2026() -> None:
    before = {rule.code: rule for rule in rules_in_force(d("2026-06-30"))}
    after = {rule.code: rule for rule in rules_in_force(d("2026-07-01"))}
    assert R.PETITION_UNHANDLED not in before
    assert after[R.PETITION_UNHANDLED].days == 45
    assert before[R.COMPLAINT_ACCEPTANCE].days == 10
    assert after[R.COMPLAINT_ACCEPTANCE].days == 7
    assert set(after) == set(RuleCode)


@pytest.mark.parametrize("on", ["2012-07-01", "2019-01-01", "2020-12-05", "2026-07-01"])
def test_at_most_one_version_of_each_rule_is_in_force_on_any_day(on: str) -> None:
    codes = [rule.code for rule in rules_in_force(d(on))]
    assert len(codes) == len(set(codes))


def test_the_versions_of_acceptance_follow_each_other_without_gap() -> None:
    versions = sorted(
        (r for r in all_rules() if r.code is R.COMPLAINT_ACCEPTANCE),
        key=lambda r: r.effective_from,
    )
    assert [(v.days, v.day_kind) for v in versions] == [
        (10, DayKind.CALENDAR),
        (10, DayKind.WORKING),
        (7, DayKind.WORKING),
    ]
    for earlier, later in itertools.pairwise(versions):
        assert earlier.effective_to is not None
        assert (later.effective_from - earlier.effective_to).days == 1
    assert versions[-1].effective_to is None


def test_rule_in_force_names_the_version_a_step_uses() -> None:
    rule = rule_in_force(R.COMPLAINT_ACCEPTANCE, d("2026-06-30"))
    assert (rule.effective_from, rule.effective_to) == (d("2020-12-05"), d("2026-06-30"))


def test_every_rule_is_documented_in_both_languages_with_its_basis() -> None:
    rules = all_rules()
    assert {rule.code for rule in rules} == set(RuleCode)
    for rule in rules:
        assert rule.label_vi
        assert rule.label_en
        assert rule.basis
        assert rule.starts_vi
        assert rule.starts_en
        assert isinstance(rule.trigger, Trigger)
        assert rule.days >= 1


def test_only_the_unsure_rules_depend_on_configuration() -> None:
    changed = DeadlineSettings(
        acceptance_working_days_from_2026_07_01=8, unhandled_petition_days=50
    )
    default_rules, changed_rules = all_rules(), all_rules(changed)
    differing = {a.code for a, b in zip(default_rules, changed_rules, strict=True) if a != b}
    assert differing == {R.COMPLAINT_ACCEPTANCE, R.PETITION_UNHANDLED}
    assert {r.code for r in changed_rules if r.unsure} == differing


def test_triggers_say_what_starts_each_period() -> None:
    on = d("2026-07-01")
    assert rule_in_force(R.COMPLAINT_FIRST_RESOLUTION, on).trigger is Trigger.ACCEPTED
    assert rule_in_force(R.COMPLAINT_SECOND_LODGING, on).trigger is Trigger.FIRST_DECISION
    assert rule_in_force(R.COMPLAINT_LODGING, on).trigger is Trigger.DECISION_RECEIVED
    assert rule_in_force(R.RECEPTION_REPLY, on).trigger is Trigger.RECEIVED


@pytest.mark.parametrize(
    "settings",
    [
        {"acceptance_working_days_from_2026_07_01": 0},
        {"unhandled_petition_days": -5},
        {"unhandled_petition_dayz": 30},
    ],
)
def test_settings_refuse_a_period_of_no_days_or_a_misspelt_name(
    settings: dict[str, int],
) -> None:
    with pytest.raises(ValidationError):
        DeadlineSettings.model_validate(settings)


# --- overdue ------------------------------------------------------------------------------


def _due_on_1_april() -> Deadline:
    # Accepted Monday 2026-03-02: + 30 = Wednesday 2026-04-01.
    return deadline_for(R.COMPLAINT_FIRST_RESOLUTION, d("2026-03-02"))


@pytest.mark.parametrize(
    ("today", "overdue", "left"),
    [
        ("2026-03-30", False, 2),
        ("2026-04-01", False, 0),  # the due day itself is still in time
        ("2026-04-02", True, -1),  # late from the day after
        ("2026-04-05", True, -4),
    ],
)
def test_overdue_exactly_from_the_day_after_the_due_day(
    today: str, overdue: bool, left: int
) -> None:
    deadline = _due_on_1_april()
    assert is_overdue(deadline, d(today)) is overdue
    assert days_left(deadline, d(today)) == left


def test_a_working_day_deadline_due_on_friday_is_overdue_on_saturday() -> None:
    # Received Wednesday 2026-03-04: Mar 5, 6, 9, 10, 11, 12, 13: due Friday 2026-03-13.
    deadline = deadline_for(R.DENUNCIATION_INITIAL_HANDLING, d("2026-03-04"))
    assert deadline.due_on == d("2026-03-13")
    assert not is_overdue(deadline, d("2026-03-13"))
    assert is_overdue(deadline, d("2026-03-14"))
