"""The registry's rules, without servers: the lifecycle from registration to recognition,
who may take each step where, recognition levels, step dates, versions, changes of details,
registration and topics."""

from __future__ import annotations

import itertools
import uuid
from datetime import date, timedelta
from typing import Any, cast

import pytest

from danvan.contracts.registry import (
    DEFAULT_TOPICS,
    Action,
    Appraise,
    Evaluate,
    ExemplarDetails,
    FieldChange,
    ModelDetails,
    NotRecognise,
    Recognise,
    RecognitionLevel,
    StartImplementing,
    Status,
    Step,
    Withdraw,
)
from danvan.contracts.rpc import ErrorCode, Principal, Role, ServiceError
from danvan.units import UnitTree, load_units
from danvan.units.model import REFORM_DATE
from services.registry.domain import (
    FINAL,
    RECORD_NOUNS,
    RecordState,
    StepOutcome,
    allowed_actions,
    available_topics,
    check_registration,
    check_topics,
    check_update,
    merge_details,
    plan_step,
)

TODAY = date(2026, 11, 23)
RECORD_ID = uuid.UUID("7d1c6c2e-5b8a-4f0e-9a57-2f4f7d0b1c11")
HONG_HA = "00097"  # Phường Hồng Hà, Hà Nội (since 2025-07-01)
TU_LIEN = "old-00097"  # Phường Tứ Liên, Tây Hồ district (until 2025-06-30); went into Hồng Hà
BA_DINH = "00004"  # Phường Ba Đình, Hà Nội: not a successor of Tứ Liên
HA_NOI, HO_CHI_MINH_CITY, NATION = "01", "79", "VN"


@pytest.fixture(scope="module")
def units() -> UnitTree:
    return load_units()


def person(unit: str = HA_NOI, role: Role = Role.LEADER) -> Principal:
    return Principal(sub=f"{role.value}-{unit}", unit=unit, roles=(role,))


def record(
    status: Status = Status.REGISTERED,
    *,
    unit_id: str = HONG_HA,
    version: int = 3,
    registered_on: date = date(2026, 3, 2),
    last_step_on: date = date(2026, 6, 1),
    proposed: bool | None = None,
) -> RecordState:
    return RecordState(
        id=RECORD_ID,
        noun=RECORD_NOUNS["model"],
        unit_id=unit_id,
        status=status,
        version=version,
        registered_on=registered_on,
        last_step_on=last_step_on,
        proposed=proposed,
    )


AWARD: dict[str, Any] = {
    "kind": "certificate_of_merit",
    "title": "Bằng khen của Ủy ban nhân dân Thành phố",
    "recipient_kind": "collective",
    "recipient_name": "Chi bộ Tổ dân phố số 5",
    "granting_body": "Ủy ban nhân dân thành phố Hà Nội",
}

REQUEST_CLASSES: dict[Action, type[Any]] = {
    Action.START: StartImplementing,
    Action.APPRAISE: Appraise,
    Action.EVALUATE: Evaluate,
    Action.RECOGNISE: Recognise,
    Action.NOT_RECOGNISE: NotRecognise,
    Action.WITHDRAW: Withdraw,
}

REQUEST_BODIES: dict[Action, dict[str, Any]] = {
    Action.START: {},
    Action.APPRAISE: {
        "appraiser": "Ban Dân vận Thành ủy",
        "findings": "Mô hình duy trì tốt, được Nhân dân đồng tình",
        "score": 87.5,
    },
    Action.EVALUATE: {"proposed": True, "remarks": "Đề nghị công nhận"},
    Action.RECOGNISE: {
        "level": "province",
        "decision_number": "1234/QĐ-UBND",
        "awards": [AWARD],
    },
    Action.NOT_RECOGNISE: {"reason": "Chưa đạt tiêu chí"},
    Action.WITHDRAW: {"reason": "Đơn vị xin rút"},
}


def request_for(action: Action, **fields: Any) -> Step:
    """The rpc request of `action` on the record, with its required details filled in.

    The concrete requests (Appraise, Recognise…) are not subclasses of `Step`, which
    `plan_step` is annotated with, hence the cast.
    """
    body = {"id": str(RECORD_ID), **REQUEST_BODIES[action], **fields}
    return cast(Step, REQUEST_CLASSES[action].model_validate(body))


def step(
    units: UnitTree,
    action: Action,
    state: RecordState,
    principal: Principal | None = None,
    today: date = TODAY,
    **fields: Any,
) -> StepOutcome:
    return plan_step(
        action, request_for(action, **fields), state, principal or person(), units, today
    )


def refusal(
    units: UnitTree,
    action: Action,
    state: RecordState,
    principal: Principal | None = None,
    today: date = TODAY,
    **fields: Any,
) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        step(units, action, state, principal, today, **fields)
    return caught.value


# ---- the state machine: every status × every action ---------------------------------------

ALLOWED: dict[tuple[Status, Action], Status] = {
    (Status.REGISTERED, Action.START): Status.IMPLEMENTING,
    (Status.IMPLEMENTING, Action.APPRAISE): Status.APPRAISED,
    (Status.APPRAISED, Action.EVALUATE): Status.EVALUATED,
    (Status.EVALUATED, Action.RECOGNISE): Status.RECOGNISED,
    (Status.EVALUATED, Action.NOT_RECOGNISE): Status.NOT_RECOGNISED,
    (Status.REGISTERED, Action.WITHDRAW): Status.WITHDRAWN,
    (Status.IMPLEMENTING, Action.WITHDRAW): Status.WITHDRAWN,
    (Status.APPRAISED, Action.WITHDRAW): Status.WITHDRAWN,
    (Status.EVALUATED, Action.WITHDRAW): Status.WITHDRAWN,
}
EVERY_PAIR = list(itertools.product(Status, Action))
FORBIDDEN_PAIRS = [pair for pair in EVERY_PAIR if pair not in ALLOWED]

# The status each action starts from, for tests about who and where rather than when.
SOURCE: dict[Action, Status] = {
    Action.START: Status.REGISTERED,
    Action.APPRAISE: Status.IMPLEMENTING,
    Action.EVALUATE: Status.APPRAISED,
    Action.RECOGNISE: Status.EVALUATED,
    Action.NOT_RECOGNISE: Status.EVALUATED,
    Action.WITHDRAW: Status.IMPLEMENTING,
}


def test_the_matrix_covers_every_status_and_every_action() -> None:
    # The domain's own answer, pair by pair, is the table the tests below walk through.
    assert {(s, a) for s in Status for a in allowed_actions(s)} == set(ALLOWED)
    assert {status for status, _ in ALLOWED} | FINAL == set(Status)


@pytest.mark.parametrize(("status", "action"), list(ALLOWED), ids=[f"{s}-{a}" for s, a in ALLOWED])
def test_an_allowed_step_moves_the_record_to_its_next_status(
    units: UnitTree, status: Status, action: Action
) -> None:
    outcome = step(units, action, record(status, proposed=True))
    assert outcome.status is ALLOWED[status, action]
    assert outcome.action is action


@pytest.mark.parametrize(
    ("status", "action"), FORBIDDEN_PAIRS, ids=[f"{s}-{a}" for s, a in FORBIDDEN_PAIRS]
)
def test_a_step_not_allowed_from_the_status_is_refused_as_a_conflict(
    units: UnitTree, status: Status, action: Action
) -> None:
    error = refusal(units, action, record(status, proposed=True))
    assert error.code is ErrorCode.CONFLICT
    assert status.value in error.message.en


@pytest.mark.parametrize("status", sorted(FINAL))
def test_recognised_not_recognised_and_withdrawn_records_allow_no_step(status: Status) -> None:
    assert allowed_actions(status) == []


def test_a_refused_step_names_the_steps_allowed_now(units: UnitTree) -> None:
    error = refusal(units, Action.APPRAISE, record(Status.REGISTERED))
    assert "allowed now: start, withdraw" in error.message.en
    final = refusal(units, Action.WITHDRAW, record(Status.WITHDRAWN))
    assert "allowed now: none" in final.message.en


def test_an_evaluated_record_offers_recognise_not_recognise_and_withdraw() -> None:
    assert allowed_actions(Status.EVALUATED) == [
        Action.RECOGNISE,
        Action.NOT_RECOGNISE,
        Action.WITHDRAW,
    ]


# ---- roles --------------------------------------------------------------------------------


@pytest.mark.parametrize("action", list(Action))
def test_a_viewer_may_take_no_step(units: UnitTree, action: Action) -> None:
    state = record(SOURCE[action], proposed=True)
    error = refusal(units, action, state, person(role=Role.VIEWER))
    assert error.code is ErrorCode.FORBIDDEN


@pytest.mark.parametrize("action", [Action.START, Action.WITHDRAW])
def test_an_officer_may_start_and_withdraw_a_model(units: UnitTree, action: Action) -> None:
    outcome = step(units, action, record(SOURCE[action]), person(role=Role.OFFICER))
    assert outcome.status is ALLOWED[SOURCE[action], action]


@pytest.mark.parametrize(
    "action", [Action.APPRAISE, Action.EVALUATE, Action.RECOGNISE, Action.NOT_RECOGNISE]
)
def test_an_officer_cannot_appraise_evaluate_recognise_or_not_recognise_a_model(
    units: UnitTree, action: Action
) -> None:
    state = record(SOURCE[action], proposed=True)
    error = refusal(units, action, state, person(role=Role.OFFICER))
    assert error.code is ErrorCode.FORBIDDEN
    assert "leader" in error.message.en


@pytest.mark.parametrize(
    "principal",
    [person(HA_NOI, Role.LEADER), person(NATION, Role.ADMIN)],
    ids=["leader", "admin"],
)
@pytest.mark.parametrize("action", list(Action))
def test_a_leader_and_an_admin_may_take_every_step(
    units: UnitTree, action: Action, principal: Principal
) -> None:
    outcome = step(units, action, record(SOURCE[action], proposed=True), principal)
    assert outcome.status is ALLOWED[SOURCE[action], action]


def test_a_principal_with_several_roles_may_take_what_any_role_allows(units: UnitTree) -> None:
    both = Principal(sub="u", unit=HA_NOI, roles=(Role.VIEWER, Role.LEADER))
    assert step(units, Action.APPRAISE, record(Status.IMPLEMENTING), both).status is (
        Status.APPRAISED
    )


# ---- scope --------------------------------------------------------------------------------


@pytest.mark.parametrize("action", list(Action))
def test_a_leader_of_another_province_may_not_touch_a_ha_noi_model(
    units: UnitTree, action: Action
) -> None:
    state = record(SOURCE[action], proposed=True)
    error = refusal(units, action, state, person(HO_CHI_MINH_CITY))
    assert error.code is ErrorCode.FORBIDDEN


@pytest.mark.parametrize("unit", [HA_NOI, NATION, HONG_HA])
def test_the_commune_its_province_and_the_nation_may_step_a_commune_model(
    units: UnitTree, unit: str
) -> None:
    outcome = step(units, Action.APPRAISE, record(Status.IMPLEMENTING), person(unit))
    assert outcome.status is Status.APPRAISED


def test_another_commune_of_the_same_province_may_not_step_it(units: UnitTree) -> None:
    error = refusal(units, Action.START, record(), person(BA_DINH))
    assert error.code is ErrorCode.FORBIDDEN


def test_a_commune_may_not_step_a_province_level_model(units: UnitTree) -> None:
    error = refusal(units, Action.START, record(unit_id=HA_NOI), person(HONG_HA))
    assert error.code is ErrorCode.FORBIDDEN


@pytest.mark.parametrize("unit", [HONG_HA, "00103", HA_NOI, NATION])
def test_a_legacy_model_is_in_scope_of_the_current_units_it_went_into(
    units: UnitTree, unit: str
) -> None:
    state = record(unit_id=TU_LIEN, registered_on=date(2025, 3, 1), last_step_on=date(2025, 3, 1))
    assert step(units, Action.START, state, person(unit)).status is Status.IMPLEMENTING


@pytest.mark.parametrize("unit", [BA_DINH, HO_CHI_MINH_CITY])
def test_a_legacy_model_is_out_of_scope_of_units_it_did_not_go_into(
    units: UnitTree, unit: str
) -> None:
    state = record(unit_id=TU_LIEN, registered_on=date(2025, 3, 1), last_step_on=date(2025, 3, 1))
    assert refusal(units, Action.START, state, person(unit)).code is ErrorCode.FORBIDDEN


# ---- recognition ----------------------------------------------------------------------------


@pytest.mark.parametrize("proposed", [False, None])
def test_a_model_not_proposed_when_evaluated_cannot_be_recognised(
    units: UnitTree, proposed: bool | None
) -> None:
    error = refusal(units, Action.RECOGNISE, record(Status.EVALUATED, proposed=proposed))
    assert error.code is ErrorCode.CONFLICT
    assert "not proposed" in error.message.en


def test_a_model_not_proposed_may_still_be_not_recognised(units: UnitTree) -> None:
    outcome = step(units, Action.NOT_RECOGNISE, record(Status.EVALUATED, proposed=False))
    assert outcome.status is Status.NOT_RECOGNISED
    assert outcome.details == {"reason": "Chưa đạt tiêu chí"}


@pytest.mark.parametrize("on", [REFORM_DATE, date(2025, 12, 31), None])
def test_districts_recognise_nothing_from_the_reform_on(units: UnitTree, on: date | None) -> None:
    state = record(Status.EVALUATED, proposed=True, last_step_on=date(2025, 6, 1))
    error = refusal(units, Action.RECOGNISE, state, level="district", on=on)
    assert error.code is ErrorCode.VALIDATION
    assert error.details[0].field == "level"
    assert str(REFORM_DATE) in error.details[0].reason.en


def test_a_district_recognition_before_the_reform_is_accepted(units: UnitTree) -> None:
    state = record(
        Status.EVALUATED,
        unit_id=TU_LIEN,
        proposed=True,
        registered_on=date(2024, 9, 1),
        last_step_on=date(2025, 6, 1),
    )
    on = REFORM_DATE - timedelta(days=1)
    outcome = step(units, Action.RECOGNISE, state, level="district", on=on)
    assert outcome.status is Status.RECOGNISED
    assert outcome.recognition_level is RecognitionLevel.DISTRICT
    assert outcome.on == on


def test_a_province_level_model_cannot_be_recognised_at_commune_level(units: UnitTree) -> None:
    state = record(Status.EVALUATED, unit_id=HA_NOI, proposed=True)
    error = refusal(units, Action.RECOGNISE, state, level="commune")
    assert error.code is ErrorCode.VALIDATION
    assert error.details[0].field == "level"


def test_a_commune_leader_cannot_record_a_province_level_recognition(units: UnitTree) -> None:
    state = record(Status.EVALUATED, proposed=True)
    error = refusal(units, Action.RECOGNISE, state, person(HONG_HA), level="province")
    assert error.code is ErrorCode.FORBIDDEN


def test_a_commune_leader_may_record_a_commune_level_recognition(units: UnitTree) -> None:
    state = record(Status.EVALUATED, proposed=True)
    outcome = step(units, Action.RECOGNISE, state, person(HONG_HA), level="commune")
    assert outcome.recognition_level is RecognitionLevel.COMMUNE


def test_a_recognition_carries_its_level_decision_number_and_awards(units: UnitTree) -> None:
    outcome = step(units, Action.RECOGNISE, record(Status.EVALUATED, proposed=True))
    assert outcome.recognition_level is RecognitionLevel.PROVINCE
    assert outcome.proposed is True
    assert outcome.details == {
        "level": "province",
        "decision_number": "1234/QĐ-UBND",
        "awards": [AWARD],
    }


def test_only_a_recognition_sets_a_recognition_level(units: UnitTree) -> None:
    outcome = step(units, Action.NOT_RECOGNISE, record(Status.EVALUATED, proposed=True))
    assert outcome.recognition_level is None


# ---- what each step states ------------------------------------------------------------------


def test_an_appraisal_states_the_appraiser_findings_and_score(units: UnitTree) -> None:
    outcome = step(units, Action.APPRAISE, record(Status.IMPLEMENTING))
    assert outcome.details == {
        "appraiser": "Ban Dân vận Thành ủy",
        "findings": "Mô hình duy trì tốt, được Nhân dân đồng tình",
        "score": 87.5,
    }


@pytest.mark.parametrize("proposed", [True, False])
def test_an_evaluation_records_whether_the_model_is_proposed(
    units: UnitTree, proposed: bool
) -> None:
    outcome = step(units, Action.EVALUATE, record(Status.APPRAISED), proposed=proposed)
    assert outcome.proposed is proposed
    assert outcome.details == {"proposed": proposed, "remarks": "Đề nghị công nhận"}


def test_a_withdrawal_states_its_reason_and_keeps_the_proposal(units: UnitTree) -> None:
    outcome = step(units, Action.WITHDRAW, record(Status.EVALUATED, proposed=True))
    assert outcome.details == {"reason": "Đơn vị xin rút"}
    assert outcome.proposed is True


def test_starting_states_nothing_more(units: UnitTree) -> None:
    assert step(units, Action.START, record()).details == {}


# ---- step dates and versions ----------------------------------------------------------------


def test_a_step_without_a_date_happens_today(units: UnitTree) -> None:
    assert step(units, Action.START, record()).on == TODAY


def test_a_step_may_be_dated_in_the_past_or_on_the_day_of_the_last_step(units: UnitTree) -> None:
    state = record(last_step_on=date(2026, 6, 1))
    assert step(units, Action.START, state, on=date(2026, 8, 15)).on == date(2026, 8, 15)
    assert step(units, Action.START, state, on=date(2026, 6, 1)).on == date(2026, 6, 1)
    assert step(units, Action.START, state, on=TODAY).on == TODAY


def test_a_step_dated_in_the_future_is_refused(units: UnitTree) -> None:
    error = refusal(units, Action.START, record(), on=TODAY + timedelta(days=1))
    assert error.code is ErrorCode.VALIDATION
    assert error.details[0].field == "on"
    assert "future" in error.details[0].reason.en


def test_a_step_dated_before_the_last_step_is_refused(units: UnitTree) -> None:
    state = record(last_step_on=date(2026, 6, 1))
    error = refusal(units, Action.START, state, on=date(2026, 5, 31))
    assert error.code is ErrorCode.VALIDATION
    assert error.details[0].field == "on"
    assert "2026-06-01" in error.details[0].reason.en


def test_a_step_on_a_record_that_moved_on_is_a_conflict(units: UnitTree) -> None:
    error = refusal(units, Action.START, record(version=3), expected_version=2)
    assert error.code is ErrorCode.CONFLICT
    assert "version 3" in error.message.en


def test_a_step_on_the_expected_version_goes_ahead(units: UnitTree) -> None:
    assert step(units, Action.START, record(version=3), expected_version=3).version == 4


@pytest.mark.parametrize("version", [1, 3, 17])
def test_each_step_raises_the_version_by_one(units: UnitTree, version: int) -> None:
    assert step(units, Action.START, record(version=version)).version == version + 1


# ---- changing details -----------------------------------------------------------------------


def details(**overrides: Any) -> ModelDetails:
    fields: dict[str, Any] = {
        "name": "Cổng trường an toàn văn minh",
        "field": "culture_society",
        "unit_code": HONG_HA,
        "topics": ["civilised_urban_areas"],
        "target_group": "Học sinh, phụ huynh",
        "start_date": "2026-03-02",
        "planned_evaluation_date": "2026-10-01",
    }
    fields.update(overrides)
    return ModelDetails.model_validate(fields)


def test_merging_changes_reports_only_what_really_changed() -> None:
    current = details()
    merged, changed = merge_details(
        ModelDetails,
        current,
        {
            "target_group": "Hộ kinh doanh",
            "name": "Cổng trường an toàn văn minh",  # the same
            "planned_evaluation_date": "2026-11-01",
        },
    )
    assert changed == {
        "target_group": FieldChange(old="Học sinh, phụ huynh", new="Hộ kinh doanh"),
        "planned_evaluation_date": FieldChange(old="2026-10-01", new="2026-11-01"),
    }
    assert isinstance(merged, ModelDetails)
    assert merged.target_group == "Hộ kinh doanh"
    assert merged.planned_evaluation_date == date(2026, 11, 1)
    assert merged.name == current.name


def test_changes_that_clean_up_to_the_same_value_change_nothing() -> None:
    _, changed = merge_details(
        ModelDetails,
        details(),
        {
            "name": "  Cổng trường   an toàn văn minh ",
            "topics": ["civilised_urban_areas", "civilised_urban_areas"],
            "start_date": "2026-03-02",
        },
    )
    assert changed == {}


def test_no_changes_give_an_empty_report() -> None:
    merged, changed = merge_details(ModelDetails, details(), {})
    assert changed == {}
    assert merged == details()


def test_merging_leaves_the_current_details_as_they_were() -> None:
    current = details()
    merge_details(ModelDetails, current, {"name": "Tên mới"})
    assert current.name == "Cổng trường an toàn văn minh"


def test_an_exemplar_may_change_its_kind() -> None:
    current = ExemplarDetails.model_validate(
        {
            "kind": "individual",
            "name": "Nguyễn Thị Lan",
            "field": "economy",
            "unit_code": HONG_HA,
            "achievement": "Vận động 40 hộ hiến đất mở rộng ngõ",
        }
    )
    _, changed = merge_details(ExemplarDetails, current, {"kind": "collective"})
    assert changed == {"kind": FieldChange(old="individual", new="collective")}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "   "}, "changes.name"),
        ({"field": "agriculture"}, "changes.field"),
        ({"topics": ["Not A Code"]}, "changes.topics.0"),
        ({"start_date": "2026-02-30"}, "changes.start_date"),
        ({"bogus": 1}, "changes.bogus"),
    ],
)
def test_an_invalid_change_is_refused_naming_the_changed_detail(
    changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(ServiceError) as caught:
        merge_details(ModelDetails, details(), changes)
    assert caught.value.code is ErrorCode.VALIDATION
    assert [d.field for d in caught.value.details] == [field]


def test_an_evaluation_date_before_the_start_is_refused() -> None:
    with pytest.raises(ServiceError) as caught:
        merge_details(ModelDetails, details(), {"planned_evaluation_date": "2026-01-01"})
    assert caught.value.code is ErrorCode.VALIDATION
    assert caught.value.details[0].field == "changes.planned_evaluation_date"
    assert "start_date" in caught.value.details[0].reason.en


def test_an_evaluation_date_before_the_start_is_reported_on_that_date() -> None:
    with pytest.raises(ServiceError) as caught:
        merge_details(ModelDetails, details(), {"planned_evaluation_date": "2026-01-01"})
    assert caught.value.details[0].field == "changes.planned_evaluation_date"


@pytest.mark.parametrize("status", sorted(FINAL))
def test_a_final_record_is_closed_to_changes(units: UnitTree, status: Status) -> None:
    with pytest.raises(ServiceError) as caught:
        check_update(record(status), person(role=Role.OFFICER), units)
    assert caught.value.code is ErrorCode.CONFLICT
    assert status.value in caught.value.message.en


@pytest.mark.parametrize(
    "status", [Status.REGISTERED, Status.IMPLEMENTING, Status.APPRAISED, Status.EVALUATED]
)
def test_an_officer_may_change_a_record_before_its_recognition(
    units: UnitTree, status: Status
) -> None:
    check_update(record(status), person(role=Role.OFFICER), units)


def test_a_viewer_may_not_change_a_record(units: UnitTree) -> None:
    with pytest.raises(ServiceError) as caught:
        check_update(record(), person(role=Role.VIEWER), units)
    assert caught.value.code is ErrorCode.FORBIDDEN


def test_another_province_may_not_change_a_record(units: UnitTree) -> None:
    with pytest.raises(ServiceError) as caught:
        check_update(record(), person(HO_CHI_MINH_CITY), units)
    assert caught.value.code is ErrorCode.FORBIDDEN


# ---- registration ---------------------------------------------------------------------------


def register(
    units: UnitTree,
    unit_code: str = HONG_HA,
    registered_on: date = TODAY,
    principal: Principal | None = None,
    **options: str,
) -> str:
    return check_registration(
        principal or person(role=Role.OFFICER),
        units,
        unit_code,
        registered_on,
        TODAY,
        **options,
    )


def registration_refusal(
    units: UnitTree,
    unit_code: str = HONG_HA,
    registered_on: date = TODAY,
    principal: Principal | None = None,
    **options: str,
) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        register(units, unit_code, registered_on, principal, **options)
    return caught.value


def test_an_officer_registers_today_at_a_commune_of_the_province(units: UnitTree) -> None:
    assert register(units) == HONG_HA


def test_a_commune_officer_registers_at_the_commune(units: UnitTree) -> None:
    assert register(units, principal=person(HONG_HA, Role.OFFICER)) == HONG_HA


def test_a_registration_dated_in_the_future_is_refused(units: UnitTree) -> None:
    error = registration_refusal(units, registered_on=TODAY + timedelta(days=1))
    assert error.code is ErrorCode.VALIDATION
    assert error.details[0].field == "registered_on"


def test_a_registration_refusal_names_the_field_under_its_prefix(units: UnitTree) -> None:
    future = registration_refusal(
        units, registered_on=TODAY + timedelta(days=1), field_prefix="rows.0."
    )
    assert future.details[0].field == "rows.0.registered_on"
    unknown = registration_refusal(units, "99999", field_prefix="changes.")
    assert unknown.details[0].field == "changes.unit_code"


def test_an_unknown_unit_is_refused(units: UnitTree) -> None:
    error = registration_refusal(units, "99999")
    assert error.code is ErrorCode.VALIDATION
    assert error.details[0].field == "unit_code"


@pytest.mark.parametrize("registered_on", [REFORM_DATE, TODAY])
def test_a_legacy_unit_after_the_reform_is_refused_naming_its_successor(
    units: UnitTree, registered_on: date
) -> None:
    error = registration_refusal(units, TU_LIEN, registered_on)
    assert error.code is ErrorCode.VALIDATION
    assert error.details[0].field == "unit_code"
    assert (error.details[0].hint.en if error.details[0].hint else "").startswith(
        "use 00097 (Phường Hồng Hà"
    )


def test_a_legacy_unit_before_the_reform_is_accepted(units: UnitTree) -> None:
    assert register(units, TU_LIEN, date(2025, 6, 30)) == TU_LIEN


def test_a_current_commune_before_the_reform_is_refused(units: UnitTree) -> None:
    error = registration_refusal(units, HONG_HA, date(2025, 6, 30))
    assert error.code is ErrorCode.VALIDATION
    assert "2025-07-01" in error.details[0].reason.en
    assert (error.details[0].hint.en if error.details[0].hint else "").startswith("use one of old-")


def test_a_viewer_may_not_register(units: UnitTree) -> None:
    assert registration_refusal(units, principal=person(role=Role.VIEWER)).code is (
        ErrorCode.FORBIDDEN
    )


def test_another_province_may_not_register_in_ha_noi(units: UnitTree) -> None:
    error = registration_refusal(units, principal=person(HO_CHI_MINH_CITY, Role.OFFICER))
    assert error.code is ErrorCode.FORBIDDEN


# ---- topics ---------------------------------------------------------------------------------


def test_a_configured_topic_is_added_with_both_labels() -> None:
    topics = available_topics({"border_areas": "Vùng biên giới|Border areas"})
    assert topics["border_areas"] == {"vi": "Vùng biên giới", "en": "Border areas"}
    assert set(DEFAULT_TOPICS) < set(topics)
    assert topics["land_clearance"] == DEFAULT_TOPICS["land_clearance"]


def test_a_configured_topic_without_english_uses_the_vietnamese_label() -> None:
    topics = available_topics({"islands": " Biển đảo "})
    assert topics["islands"] == {"vi": "Biển đảo", "en": "Biển đảo"}


def test_configured_topics_leave_the_defaults_alone() -> None:
    before = {code: dict(labels) for code, labels in DEFAULT_TOPICS.items()}
    available_topics({"border_areas": "Vùng biên giới|Border areas", "land_clearance": "X|Y"})
    assert before == DEFAULT_TOPICS


def test_known_topics_pass() -> None:
    check_topics(["land_clearance", "digital_transformation"], DEFAULT_TOPICS, field="topics")


def test_each_unknown_topic_is_named_by_its_index() -> None:
    with pytest.raises(ServiceError) as caught:
        check_topics(
            ["land_clearance", "border_areas", "digital_transformation", "islands"],
            DEFAULT_TOPICS,
            field="topics",
        )
    assert caught.value.code is ErrorCode.VALIDATION
    assert [d.field for d in caught.value.details] == ["topics.1", "topics.3"]
    assert "border_areas" in caught.value.details[0].reason.en


def test_a_configured_topic_is_known_to_the_check() -> None:
    topics = available_topics({"border_areas": "Vùng biên giới|Border areas"})
    check_topics(["border_areas"], topics, field="changes.topics")
    with pytest.raises(ServiceError) as caught:
        check_topics(["islands"], topics, field="changes.topics")
    assert caught.value.details[0].field == "changes.topics.0"
