"""Periodic reports' rules, without servers: the review from submission to approval and its
lock, who submits and who reviews, what a submission may name, the due date and the on-time
rule, and the completeness of a parent's children with the units in force in the period."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from danvan.clock import VIETNAM
from danvan.contracts.reports import (
    CONCERN_MAX_LENGTH,
    MAX_CONCERN_UNITS,
    MAX_CONCERNS,
    REPORT_TEXT_MAX_LENGTH,
    TOPIC_MAX_LENGTH,
    ChildStatus,
    ConcernItem,
    ConcernPublic,
    ReportAction,
    ReportDetail,
    ReportKind,
    ReportStatus,
    ReportSubmit,
    ReturnBody,
    UnitName,
)
from danvan.contracts.rpc import ErrorCode, Principal, Role, RpcOk, ServiceError
from danvan.periods import Period
from danvan.units import UnitTree, load_units
from danvan.units.reorganisation import apply, parse
from services.reporting.reports import (
    FiledReport,
    ReportState,
    allowed_actions,
    check_submission,
    completeness,
    due_date,
    on_time,
    order_concerns,
    parents_on,
    plan_review,
    plan_submit,
    rate,
)

TODAY = date(2026, 11, 23)
DUE_DAYS = 6
HA_NOI, OLD_HA_NOI = "01", "old-01"
HONG_HA = "00097"  # Phường Hồng Hà (since 2025-07-01), under Hà Nội
BA_DINH = "00004"  # Phường Ba Đình (since 2025-07-01), under Hà Nội
TAY_HO_DISTRICT = "old-003"  # Quận Tây Hồ (until 2025-06-30), under the former Hà Nội
TU_LIEN = "old-00097"  # Phường Tứ Liên, Quận Tây Hồ (until 2025-06-30)
HO_CHI_MINH_CITY = "79"


@pytest.fixture(scope="module")
def units() -> UnitTree:
    return load_units()


def person(unit: str, role: Role = Role.OFFICER) -> Principal:
    return Principal(sub=f"{role.value}-{unit}", unit=unit, roles=(role,))


def state(
    status: ReportStatus = ReportStatus.SUBMITTED,
    *,
    unit: str = HONG_HA,
    parent: str = HA_NOI,
    version: int = 1,
    submission: int = 1,
) -> ReportState:
    return ReportState(
        id=uuid.uuid4(),
        unit_id=unit,
        parent_id=parent,
        status=status,
        version=version,
        submission=submission,
        first_submitted_at=datetime(2026, 11, 20, 9, tzinfo=VIETNAM),
    )


def submit(**overrides: Any) -> ReportSubmit:
    body: dict[str, Any] = {
        "unit_code": HONG_HA,
        "period": "2026Q3",
        "results": "Tổ chức 3 hội nghị đối thoại với Nhân dân.",
        **overrides,
    }
    return ReportSubmit.model_validate(body)


def refused(error: pytest.ExceptionInfo[ServiceError], code: ErrorCode) -> str:
    assert error.value.code is code, error.value.message
    return error.value.message.en


# ---- the review ---------------------------------------------------------------------------------


def test_a_first_submission_is_submitted_at_version_one() -> None:
    plan = plan_submit(None, expected_version=None)
    assert (plan.status, plan.version, plan.submission) == (ReportStatus.SUBMITTED, 1, 1)


def test_a_returned_report_is_submitted_again_as_a_new_version() -> None:
    plan = plan_submit(state(ReportStatus.RETURNED, version=2), expected_version=2)
    assert (plan.status, plan.version, plan.submission) == (ReportStatus.SUBMITTED, 3, 2)


def test_a_submitted_report_waits_for_its_review_before_it_is_sent_again() -> None:
    with pytest.raises(ServiceError) as error:
        plan_submit(state(ReportStatus.SUBMITTED), expected_version=None)
    assert "allowed now: return, approve" in refused(error, ErrorCode.CONFLICT)


def test_the_parent_returns_or_approves_a_submitted_report(units: UnitTree) -> None:
    leader = person(HA_NOI, Role.LEADER)
    returned = plan_review(ReportAction.RETURN, state(), leader, units, expected_version=1)
    approved = plan_review(ReportAction.APPROVE, state(), leader, units, expected_version=None)
    assert (returned.status, returned.version, returned.submission) == (
        ReportStatus.RETURNED,
        2,
        1,
    )
    assert approved.status is ReportStatus.APPROVED


def test_a_returned_report_cannot_be_approved_until_sent_again(units: UnitTree) -> None:
    with pytest.raises(ServiceError) as error:
        plan_review(
            ReportAction.APPROVE,
            state(ReportStatus.RETURNED),
            person(HA_NOI, Role.LEADER),
            units,
            None,
        )
    assert "allowed now: submit" in refused(error, ErrorCode.CONFLICT)


@pytest.mark.parametrize("action", [ReportAction.RETURN, ReportAction.APPROVE])
def test_an_approved_report_cannot_be_returned_or_approved_again(
    units: UnitTree, action: ReportAction
) -> None:
    with pytest.raises(ServiceError) as error:
        plan_review(action, state(ReportStatus.APPROVED), person("VN", Role.ADMIN), units, None)
    message = refused(error, ErrorCode.CONFLICT)
    assert "locked" in message
    assert "allowed now: none" in message


def test_an_approved_report_cannot_be_submitted_again() -> None:
    with pytest.raises(ServiceError) as error:
        plan_submit(state(ReportStatus.APPROVED, version=2), expected_version=2)
    assert "locked" in refused(error, ErrorCode.CONFLICT)


def test_an_approved_report_allows_no_step() -> None:
    assert allowed_actions(ReportStatus.APPROVED) == []
    assert allowed_actions(None) == [ReportAction.SUBMIT]
    assert allowed_actions(ReportStatus.RETURNED) == [ReportAction.SUBMIT]


def test_a_step_on_a_report_that_moved_on_is_refused(units: UnitTree) -> None:
    with pytest.raises(ServiceError) as error:
        plan_review(ReportAction.APPROVE, state(version=3), person(HA_NOI, Role.LEADER), units, 2)
    assert "version 3, not 2" in refused(error, ErrorCode.CONFLICT)
    with pytest.raises(ServiceError) as again:
        plan_submit(state(ReportStatus.RETURNED, version=4), expected_version=1)
    refused(again, ErrorCode.CONFLICT)


# ---- who reviews --------------------------------------------------------------------------------


def test_a_unit_cannot_approve_its_own_report(units: UnitTree) -> None:
    with pytest.raises(ServiceError) as error:
        plan_review(ReportAction.APPROVE, state(), person(HONG_HA, Role.LEADER), units, None)
    refused(error, ErrorCode.FORBIDDEN)


def test_an_officer_of_the_parent_cannot_approve(units: UnitTree) -> None:
    with pytest.raises(ServiceError) as error:
        plan_review(ReportAction.APPROVE, state(), person(HA_NOI, Role.OFFICER), units, None)
    refused(error, ErrorCode.FORBIDDEN)


def test_a_leader_above_the_parent_may_review(units: UnitTree) -> None:
    plan = plan_review(ReportAction.RETURN, state(), person("VN", Role.LEADER), units, None)
    assert plan.status is ReportStatus.RETURNED


def test_another_provinces_leader_cannot_review(units: UnitTree) -> None:
    with pytest.raises(ServiceError) as error:
        plan_review(
            ReportAction.RETURN, state(), person(HO_CHI_MINH_CITY, Role.LEADER), units, None
        )
    refused(error, ErrorCode.FORBIDDEN)


def test_ha_noi_leaders_review_the_former_districts_reports(units: UnitTree) -> None:
    district = state(unit=TAY_HO_DISTRICT, parent=OLD_HA_NOI)
    plan = plan_review(ReportAction.APPROVE, district, person(HA_NOI, Role.LEADER), units, None)
    assert plan.status is ReportStatus.APPROVED
    commune = state(unit=TU_LIEN, parent=TAY_HO_DISTRICT)
    with pytest.raises(ServiceError) as error:
        # Hồng Hà took over part of Tứ Liên, not the district its report went to.
        plan_review(ReportAction.APPROVE, commune, person(HONG_HA, Role.LEADER), units, None)
    refused(error, ErrorCode.FORBIDDEN)


# ---- what a submission names --------------------------------------------------------------------


def test_a_commune_reports_to_its_province(units: UnitTree) -> None:
    checked = check_submission(submit(), person(HONG_HA), units, TODAY, DUE_DAYS)
    assert (checked.unit_id, checked.parent_id) == (HONG_HA, HA_NOI)
    assert checked.due_on == date(2026, 9, 20)


def test_a_former_district_reports_for_2024_to_the_former_city(units: UnitTree) -> None:
    body = submit(unit_code=TAY_HO_DISTRICT, period="2024")
    checked = check_submission(body, person(HA_NOI), units, TODAY, DUE_DAYS)
    assert (checked.unit_id, checked.parent_id) == (TAY_HO_DISTRICT, OLD_HA_NOI)


@pytest.mark.parametrize(
    ("unit", "period", "hint"),
    [
        (TAY_HO_DISTRICT, "2025", "use 01"),  # ceased mid-2025: not in force on 31 December
        (HONG_HA, "2024", "use one of old-"),  # came into force in 2025
    ],
)
def test_a_unit_reports_only_for_a_period_it_was_in_force_at_the_end_of(
    units: UnitTree, unit: str, period: str, hint: str
) -> None:
    with pytest.raises(ServiceError) as error:
        check_submission(
            submit(unit_code=unit, period=period), person(HA_NOI), units, TODAY, DUE_DAYS
        )
    assert hint in refused(error, ErrorCode.VALIDATION)
    assert error.value.details[0].field == "unit_code"


def test_the_peoples_situation_is_reported_monthly(units: UnitTree) -> None:
    body = submit(kind="people_situation", period="2026Q3")
    with pytest.raises(ServiceError) as error:
        check_submission(body, person(HONG_HA), units, TODAY, DUE_DAYS)
    refused(error, ErrorCode.VALIDATION)
    assert error.value.details[0].field == "period"


def test_a_period_that_has_not_begun_cannot_be_reported(units: UnitTree) -> None:
    with pytest.raises(ServiceError) as error:
        check_submission(submit(period="202701"), person(HONG_HA), units, TODAY, DUE_DAYS)
    assert "has not begun" in refused(error, ErrorCode.VALIDATION)
    # January's data start on 15 December (Decree 09), so it may go up from then on.
    checked = check_submission(
        submit(period="202701"), person(HONG_HA), units, date(2026, 12, 15), DUE_DAYS
    )
    assert checked.due_on == date(2027, 1, 20)


@pytest.mark.parametrize(
    ("principal", "code"),
    [
        (person(BA_DINH), ErrorCode.FORBIDDEN),  # another commune
        (person(HONG_HA, Role.VIEWER), ErrorCode.FORBIDDEN),  # reads only
    ],
)
def test_only_an_officer_or_leader_in_scope_submits(
    units: UnitTree, principal: Principal, code: ErrorCode
) -> None:
    with pytest.raises(ServiceError) as error:
        check_submission(submit(), principal, units, TODAY, DUE_DAYS)
    refused(error, code)


def test_the_nation_has_no_parent_to_report_to(units: UnitTree) -> None:
    with pytest.raises(ServiceError) as error:
        check_submission(submit(unit_code="VN"), person("VN", Role.ADMIN), units, TODAY, 6)
    refused(error, ErrorCode.VALIDATION)


def test_a_concern_names_units_of_the_reporting_units_subtree(units: UnitTree) -> None:
    body = submit(
        unit_code=HA_NOI,
        kind="people_situation",
        period="202610",
        concerns=[
            {"topic": "Bồi thường GPMB", "unit_codes": [HONG_HA, BA_DINH], "hot_spot": True},
            {"topic": "Ô nhiễm môi trường", "unit_codes": [HA_NOI]},
        ],
    )
    checked = check_submission(body, person(HA_NOI), units, TODAY, DUE_DAYS)
    assert checked.concern_units == ((HONG_HA, BA_DINH), (HA_NOI,))


def test_a_concern_outside_the_reporting_unit_is_refused_naming_each_unit(
    units: UnitTree,
) -> None:
    body = submit(
        kind="people_situation",
        period="202610",
        concerns=[
            {"topic": "Trật tự đô thị", "unit_codes": [HONG_HA, BA_DINH]},
            {"topic": "Đất đai", "unit_codes": ["99999", TU_LIEN]},
        ],
    )
    with pytest.raises(ServiceError) as error:
        check_submission(body, person(HONG_HA), units, TODAY, DUE_DAYS)
    refused(error, ErrorCode.VALIDATION)
    fields = [detail.field for detail in error.value.details]
    # Ba Đình is another commune; 99999 is no unit; Tứ Liên ceased before October 2026.
    assert fields == [
        "concerns.0.unit_codes.1",
        "concerns.1.unit_codes.0",
        "concerns.1.unit_codes.1",
    ]


def test_only_a_peoples_situation_report_carries_concerns() -> None:
    with pytest.raises(ValueError, match="only a people_situation report carries concerns"):
        submit(concerns=[{"topic": "Đất đai", "unit_codes": [HONG_HA]}])


def test_a_report_must_state_its_results_and_a_return_its_reason() -> None:
    with pytest.raises(ValueError, match="must not be blank"):
        submit(results=" \n ")
    with pytest.raises(ValueError, match="must not be blank"):
        ReturnBody(comment="   ")
    # Paragraphs stay as written.
    assert submit(results=" Kết quả:\n\n- 3 hội nghị ").results == "Kết quả:\n\n- 3 hội nghị"


def test_a_report_filled_to_every_limit_still_fits_one_nats_message(units: UnitTree) -> None:
    sentence = "Nhân dân phản ánh việc bồi thường giải phóng mặt bằng chưa thỏa đáng; "
    text = (sentence * 400)[:REPORT_TEXT_MAX_LENGTH]
    communes = [u.id for u in units.children(HA_NOI)][:MAX_CONCERN_UNITS]
    names = [UnitName(code=code, name=units.display_name(code)) for code in communes]
    concern = ConcernPublic(
        topic=text[:TOPIC_MAX_LENGTH],
        description=text[:CONCERN_MAX_LENGTH],
        hot_spot=True,
        units=names,
    )
    labels = {"vi": "Đã gửi, chờ duyệt", "en": "Submitted, awaiting review"}
    now = datetime(2026, 12, 18, tzinfo=VIETNAM)
    detail = ReportDetail(
        id=uuid.uuid4(),
        unit_code=HA_NOI,
        unit_name="Thành phố Hà Nội",
        parent_code="VN",
        kind=ReportKind.PEOPLE_SITUATION,
        kind_label=labels,
        period="202612",
        period_label=labels,
        status=ReportStatus.SUBMITTED,
        status_label=labels,
        version=1,
        submission=1,
        number="15-BC/BDVTU",
        place="Hà Nội",
        due_on=date(2026, 12, 20),
        first_submitted_at=now,
        submitted_at=now,
        submitted_by="officer",
        on_time=True,
        reviewed_at=None,
        reviewed_by=None,
        concerns_count=MAX_CONCERNS,
        hot_spots_count=MAX_CONCERNS,
        results=text,
        limitations=text,
        tasks=text,
        review_comment=None,
        # A province's view without its children's rows measured 76 kB: give it room.
        figures={"figures": "x" * 120_000},
        concerns=[concern] * MAX_CONCERNS,
        history=[],
    )
    # As the rpc reply travels: the one reply shape, JSON with non-ASCII escaped.
    body = json.dumps(RpcOk[Any](data=detail).model_dump(mode="json")).encode()
    assert len(body) < 1024 * 1024


# ---- due dates and on time ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "due"),
    [
        ("2024", date(2024, 12, 20)),
        ("2026S1", date(2026, 6, 20)),
        ("2026NM", date(2026, 9, 20)),
        ("2026Q1", date(2026, 3, 20)),
        ("202602", date(2026, 2, 20)),
    ],
)
def test_a_report_is_due_six_days_after_its_periods_cutoff(period: str, due: date) -> None:
    assert due_date(Period.parse(period), DUE_DAYS) == due


def test_the_due_date_follows_the_setting() -> None:
    assert due_date(Period.parse("202602"), 0) == date(2026, 2, 14)
    assert due_date(Period.parse("2026"), 20) == date(2027, 1, 3)


def test_on_time_is_decided_by_the_day_in_vietnam() -> None:
    due = date(2024, 12, 20)
    assert on_time(datetime(2024, 12, 20, 23, 30, tzinfo=VIETNAM), due)
    # 17:30 UTC on the 20th is 00:30 on the 21st in Vietnam: a day late.
    assert not on_time(datetime.fromisoformat("2024-12-20T17:30:00+00:00"), due)


# ---- completeness -------------------------------------------------------------------------------


def filed(
    unit_id: str,
    status: ReportStatus = ReportStatus.SUBMITTED,
    *,
    at: datetime = datetime(2026, 12, 18, 9, tzinfo=VIETNAM),
    due: date = date(2026, 12, 20),
) -> FiledReport:
    return FiledReport(uuid.uuid4(), unit_id, status, 1, at, due)


def test_completeness_counts_only_the_units_in_force_in_the_period(units: UnitTree) -> None:
    in_2024 = completeness(
        units, HA_NOI, Period.parse("2024"), ReportKind.WORK, [], today=TODAY, due_days=6
    )
    in_2026 = completeness(
        units, HA_NOI, Period.parse("2026"), ReportKind.WORK, [], today=TODAY, due_days=6
    )
    # In 2024 Hà Nội was the former city with its 30 districts; in 2026, 126 communes.
    assert [u.code for u in in_2024.expected_from] == [OLD_HA_NOI]
    assert in_2024.expected == 30
    assert {row.unit_code for row in in_2024.rows} == {u.id for u in units.children(OLD_HA_NOI)}
    assert all(row.level == "district" for row in in_2024.rows)
    assert [u.code for u in in_2026.expected_from] == [HA_NOI]
    assert in_2026.expected == 126
    assert all(row.level == "commune" for row in in_2026.rows)
    assert TAY_HO_DISTRICT not in {row.unit_code for row in in_2026.rows}


def test_the_nation_expects_the_provinces_in_force_at_the_periods_end(units: UnitTree) -> None:
    # Both generations hang under VN: 63 provinces until 2025-06-30, 34 since.
    def expected(period: str) -> int:
        return completeness(
            units, "VN", Period.parse(period), ReportKind.WORK, [], today=TODAY, due_days=6
        ).expected

    assert (expected("2024"), expected("2025S1"), expected("2025"), expected("2026")) == (
        63,
        63,
        34,
        34,
    )


def test_units_that_ceased_mid_period_are_not_expected_nor_counted(units: UnitTree) -> None:
    # The districts ceased on 2025-07-01: the year 2025 expects the communes in force at its
    # end, and a district's report for it is not counted even if one was stored.
    stray = filed(TAY_HO_DISTRICT, due=date(2025, 12, 20))
    report = completeness(
        units,
        HA_NOI,
        Period.parse("2025"),
        ReportKind.WORK,
        [stray, filed(HONG_HA, due=date(2025, 12, 20))],
        today=TODAY,
        due_days=DUE_DAYS,
    )
    assert report.expected == 126
    assert report.submitted == 1
    first_half = completeness(
        units, OLD_HA_NOI, Period.parse("2025S1"), ReportKind.WORK, [stray], today=TODAY, due_days=6
    )
    assert (first_half.expected, first_half.submitted) == (30, 1)


def test_a_merged_province_expects_the_districts_of_both_former_provinces(
    units: UnitTree,
) -> None:
    report = completeness(
        units, "24", Period.parse("2024"), ReportKind.WORK, [], today=TODAY, due_days=DUE_DAYS
    )
    assert [u.code for u in report.expected_from] == ["old-24", "old-27"]
    assert report.expected == len(units.children("old-24")) + len(units.children("old-27"))


def test_rates_never_exceed_100_percent(units: UnitTree) -> None:
    children = [u.id for u in units.children(OLD_HA_NOI)]
    reports = [filed(unit_id, due=date(2024, 12, 20)) for unit_id in children]
    reports.append(filed(HONG_HA, due=date(2024, 12, 20)))  # not a unit of 2024
    report = completeness(
        units, HA_NOI, Period.parse("2024"), ReportKind.WORK, reports, today=TODAY, due_days=6
    )
    assert (report.expected, report.submitted) == (30, 30)
    assert report.submitted_rate == 100.0
    assert report.on_time_rate == 0.0  # every one of them came in 2026


def test_rates_round_down_so_100_means_all() -> None:
    assert rate(29, 30) == 96.6
    assert rate(2998, 2999) == 99.9
    assert rate(30, 30) == 100.0
    assert rate(0, 0) is None


def test_nothing_expected_gives_no_rate(units: UnitTree) -> None:
    report = completeness(
        units, HONG_HA, Period.parse("2026"), ReportKind.WORK, [], today=TODAY, due_days=6
    )
    assert (report.expected, report.submitted_rate, report.on_time_rate) == (0, None, None)


def test_each_child_shows_its_status_due_date_and_timeliness(units: UnitTree) -> None:
    late = datetime(2026, 10, 2, 9, tzinfo=VIETNAM)
    reports = [
        filed(HONG_HA, ReportStatus.APPROVED, at=datetime(2026, 9, 18, tzinfo=VIETNAM)),
        filed(BA_DINH, ReportStatus.RETURNED, at=late),
    ]
    due = date(2026, 9, 20)
    reports = [
        FiledReport(r.report_id, r.unit_id, r.status, 2, r.first_submitted_at, due) for r in reports
    ]
    report = completeness(
        units, HA_NOI, Period.parse("2026Q3"), ReportKind.WORK, reports, today=TODAY, due_days=6
    )
    rows = {row.unit_code: row for row in report.rows}
    assert (rows[HONG_HA].status, rows[HONG_HA].on_time) == (ChildStatus.APPROVED, True)
    # A returned report was submitted, late here; it is not overdue.
    assert (rows[BA_DINH].status, rows[BA_DINH].on_time, rows[BA_DINH].overdue) == (
        ChildStatus.RETURNED,
        False,
        False,
    )
    missing = rows["00292"]  # Phường Bạch Mai: nothing sent, past the 20 September
    assert (missing.status, missing.on_time, missing.overdue) == (
        ChildStatus.NOT_SUBMITTED,
        None,
        True,
    )
    assert missing.status_label["vi"] == "Chưa gửi"
    assert missing.due_on == due
    assert (report.submitted, report.on_time, report.approved, report.returned) == (2, 1, 1, 1)
    assert report.on_time_rate == rate(1, 126)


def test_a_child_not_yet_due_is_not_overdue(units: UnitTree) -> None:
    report = completeness(
        units,
        HA_NOI,
        Period.parse("202611"),
        ReportKind.PEOPLE_SITUATION,
        [],
        today=TODAY,
        due_days=6,
    )
    assert report.due_on == date(2026, 11, 20)
    assert all(row.overdue for row in report.rows)
    early = completeness(
        units,
        HA_NOI,
        Period.parse("202611"),
        ReportKind.PEOPLE_SITUATION,
        [],
        today=date(2026, 11, 20),
        due_days=DUE_DAYS,
    )
    assert not any(row.overdue for row in early.rows)


# ---- concerns -----------------------------------------------------------------------------------


def concern(unit: str, topic: str, *, hot_spot: bool = False) -> ConcernItem:
    return ConcernItem(
        report_id=uuid.uuid4(),
        report_status=ReportStatus.SUBMITTED,
        report_status_label={"vi": "", "en": ""},
        reporting_unit=UnitName(code=unit, name=unit),
        topic=topic,
        description="",
        hot_spot=hot_spot,
        units=[],
    )


def test_hot_spots_come_first_then_units_in_vietnamese_order(units: UnitTree) -> None:
    items = [
        concern("09700", "Xã Ba Vì 1"),  # Xã Ba Vì
        concern(BA_DINH, "Ba Đình 1"),  # Phường Ba Đình
        concern("00292", "Bạch Mai", hot_spot=True),  # Phường Bạch Mai
        concern(BA_DINH, "Ba Đình 2"),
        concern("09877", "An Khánh"),  # Xã An Khánh
    ]
    ordered = [item.topic for item in order_concerns(units, items)]
    assert ordered == ["Bạch Mai", "An Khánh", "Ba Đình 1", "Ba Đình 2", "Xã Ba Vì 1"]


def test_across_two_reorganisations_a_ward_stands_for_the_wards_of_its_time() -> None:
    example = Path(__file__).parents[1] / "data" / "reorganisation-2027-example.json"
    after = apply(load_units(), parse(example.read_bytes()), key="example")
    new = "2027-00103"  # Hồng Hà, Tây Hồ and most of Phú Thượng from 2027
    # Back in 2024, through the 2025 wards to the wards before the reform.
    in_2024 = {u.id for u in parents_on(after, new, date(2024, 6, 1))}
    assert "old-00097" in in_2024  # Phường Tứ Liên, by way of Hồng Hà
    assert "old-00091" in in_2024  # Phường Phú Thượng, by way of the 2025 Phú Thượng
    assert {"00097", "00103", "00091"}.isdisjoint(in_2024)
    assert all(u.startswith("old-") for u in in_2024)
    # In name order: Hồng Hà, Phú Thượng, Tây Hồ.
    assert [u.id for u in parents_on(after, new, date(2026, 6, 1))] == ["00097", "00091", "00103"]
    # Forward: the ceased Hồng Hà in 2027 is the new ward; the pre-reform Tứ Liên too.
    assert [u.id for u in parents_on(after, "00097", date(2027, 3, 1))] == [new]
    assert new in {u.id for u in parents_on(after, "old-00097", date(2027, 3, 1))}
    report = completeness(
        after, HA_NOI, Period.parse("2027"), ReportKind.WORK, [], today=TODAY, due_days=6
    )
    assert report.expected == 126 - 3 + 1
