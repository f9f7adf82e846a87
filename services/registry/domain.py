"""Registry rules: registering models and exemplars, changing their details, and the
lifecycle from registration to recognition. No I/O here: handlers load state, ask these
functions what happens, and store the outcome with its event in one transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel, ValidationError

from danvan.access import require_role, require_scope
from danvan.contracts.registry import (
    ACTION_ROLES,
    DEFAULT_TOPICS,
    Action,
    Appraise,
    Evaluate,
    FieldChange,
    Labels,
    NotRecognise,
    Recognise,
    RecognitionLevel,
    Status,
    StepBody,
    Withdraw,
)
from danvan.contracts.rpc import (
    WRITERS,
    ErrorCode,
    ErrorDetail,
    Message,
    Principal,
    ServiceError,
)
from danvan.fact_units import unit_for_fact
from danvan.lifecycle import (
    check_version,
    invalid,
    not_after_today,
    refuse_transition,
    step_day,
)
from danvan.units import Level, UnitTree
from danvan.units.model import LEVEL_RANK, REFORM_DATE
from danvan.validation_errors import dotted, validation_details

# ---- the state machine ------------------------------------------------------------------------

BEFORE_RECOGNITION = frozenset(
    {Status.REGISTERED, Status.IMPLEMENTING, Status.APPRAISED, Status.EVALUATED}
)
FINAL = frozenset({Status.RECOGNISED, Status.NOT_RECOGNISED, Status.WITHDRAWN})


@dataclass(frozen=True, slots=True)
class Transition:
    sources: frozenset[Status]
    target: Status


TRANSITIONS: dict[Action, Transition] = {
    Action.START: Transition(frozenset({Status.REGISTERED}), Status.IMPLEMENTING),
    Action.APPRAISE: Transition(frozenset({Status.IMPLEMENTING}), Status.APPRAISED),
    Action.EVALUATE: Transition(frozenset({Status.APPRAISED}), Status.EVALUATED),
    Action.RECOGNISE: Transition(frozenset({Status.EVALUATED}), Status.RECOGNISED),
    Action.NOT_RECOGNISE: Transition(frozenset({Status.EVALUATED}), Status.NOT_RECOGNISED),
    Action.WITHDRAW: Transition(BEFORE_RECOGNITION, Status.WITHDRAWN),
}


def allowed_actions(status: Status) -> list[Action]:
    return [action for action, rule in TRANSITIONS.items() if status in rule.sources]


#: What models and exemplars are called in messages, by their kind's name.
RECORD_NOUNS: dict[str, Message] = {
    "model": Message(vi="mô hình", en="model"),
    "exemplar": Message(vi="điển hình", en="exemplar"),
}


@dataclass(frozen=True, slots=True)
class RecordState:
    """What the rules need to know of a stored model or exemplar."""

    id: uuid.UUID
    noun: Message  # "model" or "exemplar", for messages
    unit_id: str
    status: Status
    version: int
    registered_on: date
    last_step_on: date
    proposed: bool | None


@dataclass(frozen=True, slots=True)
class StepOutcome:
    action: Action
    status: Status
    on: date
    version: int
    # What the step states, as it goes into the history and the event.
    details: dict[str, Any]
    proposed: bool | None
    recognition_level: RecognitionLevel | None


INVALID_CHANGES = Message(vi="các thay đổi không hợp lệ", en="invalid changes")


def plan_step(
    action: Action,
    request: StepBody,
    state: RecordState,
    principal: Principal,
    units: UnitTree,
    today: date,
) -> StepOutcome:
    """What `action` does to the record; raises ServiceError (403, 409, 422) when refused."""
    rule = TRANSITIONS[action]
    require_role(principal, *ACTION_ROLES[action])
    require_scope(units, principal, state.unit_id)
    check_version(state.noun, state.version, request.expected_version)
    if state.status not in rule.sources:
        allowed = (a.value for a in allowed_actions(state.status))
        raise refuse_transition(state.noun, action.value, state.status.value, allowed)
    on = step_day(request.on, state.last_step_on, today, state.noun)
    details: dict[str, Any] = {}
    proposed = state.proposed
    level: RecognitionLevel | None = None
    if isinstance(request, Appraise):
        details = {"appraiser": request.appraiser, "findings": request.findings}
        details["score"] = request.score
    elif isinstance(request, Evaluate):
        details = {"proposed": request.proposed, "remarks": request.remarks}
        proposed = request.proposed
    elif isinstance(request, Recognise):
        if not state.proposed:
            raise ServiceError(
                ErrorCode.CONFLICT,
                Message(
                    vi=f"{state.noun.vi} không được đề nghị công nhận khi bình xét",
                    en=f"the {state.noun.en} was not proposed for recognition when evaluated",
                ),
            )
        check_recognition_level(request.level, on, state.unit_id, principal, units)
        level = request.level
        details = {
            "level": request.level.value,
            "decision_number": request.decision_number,
            "awards": [award.model_dump(mode="json") for award in request.awards],
        }
    elif isinstance(request, NotRecognise | Withdraw):
        details = {"reason": request.reason}
    return StepOutcome(action, rule.target, on, state.version + 1, details, proposed, level)


_LEVEL_OF_RECOGNITION = {
    RecognitionLevel.PROVINCE: Level.PROVINCE,
    RecognitionLevel.DISTRICT: Level.DISTRICT,
    RecognitionLevel.COMMUNE: Level.COMMUNE,
}


def check_recognition_level(
    level: RecognitionLevel, on: date, unit_id: str, principal: Principal, units: UnitTree
) -> None:
    """No commune recognises a provincial model, no commune officer records a provincial
    recognition, and districts recognise only before 2025-07-01, when they ceased."""
    rank = LEVEL_RANK[_LEVEL_OF_RECOGNITION[level]]
    if level is RecognitionLevel.DISTRICT and on >= REFORM_DATE:
        raise invalid(
            "level",
            Message(
                vi=f"cấp huyện đã không còn từ ngày {REFORM_DATE}; ngày {on} là sau đó",
                en=f"districts ceased on {REFORM_DATE}; {on} is after that",
            ),
        )
    record_level = units.get(unit_id).level
    if rank > LEVEL_RANK[record_level]:
        raise invalid(
            "level",
            Message(
                vi=f"hồ sơ cấp {record_level.value} không được công nhận ở cấp thấp hơn",
                en=f"a {record_level.value}-level record is not recognised lower",
            ),
        )
    caller_level = units.get(principal.unit).level
    if LEVEL_RANK[caller_level] > rank:
        raise ServiceError(
            ErrorCode.FORBIDDEN,
            Message(
                vi=f"người dùng thuộc đơn vị cấp {caller_level.value} không thể ghi nhận "
                f"việc công nhận cấp {level.value}",
                en=f"a {caller_level.value} principal cannot record a "
                f"{level.value}-level recognition",
            ),
        )


# ---- registration and details -------------------------------------------------------------------


def available_topics(extra: Mapping[str, str]) -> dict[str, Labels]:
    """The default topics plus the configured ones (`code: "Vietnamese|English"`)."""
    topics = dict(DEFAULT_TOPICS)
    for code, labels in extra.items():
        vi, _, en = labels.partition("|")
        topics[code] = {"vi": vi.strip(), "en": (en or vi).strip()}
    return topics


def check_topics(topics: list[str], known: Mapping[str, Labels], *, field: str) -> None:
    unknown = [(i, t) for i, t in enumerate(topics) if t not in known]
    if unknown:
        raise ServiceError(
            ErrorCode.VALIDATION,
            Message(vi="không có chủ đề này", en="unknown topic"),
            [
                ErrorDetail(
                    field=f"{field}.{i}",
                    reason=Message(vi=f"không có chủ đề {t!r}", en=f"unknown topic {t!r}"),
                    hint=Message(vi="xem danh sách các chủ đề", en="see the topics list"),
                )
                for i, t in unknown
            ],
        )


def check_registration(
    principal: Principal,
    units: UnitTree,
    unit_code: str,
    registered_on: date,
    today: date,
    *,
    field_prefix: str = "",
) -> str:
    """The unit id a new record is filed against; raises when the caller may not file it."""
    require_role(principal, *WRITERS)
    not_after_today(registered_on, today, f"{field_prefix}registered_on")
    unit_id = unit_for_fact(units, unit_code, registered_on, field=f"{field_prefix}unit_code")
    require_scope(units, principal, unit_id)
    return unit_id


def check_unit_in_force_on(units: UnitTree, unit_id: str, day: date | None, field: str) -> None:
    """A model's unit must be in force on its dates, not only on its registration day."""
    if day is not None:
        unit_for_fact(units, unit_id, day, field=field)


def merge_details(
    model: type[BaseModel], current: BaseModel, changes: Mapping[str, Any]
) -> tuple[BaseModel, dict[str, FieldChange]]:
    """The details after `changes`, validated as a whole, and what really changed."""
    try:
        merged = model.model_validate({**current.model_dump(mode="json"), **changes})
    except ValidationError as error:
        raise ServiceError(
            ErrorCode.VALIDATION,
            INVALID_CHANGES,
            validation_details(
                error.errors(), field_of=lambda location: dotted(("changes", *location))
            ),
        ) from error
    before = current.model_dump(mode="json")
    after = merged.model_dump(mode="json")
    changed = {
        name: FieldChange(old=before[name], new=after[name])
        for name in after
        if before.get(name) != after[name]
    }
    return merged, changed


def check_update(state: RecordState, principal: Principal, units: UnitTree) -> None:
    require_role(principal, *WRITERS)
    require_scope(units, principal, state.unit_id)
    if state.status in FINAL:
        raise ServiceError(
            ErrorCode.CONFLICT,
            Message(
                vi=f"{state.noun.vi} đang ở trạng thái {state.status.value}, không thể sửa đổi nữa",
                en=f"a {state.noun.en} that is {state.status.value} is closed to changes",
            ),
        )
