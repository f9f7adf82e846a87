"""The reception service's rules, without servers: the petition state machine and who may move
it, the legal deadlines each step starts or meets, visits and crowd delegations, the heads'
reception days, who sees a petitioner's identity, and when two matters are one case.

The legal periods themselves are tested in test_reception_deadlines.py: here an expected due
day is always `deadline_for` asked with the same facts.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from danvan.contracts.reception import (
    MASK,
    PETITION_STEP_BODIES,
    Address,
    Conclusion,
    Person,
    PetitionAction,
    PetitionClass,
    PetitionStatus,
    PetitionStepBody,
    ReceiverRole,
    ReceptionMode,
)
from danvan.contracts.rpc import ErrorCode, Principal, Role, ServiceError
from danvan.periods import Period
from danvan.schedule import ScheduleRule, schedule_compliance, schedule_rule
from danvan.units import Level, UnitTree, load_units
from services.reception.deadlines import (
    DayKind,
    Deadline,
    DeadlineSettings,
    RuleCode,
    deadline_for,
)
from services.reception.domain import (
    KnownPerson,
    OpenDeadline,
    PetitionOutcome,
    PetitionState,
    check_visit_mode,
    is_crowd,
    masked,
    may_see_identity,
    plan_petition_step,
    receipt_deadlines,
    representative_warnings,
    same_case,
)

A = PetitionAction
S = PetitionStatus
R = RuleCode

HONG_HA = "00097"  # Phường Hồng Hà, Hà Nội: the handling unit
BA_DINH = "00004"  # Phường Ba Đình, another commune of Hà Nội
HA_NOI = "01"
HO_CHI_MINH = "79"

TODAY = date(2026, 9, 15)  # a Tuesday
RECEIVED_ON = date(2026, 8, 3)
LAST_STEP_ON = date(2026, 8, 10)
ACCEPTED_ON = date(2026, 8, 10)
SETTINGS = DeadlineSettings()
LAW_2026 = date(2026, 7, 1)


@pytest.fixture(scope="module")
def units() -> UnitTree:
    return load_units()


def principal(unit: str, *roles: Role) -> Principal:
    return Principal(sub=f"{unit}-{'-'.join(r.value for r in roles)}", unit=unit, roles=roles)


LEADER = principal(HONG_HA, Role.LEADER)
OFFICER = principal(HONG_HA, Role.OFFICER)
VIEWER = principal(HONG_HA, Role.VIEWER)

# A valid body of each action.
VALID_FIELDS: dict[PetitionAction, dict[str, Any]] = {
    A.CLASSIFY: {"petition_class": "denunciation", "sector": "land"},
    A.REJECT: {"reason": "Đơn nặc danh, không rõ nội dung"},
    A.FORWARD: {"to_body": "Thanh tra thành phố Hà Nội", "dispatch_number": "125/PC-UBND"},
    A.ACCEPT: {"complex": True},
    A.VERIFY: {},
    A.EXTEND: {"decision_number": "12/QĐ-UBND"},
    A.CONCLUDE: {"conclusion": "partly_upheld", "decision_number": "30/KL-UBND"},
    A.ENFORCE: {"remarks": "Đã thi hành xong"},
    A.WITHDRAW: {"reason": "Người tố cáo rút đơn"},
}


def body(action: PetitionAction, **fields: Any) -> PetitionStepBody:
    return PETITION_STEP_BODIES[action].model_validate({**VALID_FIELDS[action], **fields})


def petition(
    status: PetitionStatus = S.CLASSIFIED,
    petition_class: PetitionClass = PetitionClass.DENUNCIATION,
    **changes: Any,
) -> PetitionState:
    state = PetitionState(
        id=uuid.uuid4(),
        unit_id=HONG_HA,
        petition_class=petition_class,
        status=status,
        version=3,
        received_on=RECEIVED_ON,
        last_step_on=LAST_STEP_ON,
        remote_area=False,
        second_instance=False,
    )
    return dataclasses.replace(state, **changes)


def accepted_denunciation(**changes: Any) -> PetitionState:
    """An accepted complex denunciation, not yet extended."""
    facts: dict[str, Any] = {"status": S.ACCEPTED, "accepted_on": ACCEPTED_ON, "complex": True}
    return petition(**{**facts, **changes})


def opened(*codes: RuleCode, on: date = RECEIVED_ON) -> tuple[OpenDeadline, ...]:
    return tuple(OpenDeadline(code.value, on + timedelta(days=30), on) for code in codes)


def plan(
    action: PetitionAction,
    state: PetitionState,
    units: UnitTree,
    *,
    who: Principal = LEADER,
    step: PetitionStepBody | None = None,
    today: date = TODAY,
    settings: DeadlineSettings = SETTINGS,
) -> PetitionOutcome:
    return plan_petition_step(
        action, step if step is not None else body(action), state, who, units, today, settings
    )


def refusal(
    action: PetitionAction,
    state: PetitionState,
    units: UnitTree,
    *,
    who: Principal = LEADER,
    step: PetitionStepBody | None = None,
) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        plan(action, state, units, who=who, step=step)
    return caught.value


# ---- 1. the petition state machine, every status × every action --------------------------------

# Written from the handling procedure, not read from the code: status -> status after the step.
EXPECTED: dict[PetitionAction, dict[PetitionStatus, PetitionStatus]] = {
    A.CLASSIFY: {S.RECEIVED: S.CLASSIFIED},
    A.REJECT: {S.RECEIVED: S.NOT_ELIGIBLE, S.CLASSIFIED: S.NOT_ELIGIBLE},
    A.FORWARD: {S.RECEIVED: S.FORWARDED, S.CLASSIFIED: S.FORWARDED},
    A.ACCEPT: {S.CLASSIFIED: S.ACCEPTED},
    A.VERIFY: {S.ACCEPTED: S.VERIFYING},
    A.EXTEND: {S.ACCEPTED: S.ACCEPTED, S.VERIFYING: S.VERIFYING},  # keeps the status
    A.CONCLUDE: {S.ACCEPTED: S.CONCLUDED, S.VERIFYING: S.CONCLUDED},
    A.ENFORCE: {S.CONCLUDED: S.ENFORCED},
    A.WITHDRAW: {
        S.RECEIVED: S.WITHDRAWN,
        S.CLASSIFIED: S.WITHDRAWN,
        S.ACCEPTED: S.WITHDRAWN,
        S.VERIFYING: S.WITHDRAWN,
    },
}
ALLOWED = [(a, s) for a in PetitionAction for s in PetitionStatus if s in EXPECTED[a]]
REFUSED = [(a, s) for a in PetitionAction for s in PetitionStatus if s not in EXPECTED[a]]


def allowed_in(status: PetitionStatus) -> set[str]:
    return {a.value for a in PetitionAction if status in EXPECTED[a]}


def matrix_state(action: PetitionAction, status: PetitionStatus) -> PetitionState:
    if action is A.EXTEND:
        return petition(status, accepted_on=ACCEPTED_ON, complex=True)
    return petition(status)


def test_the_matrix_covers_every_status_and_every_action() -> None:
    assert len(ALLOWED) + len(REFUSED) == len(PetitionStatus) * len(PetitionAction) == 81
    assert len(ALLOWED) == 16


@pytest.mark.parametrize(("action", "status"), ALLOWED, ids=lambda v: str(v))
def test_a_leader_of_the_handling_unit_moves_a_petition_along_an_allowed_step(
    units: UnitTree, action: PetitionAction, status: PetitionStatus
) -> None:
    outcome = plan(action, matrix_state(action, status), units)
    assert outcome.action is action
    assert outcome.status is EXPECTED[action][status]
    assert outcome.version == 4
    assert outcome.on == TODAY


@pytest.mark.parametrize(("action", "status"), REFUSED, ids=lambda v: str(v))
def test_a_step_the_status_does_not_allow_is_a_conflict_naming_what_is_allowed(
    units: UnitTree, action: PetitionAction, status: PetitionStatus
) -> None:
    error = refusal(action, matrix_state(action, status), units)
    assert error.code is ErrorCode.CONFLICT
    assert action.value in error.message.en
    assert status.value in error.message.en
    # "…; allowed now: a, b" or "…; allowed now: none"
    listed = {name.strip() for name in error.message.en.rsplit(":", 1)[1].split(",")}
    assert listed == (allowed_in(status) or {"none"})


# ---- 2. roles and scope ----------------------------------------------------------------------

# For each action, a petition whose status allows it: a refusal then comes from who asks.
READY: dict[PetitionAction, PetitionState] = {
    A.CLASSIFY: petition(S.RECEIVED),
    A.REJECT: petition(S.CLASSIFIED),
    A.FORWARD: petition(S.CLASSIFIED),
    A.ACCEPT: petition(S.CLASSIFIED),
    A.VERIFY: accepted_denunciation(),
    A.EXTEND: accepted_denunciation(),
    A.CONCLUDE: accepted_denunciation(status=S.VERIFYING),
    A.ENFORCE: accepted_denunciation(status=S.CONCLUDED),
    A.WITHDRAW: accepted_denunciation(),
}
OFFICER_MAY = [A.CLASSIFY, A.FORWARD, A.VERIFY, A.WITHDRAW]
LEADER_ONLY = [A.REJECT, A.ACCEPT, A.EXTEND, A.CONCLUDE, A.ENFORCE]


def test_officer_and_leader_actions_split_every_action() -> None:
    assert set(OFFICER_MAY) | set(LEADER_ONLY) == set(PetitionAction)


@pytest.mark.parametrize("action", list(PetitionAction))
def test_a_viewer_of_the_handling_unit_cannot_take_any_step(
    units: UnitTree, action: PetitionAction
) -> None:
    error = refusal(action, READY[action], units, who=VIEWER)
    assert error.code is ErrorCode.FORBIDDEN


@pytest.mark.parametrize("action", OFFICER_MAY)
def test_an_officer_of_the_handling_unit_records_and_moves_a_petition_along(
    units: UnitTree, action: PetitionAction
) -> None:
    outcome = plan(action, READY[action], units, who=OFFICER)
    assert outcome.status is EXPECTED[action][READY[action].status]


@pytest.mark.parametrize("action", LEADER_ONLY)
def test_an_officer_cannot_take_a_leaders_decision(units: UnitTree, action: PetitionAction) -> None:
    error = refusal(action, READY[action], units, who=OFFICER)
    assert error.code is ErrorCode.FORBIDDEN
    assert "leader" in error.message.en


@pytest.mark.parametrize("action", list(PetitionAction))
@pytest.mark.parametrize(
    "unit", [BA_DINH, HO_CHI_MINH], ids=["another_commune", "another_province"]
)
def test_a_leader_of_another_commune_or_province_cannot_touch_the_petition(
    units: UnitTree, action: PetitionAction, unit: str
) -> None:
    error = refusal(action, READY[action], units, who=principal(unit, Role.LEADER))
    assert error.code is ErrorCode.FORBIDDEN
    assert HONG_HA in error.message.en


@pytest.mark.parametrize("action", list(PetitionAction))
def test_a_leader_of_ha_noi_may_act_on_a_petition_of_its_commune(
    units: UnitTree, action: PetitionAction
) -> None:
    outcome = plan(action, READY[action], units, who=principal(HA_NOI, Role.LEADER))
    assert outcome.status is EXPECTED[action][READY[action].status]


def test_a_leader_of_another_commune_cannot_accept_a_complaint(units: UnitTree) -> None:
    complaint = petition(S.CLASSIFIED, PetitionClass.COMPLAINT)
    error = refusal(A.ACCEPT, complaint, units, who=principal(BA_DINH, Role.LEADER))
    assert error.code is ErrorCode.FORBIDDEN


def test_a_refusal_is_checked_before_the_version(units: UnitTree) -> None:
    # A stranger learns nothing of the petition, not even that its version moved on.
    stale = body(A.ACCEPT, expected_version=1)
    error = refusal(A.ACCEPT, READY[A.ACCEPT], units, who=VIEWER, step=stale)
    assert error.code is ErrorCode.FORBIDDEN


# ---- 3. deadlines started and met ------------------------------------------------------------


def codes(deadlines: list[Deadline]) -> set[str]:
    return {d.rule_code.value for d in deadlines}


def test_a_complaint_received_on_30_june_2026_gets_ten_working_days_and_no_45_day_rule() -> None:
    day = date(2026, 6, 30)
    started = receipt_deadlines(
        PetitionClass.COMPLAINT, day, remote_area=False, settings=DeadlineSettings()
    )
    assert codes(started) == {R.COMPLAINT_ACCEPTANCE.value}
    (acceptance,) = started
    assert (acceptance.days, acceptance.day_kind) == (10, DayKind.WORKING)
    assert acceptance.due_on == deadline_for(R.COMPLAINT_ACCEPTANCE, day).due_on
    assert acceptance.started_on == day


def test_a_complaint_received_on_1_july_2026_gets_seven_working_days_and_the_45_day_rule() -> None:
    day = date(2026, 7, 1)
    started = {
        d.rule_code: d
        for d in receipt_deadlines(
            PetitionClass.COMPLAINT, day, remote_area=False, settings=DeadlineSettings()
        )
    }
    assert set(started) == {R.COMPLAINT_ACCEPTANCE, R.PETITION_UNHANDLED}
    acceptance, unhandled = started[R.COMPLAINT_ACCEPTANCE], started[R.PETITION_UNHANDLED]
    assert (acceptance.days, acceptance.day_kind) == (7, DayKind.WORKING)
    assert acceptance.due_on == deadline_for(R.COMPLAINT_ACCEPTANCE, day).due_on
    assert (unhandled.days, unhandled.day_kind) == (45, DayKind.CALENDAR)
    assert unhandled.due_on == deadline_for(R.PETITION_UNHANDLED, day).due_on


def test_the_unsure_receipt_periods_follow_the_settings() -> None:
    settings = DeadlineSettings(
        acceptance_working_days_from_2026_07_01=5, unhandled_petition_days=30
    )
    started = {
        d.rule_code: d.days
        for d in receipt_deadlines(
            PetitionClass.COMPLAINT, date(2026, 7, 1), remote_area=False, settings=settings
        )
    }
    assert started == {R.COMPLAINT_ACCEPTANCE: 5, R.PETITION_UNHANDLED: 30}


@pytest.mark.parametrize(
    ("petition_class", "before", "from_2026_07_01"),
    [
        (
            PetitionClass.DENUNCIATION,
            {R.DENUNCIATION_INITIAL_HANDLING},
            {R.DENUNCIATION_INITIAL_HANDLING, R.PETITION_UNHANDLED},
        ),
        (PetitionClass.RECOMMENDATION, set(), {R.PETITION_UNHANDLED}),
        (PetitionClass.FEEDBACK, set(), {R.PETITION_UNHANDLED}),
        (
            PetitionClass.MIXED,
            {R.COMPLAINT_ACCEPTANCE},
            {R.COMPLAINT_ACCEPTANCE, R.PETITION_UNHANDLED},
        ),
    ],
)
def test_receiving_a_petition_starts_the_deadlines_of_its_class(
    petition_class: PetitionClass, before: set[RuleCode], from_2026_07_01: set[RuleCode]
) -> None:
    def started(day: date) -> set[str]:
        return codes(receipt_deadlines(petition_class, day, remote_area=True, settings=SETTINGS))

    assert started(date(2026, 6, 30)) == {r.value for r in before}
    assert started(LAW_2026) == {r.value for r in from_2026_07_01}


@pytest.mark.parametrize(
    ("complex_", "remote", "days"),
    [(False, False, 30), (True, False, 45), (False, True, 45), (True, True, 60)],
    ids=["plain", "complex", "remote", "remote_and_complex"],
)
def test_accepting_a_first_complaint_starts_its_resolution_and_meets_receipt_deadlines(
    units: UnitTree, complex_: bool, remote: bool, days: int
) -> None:
    complaint = petition(
        S.CLASSIFIED,
        PetitionClass.COMPLAINT,
        remote_area=remote,
        open_deadlines=opened(R.COMPLAINT_ACCEPTANCE, R.PETITION_UNHANDLED),
    )
    outcome = plan(A.ACCEPT, complaint, units, step=body(A.ACCEPT, complex=complex_))
    assert outcome.status is S.ACCEPTED
    (resolution,) = outcome.starts
    assert resolution.rule_code is R.COMPLAINT_FIRST_RESOLUTION
    assert resolution.days == days
    assert resolution.started_on == TODAY
    expected = deadline_for(R.COMPLAINT_FIRST_RESOLUTION, TODAY, complex=complex_, remote=remote)
    assert resolution.due_on == expected.due_on
    assert outcome.meets == {R.COMPLAINT_ACCEPTANCE.value, R.PETITION_UNHANDLED.value}
    assert outcome.updates["accepted_on"] == TODAY
    assert outcome.updates["complex"] is complex_


def test_an_especially_complex_complaint_is_accepted_as_complex(units: UnitTree) -> None:
    complaint = petition(S.CLASSIFIED, PetitionClass.COMPLAINT)
    outcome = plan(
        A.ACCEPT, complaint, units, step=body(A.ACCEPT, complex=False, especially_complex=True)
    )
    assert outcome.starts[0].days == 45
    assert outcome.updates["complex"] is True
    assert outcome.updates["especially_complex"] is True


def test_accepting_a_second_instance_complaint_starts_the_second_resolution(
    units: UnitTree,
) -> None:
    complaint = petition(S.CLASSIFIED, PetitionClass.COMPLAINT, second_instance=True)
    outcome = plan(A.ACCEPT, complaint, units, step=body(A.ACCEPT, complex=False))
    (resolution,) = outcome.starts
    assert resolution.rule_code is R.COMPLAINT_SECOND_RESOLUTION
    assert resolution.days == 45
    assert resolution.due_on == deadline_for(R.COMPLAINT_SECOND_RESOLUTION, TODAY).due_on


def test_accepting_a_denunciation_starts_the_notice_and_the_resolution(units: UnitTree) -> None:
    denunciation = petition(
        S.CLASSIFIED,
        open_deadlines=opened(R.DENUNCIATION_INITIAL_HANDLING, R.PETITION_UNHANDLED),
    )
    outcome = plan(A.ACCEPT, denunciation, units, step=body(A.ACCEPT, complex=False))
    started = {d.rule_code: d for d in outcome.starts}
    assert set(started) == {R.DENUNCIATION_ACCEPTANCE_NOTICE, R.DENUNCIATION_RESOLUTION}
    # The resolution comes last: the accepted event reports it as the petition's due day.
    assert outcome.starts[-1].rule_code is R.DENUNCIATION_RESOLUTION
    for code, deadline in started.items():
        assert deadline.due_on == deadline_for(code, TODAY).due_on
    assert outcome.meets == {R.DENUNCIATION_INITIAL_HANDLING.value, R.PETITION_UNHANDLED.value}


def test_accepting_meets_only_the_receipt_deadlines(units: UnitTree) -> None:
    denunciation = petition(
        S.CLASSIFIED, open_deadlines=opened(R.DENUNCIATION_INITIAL_HANDLING, R.RECEPTION_REPLY)
    )
    outcome = plan(A.ACCEPT, denunciation, units)
    assert outcome.meets == {R.DENUNCIATION_INITIAL_HANDLING.value}


def test_a_complex_denunciation_is_extended_once(units: UnitTree) -> None:
    denunciation = accepted_denunciation(open_deadlines=opened(R.DENUNCIATION_RESOLUTION))
    outcome = plan(A.EXTEND, denunciation, units)
    assert outcome.status is S.ACCEPTED
    (extended,) = outcome.starts
    expected = deadline_for(R.DENUNCIATION_RESOLUTION, ACCEPTED_ON, complex=True, extensions=1)
    assert extended.rule_code is R.DENUNCIATION_RESOLUTION
    assert extended.due_on == expected.due_on
    assert extended.extensions_used == 1
    assert outcome.updates == {"extensions": 1}
    assert outcome.supersedes == {R.DENUNCIATION_RESOLUTION.value}
    assert outcome.details == {
        "decision_number": "12/QĐ-UBND",
        "due_on": expected.due_on.isoformat(),
    }


def test_a_second_extension_needs_an_especially_complex_denunciation(units: UnitTree) -> None:
    only_complex = accepted_denunciation(extensions=1)
    error = refusal(A.EXTEND, only_complex, units)
    assert error.code is ErrorCode.CONFLICT

    especially = accepted_denunciation(extensions=1, especially_complex=True)
    outcome = plan(A.EXTEND, especially, units)
    expected = deadline_for(
        R.DENUNCIATION_RESOLUTION, ACCEPTED_ON, especially_complex=True, extensions=2
    )
    assert outcome.starts[0].due_on == expected.due_on
    assert outcome.updates == {"extensions": 2}


def test_a_third_extension_is_refused(units: UnitTree) -> None:
    error = refusal(A.EXTEND, accepted_denunciation(extensions=2, especially_complex=True), units)
    assert error.code is ErrorCode.CONFLICT


def test_a_denunciation_that_is_not_complex_cannot_be_extended(units: UnitTree) -> None:
    error = refusal(A.EXTEND, accepted_denunciation(complex=False), units)
    assert error.code is ErrorCode.CONFLICT


def test_a_complaint_cannot_be_extended(units: UnitTree) -> None:
    complaint = accepted_denunciation(petition_class=PetitionClass.COMPLAINT)
    error = refusal(A.EXTEND, complaint, units)
    assert error.code is ErrorCode.CONFLICT


@pytest.mark.parametrize(
    "state",
    [
        petition(S.CLASSIFIED, complex=True),
        petition(S.RECEIVED, complex=True),
        # The status says accepted but no acceptance day is on file.
        petition(S.ACCEPTED, complex=True, accepted_on=None),
    ],
    ids=["classified", "received", "no_acceptance_day"],
)
def test_a_denunciation_cannot_be_extended_before_acceptance(
    units: UnitTree, state: PetitionState
) -> None:
    assert refusal(A.EXTEND, state, units).code is ErrorCode.CONFLICT


def test_verifying_meets_the_denunciation_acceptance_notice(units: UnitTree) -> None:
    denunciation = accepted_denunciation(
        open_deadlines=opened(
            R.DENUNCIATION_ACCEPTANCE_NOTICE, R.DENUNCIATION_RESOLUTION, on=ACCEPTED_ON
        )
    )
    outcome = plan(A.VERIFY, denunciation, units)
    assert outcome.status is S.VERIFYING
    assert outcome.meets == {R.DENUNCIATION_ACCEPTANCE_NOTICE.value}
    assert outcome.starts == []


def test_concluding_meets_every_open_deadline_and_records_the_decision(units: UnitTree) -> None:
    open_now = opened(R.DENUNCIATION_ACCEPTANCE_NOTICE, R.DENUNCIATION_RESOLUTION)
    denunciation = accepted_denunciation(status=S.VERIFYING, open_deadlines=open_now)
    outcome = plan(A.CONCLUDE, denunciation, units)
    assert outcome.status is S.CONCLUDED
    assert outcome.meets == {d.rule_code for d in open_now}
    assert outcome.details["conclusion"] == "partly_upheld"
    assert outcome.details["decision_number"] == "30/KL-UBND"
    assert outcome.updates == {"conclusion": Conclusion.PARTLY_UPHELD}


@pytest.mark.parametrize(
    ("action", "status", "target"),
    [
        (A.REJECT, S.CLASSIFIED, S.NOT_ELIGIBLE),
        (A.FORWARD, S.RECEIVED, S.FORWARDED),
        (A.WITHDRAW, S.VERIFYING, S.WITHDRAWN),
    ],
)
def test_closing_a_petition_ends_every_open_deadline(
    units: UnitTree, action: PetitionAction, status: PetitionStatus, target: PetitionStatus
) -> None:
    open_now = opened(
        R.COMPLAINT_ACCEPTANCE, R.PETITION_UNHANDLED, R.DENUNCIATION_RESOLUTION, R.RECEPTION_REPLY
    )
    outcome = plan(action, petition(status, open_deadlines=open_now), units)
    assert outcome.status is target
    assert outcome.meets == {d.rule_code for d in open_now}
    assert outcome.starts == []


def test_rejecting_and_forwarding_record_why_and_where(units: UnitTree) -> None:
    rejected = plan(A.REJECT, petition(S.RECEIVED), units)
    assert rejected.details == {"reason": VALID_FIELDS[A.REJECT]["reason"]}
    forwarded = plan(A.FORWARD, petition(S.RECEIVED), units)
    assert forwarded.details == VALID_FIELDS[A.FORWARD]


def test_classifying_a_petition_counts_as_handling_it_within_45_days(units: UnitTree) -> None:
    received = petition(
        S.RECEIVED, open_deadlines=opened(R.PETITION_UNHANDLED, R.DENUNCIATION_INITIAL_HANDLING)
    )
    outcome = plan(A.CLASSIFY, received, units)
    assert outcome.meets == {R.PETITION_UNHANDLED.value}
    assert outcome.updates == {"petition_class": "denunciation", "sector": "land"}


def test_reclassifying_a_recommendation_as_a_complaint_starts_its_acceptance_deadline(
    units: UnitTree,
) -> None:
    received = petition(
        S.RECEIVED, PetitionClass.RECOMMENDATION, open_deadlines=opened(R.PETITION_UNHANDLED)
    )
    step = body(A.CLASSIFY, petition_class="complaint")
    outcome = plan(A.CLASSIFY, received, units, step=step)
    assert outcome.updates["petition_class"] == "complaint"
    started = {d.rule_code: d for d in outcome.starts}
    assert R.COMPLAINT_ACCEPTANCE in started
    expected = deadline_for(R.COMPLAINT_ACCEPTANCE, RECEIVED_ON)
    assert started[R.COMPLAINT_ACCEPTANCE].due_on == expected.due_on


def test_a_step_dated_in_the_future_is_refused_on_the_field_on(units: UnitTree) -> None:
    step = body(A.ACCEPT, on=TODAY + timedelta(days=1))
    error = refusal(A.ACCEPT, petition(S.CLASSIFIED), units, step=step)
    assert error.code is ErrorCode.VALIDATION
    assert [d.field for d in error.details] == ["on"]


def test_a_step_dated_before_the_last_step_is_refused(units: UnitTree) -> None:
    step = body(A.ACCEPT, on=LAST_STEP_ON - timedelta(days=1))
    error = refusal(A.ACCEPT, petition(S.CLASSIFIED), units, step=step)
    assert error.code is ErrorCode.VALIDATION
    assert [d.field for d in error.details] == ["on"]


def test_a_step_may_be_dated_on_the_day_of_the_last_step(units: UnitTree) -> None:
    step = body(A.ACCEPT, on=LAST_STEP_ON)
    outcome = plan(A.ACCEPT, petition(S.CLASSIFIED), units, step=step)
    assert outcome.on == LAST_STEP_ON
    assert outcome.updates["accepted_on"] == LAST_STEP_ON
    assert {d.started_on for d in outcome.starts} == {LAST_STEP_ON}


def test_a_stale_expected_version_is_a_conflict(units: UnitTree) -> None:
    step = body(A.ACCEPT, expected_version=2)
    error = refusal(A.ACCEPT, petition(S.CLASSIFIED), units, step=step)
    assert error.code is ErrorCode.CONFLICT
    assert "3" in error.message.en


def test_the_current_expected_version_moves_the_petition_one_version_on(
    units: UnitTree,
) -> None:
    outcome = plan(A.ACCEPT, petition(S.CLASSIFIED), units, step=body(A.ACCEPT, expected_version=3))
    assert outcome.version == 4


# ---- 4. visits -------------------------------------------------------------------------------


def mode_refusal(mode: ReceptionMode, receiver: ReceiverRole, day: date) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        check_visit_mode(mode, receiver, day)
    return caught.value


def test_online_reception_is_refused_before_1_july_2026() -> None:
    error = mode_refusal(ReceptionMode.ONLINE, ReceiverRole.OFFICER, date(2026, 6, 30))
    assert error.code is ErrorCode.VALIDATION
    assert [d.field for d in error.details] == ["mode"]


def test_online_reception_is_accepted_from_1_july_2026() -> None:
    check_visit_mode(ReceptionMode.ONLINE, ReceiverRole.OFFICER, LAW_2026)


def test_a_deputy_may_receive_for_the_head_until_30_june_2026_only() -> None:
    check_visit_mode(ReceptionMode.PERIODIC_DELEGATED, ReceiverRole.DEPUTY_HEAD, date(2026, 6, 30))
    error = mode_refusal(ReceptionMode.PERIODIC_DELEGATED, ReceiverRole.DEPUTY_HEAD, LAW_2026)
    assert error.code is ErrorCode.VALIDATION
    assert [d.field for d in error.details] == ["mode"]


@pytest.mark.parametrize(
    "receiver", [ReceiverRole.DEPUTY_HEAD, ReceiverRole.OFFICER, ReceiverRole.ELECTED_DEPUTY]
)
def test_periodic_reception_by_someone_other_than_the_head_is_refused(
    receiver: ReceiverRole,
) -> None:
    error = mode_refusal(ReceptionMode.PERIODIC, receiver, TODAY)
    assert error.code is ErrorCode.VALIDATION
    assert [d.field for d in error.details] == ["receiver_role"]


def test_periodic_reception_by_the_head_is_accepted() -> None:
    check_visit_mode(ReceptionMode.PERIODIC, ReceiverRole.HEAD, TODAY)
    check_visit_mode(ReceptionMode.REGULAR, ReceiverRole.OFFICER, TODAY)


LAW_THRESHOLD = 5  # Luật Tiếp công dân Art. 29: five people and more make a crowd


def test_four_people_are_not_a_crowd_and_get_no_warning() -> None:
    assert not is_crowd(4, LAW_THRESHOLD)
    assert representative_warnings(4, 4, LAW_THRESHOLD) == []


@pytest.mark.parametrize("headcount", [5, 10])
@pytest.mark.parametrize("representatives", [1, 2])
def test_five_to_ten_people_may_send_one_or_two_representatives(
    headcount: int, representatives: int
) -> None:
    assert is_crowd(headcount, LAW_THRESHOLD)
    assert representative_warnings(headcount, representatives, LAW_THRESHOLD) == []


@pytest.mark.parametrize("headcount", [5, 10])
def test_five_to_ten_people_sending_three_representatives_get_a_warning(headcount: int) -> None:
    warnings = representative_warnings(headcount, 3, LAW_THRESHOLD)
    assert len(warnings) == 1
    assert "at most 2" in warnings[0].en


@pytest.mark.parametrize("headcount", [11, 200])
def test_more_than_ten_people_may_send_five_representatives_and_not_six(headcount: int) -> None:
    assert representative_warnings(headcount, 5, LAW_THRESHOLD) == []
    warnings = representative_warnings(headcount, 6, LAW_THRESHOLD)
    assert len(warnings) == 1
    assert "at most 5" in warnings[0].en


def test_the_crowd_threshold_is_configurable() -> None:
    assert not is_crowd(9, 10)
    assert representative_warnings(9, 3, 10) == []
    assert is_crowd(10, 10)
    assert len(representative_warnings(10, 3, 10)) == 1


# ---- 5. the heads' reception days ------------------------------------------------------------


def test_how_often_each_level_of_head_receives_citizens() -> None:
    commune, district, province = (
        schedule_rule(Level.COMMUNE),
        schedule_rule(Level.DISTRICT),
        schedule_rule(Level.PROVINCE),
    )
    assert commune is not None
    assert (commune.per, commune.days) == ("week", 1)
    assert district is not None
    assert (district.per, district.days) == ("month", 2)
    assert province is not None
    assert (province.per, province.days) == ("month", 1)
    assert schedule_rule(Level.NATION) is None


SEPTEMBER_2026 = Period.parse("202609")
# September 2026 starts on a Tuesday and ends on a Wednesday. A week belongs to the month of
# its Thursday (as ISO weeks do): W36 (Aug 31-Sep 6), W37 (Sep 7-13), W38 (Sep 14-20) and
# W39 (Sep 21-27) are September's; W40 (Sep 28-Oct 4) is October's.
ONE_A_WEEK = [date(2026, 9, 2), date(2026, 9, 8), date(2026, 9, 16), date(2026, 9, 24)]
AFTER_SEPTEMBER = date(2026, 10, 20)


def commune_rule() -> ScheduleRule:
    rule = schedule_rule(Level.COMMUNE)
    assert rule is not None
    return rule


def test_a_commune_head_receiving_every_whole_week_kept_the_schedule() -> None:
    result = schedule_compliance(commune_rule(), SEPTEMBER_2026, ONE_A_WEEK, AFTER_SEPTEMBER)
    assert result.kept
    assert result.missing == []
    assert (result.required_days, result.held_days) == (4, 4)


def test_a_commune_head_missing_a_week_did_not_keep_the_schedule() -> None:
    # two days in W37, none in W38
    held = [ONE_A_WEEK[0], ONE_A_WEEK[1], ONE_A_WEEK[3], date(2026, 9, 10)]
    result = schedule_compliance(commune_rule(), SEPTEMBER_2026, held, AFTER_SEPTEMBER)
    assert not result.kept
    assert result.missing == ["2026-W38"]
    assert (result.required_days, result.held_days) == (4, 4)


def test_weeks_after_today_are_not_yet_required() -> None:
    today = date(2026, 9, 17)  # Thursday of W38: W36 and W37 are over
    result = schedule_compliance(commune_rule(), SEPTEMBER_2026, ONE_A_WEEK[:2], today)
    assert result.kept
    assert result.missing == []
    assert result.required_days == 2
    # The same days judged after the month: W38 and W39 are missing.
    later = schedule_compliance(commune_rule(), SEPTEMBER_2026, ONE_A_WEEK[:2], AFTER_SEPTEMBER)
    assert later.missing == ["2026-W38", "2026-W39"]


def test_days_after_today_are_not_counted_as_held() -> None:
    today = date(2026, 9, 20)  # Sunday, the end of W38
    result = schedule_compliance(commune_rule(), SEPTEMBER_2026, ONE_A_WEEK, today)
    assert (result.required_days, result.held_days, result.kept) == (3, 3, True)


def test_a_province_head_without_a_day_in_august_did_not_keep_the_schedule() -> None:
    rule = schedule_rule(Level.PROVINCE)
    assert rule is not None
    held = [date(2026, 7, 15), date(2026, 9, 15)]
    result = schedule_compliance(rule, Period.parse("2026Q3"), held, AFTER_SEPTEMBER)
    assert not result.kept
    assert result.missing == ["2026-08"]
    assert (result.required_days, result.held_days) == (3, 2)


def test_a_district_head_needs_two_days_a_month() -> None:
    rule = schedule_rule(Level.DISTRICT)
    assert rule is not None
    one = schedule_compliance(rule, SEPTEMBER_2026, [date(2026, 9, 8)], AFTER_SEPTEMBER)
    assert one.missing == ["2026-09"]
    two = schedule_compliance(rule, SEPTEMBER_2026, ONE_A_WEEK[:2], AFTER_SEPTEMBER)
    assert two.kept


def test_a_week_straddling_two_months_is_required_in_one_of_them() -> None:
    held = [*ONE_A_WEEK, date(2026, 10, 7), date(2026, 10, 14), date(2026, 10, 21)]
    later = date(2026, 11, 20)
    september = schedule_compliance(commune_rule(), SEPTEMBER_2026, held, later)
    october = schedule_compliance(commune_rule(), Period.parse("202610"), held, later)
    # 2026-W40 runs from Monday 28 September to Sunday 4 October: its Thursday is in October.
    assert "2026-W40" not in september.missing
    assert "2026-W40" in october.missing


# ---- 6. personal data ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        (principal(HONG_HA, Role.OFFICER), True),
        (principal(HONG_HA, Role.LEADER), True),
        (principal(HONG_HA, Role.VIEWER), False),
        (principal(HONG_HA, Role.ADMIN), False),
        (principal(HA_NOI, Role.OFFICER), False),
        (principal(HA_NOI, Role.LEADER), False),
        (principal(BA_DINH, Role.OFFICER), False),
    ],
    ids=[
        "officer_of_the_unit",
        "leader_of_the_unit",
        "viewer_of_the_unit",
        "admin_of_the_unit",
        "officer_of_the_parent_province",
        "leader_of_the_parent_province",
        "officer_of_another_commune",
    ],
)
def test_only_officers_and_leaders_of_the_handling_unit_see_who_petitioned(
    who: Principal, sees: bool
) -> None:
    assert may_see_identity(who, HONG_HA) is sees


def test_a_masked_person_keeps_only_the_unit_of_the_address() -> None:
    hoa = Person(
        name="Lê Thị Hoa",
        id_number="001190012345",
        address=Address(unit_code=HONG_HA, street="Ngõ 12 Âu Cơ"),
        phone="0912345678",
    )
    hidden = masked(hoa)
    assert hidden.name == MASK
    assert hidden.id_number is None
    assert hidden.phone is None
    assert hidden.address is not None
    assert hidden.address.street == ""
    assert hidden.address.unit_code == HONG_HA
    assert "Hoa" not in hidden.model_dump_json()
    assert "0912345678" not in hidden.model_dump_json()
    assert hoa.name == "Lê Thị Hoa"  # the original is left alone


def test_a_masked_person_without_an_address_has_none() -> None:
    assert masked(Person(name="Lê Thị Hoa")).address is None


# ---- 7. one matter, one case -----------------------------------------------------------------

CASE = uuid.UUID("00000000-0000-0000-0000-000000000001")
MATTER = "Bồi thường giải phóng mặt bằng dự án đường vành đai"
AN = KnownPerson(
    case_id=CASE, name="Nguyễn Văn An", id_number="001190012345", commune_id=HONG_HA, matter=MATTER
)


def test_the_same_id_number_is_the_same_case() -> None:
    found = same_case(
        [Person(name="Trần Thị Bình", id_number="001190012345")],
        "Tranh chấp lối đi chung",
        BA_DINH,
        [AN],
    )
    assert [case for case, _ in found] == [CASE]
    assert "ID" in found[0][1].en


def test_a_near_identical_name_and_matter_in_the_same_commune_is_the_same_case() -> None:
    found = same_case(
        [Person(name="Nguyen Van An")],
        "bồi thường giải phóng mặt bằng đường vành đai",
        HONG_HA,
        [AN],
    )
    assert [case for case, _ in found] == [CASE]
    assert "name" in found[0][1].en


def test_the_same_name_and_matter_in_another_commune_is_not_matched() -> None:
    assert same_case([Person(name="Nguyễn Văn An")], MATTER, BA_DINH, [AN]) == []


def test_the_same_name_with_a_different_matter_is_not_matched() -> None:
    found = same_case(
        [Person(name="Nguyễn Văn An")], "Tranh chấp lối đi chung với hộ liền kề", HONG_HA, [AN]
    )
    assert found == []


def test_a_different_name_with_the_same_matter_is_not_matched() -> None:
    assert same_case([Person(name="Phạm Thị Mai")], MATTER, HONG_HA, [AN]) == []


def test_a_case_matched_by_several_people_is_listed_once() -> None:
    people = [Person(name="Nguyen Van An"), Person(name="Lê Thị Hoa", id_number="001190012345")]
    found = same_case(people, MATTER, HONG_HA, [AN])
    assert [case for case, _ in found] == [CASE]


def test_different_id_numbers_are_different_people_whatever_their_names() -> None:
    namesake = Person(name="Nguyễn Văn An", id_number="001090099999")
    assert same_case([namesake], MATTER, HONG_HA, [AN]) == []
