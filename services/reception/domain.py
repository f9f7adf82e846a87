"""Reception rules: visits and crowd delegations, the handling of petitions as a state
machine with the legal deadlines each step starts or meets, the heads' reception days, who may
see a petitioner's identity, and when two matters are one case. No I/O here."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from rapidfuzz import fuzz

from danvan.access import require_role, require_scope
from danvan.contracts.reception import (
    MASK,
    PETITION_ACTION_ROLES,
    AcceptBody,
    ConcludeBody,
    ExtendBody,
    ForwardBody,
    Person,
    PetitionAction,
    PetitionClass,
    PetitionStatus,
    PetitionStepBody,
    ReceiverRole,
    ReceptionMode,
    RejectBody,
    WithdrawPetitionBody,
)
from danvan.contracts.rpc import ErrorCode, Message, Principal, Role, ServiceError
from danvan.lifecycle import check_version, invalid, refuse_transition, step_day
from danvan.text import fold
from danvan.units import UnitTree
from services.reception.deadlines import (
    REFORM_2026,
    Deadline,
    DeadlineError,
    DeadlineSettings,
    RuleCode,
    deadline_for,
)

#: What a petition is called in messages.
PETITION = Message(vi="đơn thư", en="petition")

# ---- visits -------------------------------------------------------------------------------------


def check_visit_mode(mode: ReceptionMode, receiver_role: ReceiverRole, day: date) -> None:
    """The modes the law in force on `day` recognises, and who receives in each."""
    if mode is ReceptionMode.ONLINE and day < REFORM_2026:
        raise invalid(
            "mode",
            Message(
                vi=f"tiếp công dân trực tuyến chỉ được công nhận từ ngày {REFORM_2026}",
                en=f"online reception is recognised from {REFORM_2026}",
            ),
        )
    if mode is ReceptionMode.PERIODIC_DELEGATED and day >= REFORM_2026:
        raise invalid(
            "mode",
            Message(
                vi=f"từ ngày {REFORM_2026}, người đứng đầu không được ủy quyền việc tiếp "
                "công dân định kỳ",
                en=f"from {REFORM_2026} a head may not delegate periodic reception",
            ),
        )
    if mode is ReceptionMode.PERIODIC and receiver_role is not ReceiverRole.HEAD:
        raise invalid(
            "receiver_role",
            Message(
                vi="tiếp công dân định kỳ là việc của người đứng đầu; cấp phó tiếp theo hình "
                "thức periodic_delegated",
                en="periodic reception is the head's; a deputy receives as periodic_delegated",
            ),
        )
    if mode is ReceptionMode.PERIODIC_DELEGATED and receiver_role is not ReceiverRole.DEPUTY_HEAD:
        raise invalid(
            "receiver_role",
            Message(
                vi="người đứng đầu chỉ ủy quyền tiếp công dân định kỳ cho cấp phó",
                en="a head delegates periodic reception to a deputy head",
            ),
        )


def is_crowd(headcount: int, threshold: int) -> bool:
    return headcount >= threshold


def representative_warnings(headcount: int, representatives: int, threshold: int) -> list[Message]:
    """Luật Tiếp công dân Art. 29: 5–10 people send one or two representatives, more than
    10 up to five. A delegation that sends more is received all the same, with a warning."""
    if not is_crowd(headcount, threshold):
        return []
    allowed = 2 if headcount <= 10 else 5
    if representatives > allowed:
        return [
            Message(
                vi=f"đoàn {headcount} người chỉ nên cử tối đa {allowed} người đại diện; "
                f"đã có {representatives} người đến (Điều 29 Luật Tiếp công dân)",
                en=f"a delegation of {headcount} people should send at most {allowed} "
                f"representatives; {representatives} came (Luật Tiếp công dân Art. 29)",
            )
        ]
    return []


# ---- petitions: the state machine --------------------------------------------------------------

OPEN_FOR_WITHDRAWAL = frozenset(
    {
        PetitionStatus.RECEIVED,
        PetitionStatus.CLASSIFIED,
        PetitionStatus.ACCEPTED,
        PetitionStatus.VERIFYING,
    }
)
CLOSED = frozenset(
    {
        PetitionStatus.NOT_ELIGIBLE,
        PetitionStatus.FORWARDED,
        PetitionStatus.ENFORCED,
        PetitionStatus.WITHDRAWN,
    }
)


@dataclass(frozen=True, slots=True)
class Transition:
    sources: frozenset[PetitionStatus]
    target: PetitionStatus | None  # None: the status stays (an extension)


_BEFORE_ACCEPTANCE = frozenset({PetitionStatus.RECEIVED, PetitionStatus.CLASSIFIED})
_BEING_RESOLVED = frozenset({PetitionStatus.ACCEPTED, PetitionStatus.VERIFYING})

TRANSITIONS: dict[PetitionAction, Transition] = {
    PetitionAction.CLASSIFY: Transition(
        frozenset({PetitionStatus.RECEIVED}), PetitionStatus.CLASSIFIED
    ),
    PetitionAction.REJECT: Transition(_BEFORE_ACCEPTANCE, PetitionStatus.NOT_ELIGIBLE),
    PetitionAction.FORWARD: Transition(_BEFORE_ACCEPTANCE, PetitionStatus.FORWARDED),
    PetitionAction.ACCEPT: Transition(
        frozenset({PetitionStatus.CLASSIFIED}), PetitionStatus.ACCEPTED
    ),
    PetitionAction.VERIFY: Transition(
        frozenset({PetitionStatus.ACCEPTED}), PetitionStatus.VERIFYING
    ),
    PetitionAction.EXTEND: Transition(_BEING_RESOLVED, None),
    PetitionAction.CONCLUDE: Transition(_BEING_RESOLVED, PetitionStatus.CONCLUDED),
    PetitionAction.ENFORCE: Transition(
        frozenset({PetitionStatus.CONCLUDED}), PetitionStatus.ENFORCED
    ),
    PetitionAction.WITHDRAW: Transition(OPEN_FOR_WITHDRAWAL, PetitionStatus.WITHDRAWN),
}


def allowed_actions(status: PetitionStatus) -> list[PetitionAction]:
    return [action for action, rule in TRANSITIONS.items() if status in rule.sources]


@dataclass(frozen=True, slots=True)
class OpenDeadline:
    rule_code: str
    due_on: date
    started_on: date


@dataclass(frozen=True, slots=True)
class PetitionState:
    id: uuid.UUID
    unit_id: str
    petition_class: PetitionClass
    status: PetitionStatus
    version: int
    received_on: date
    last_step_on: date
    remote_area: bool
    second_instance: bool
    accepted_on: date | None = None
    complex: bool = False
    especially_complex: bool = False
    extensions: int = 0
    open_deadlines: tuple[OpenDeadline, ...] = ()


@dataclass(frozen=True, slots=True)
class PetitionOutcome:
    action: PetitionAction
    status: PetitionStatus
    on: date
    version: int
    details: dict[str, Any]
    # The rules whose open deadlines this step meets (or ends, for a closing step).
    meets: frozenset[str]
    starts: list[Deadline] = field(default_factory=list)
    # The rules whose open deadlines give way to new ones (an extension, a new class).
    supersedes: frozenset[str] = frozenset()
    # Facts the handler stores with the petition (acceptance date, complexity, extensions…).
    updates: dict[str, Any] = field(default_factory=dict)


def _resolution_rule(state: PetitionState) -> RuleCode | None:
    if state.petition_class is PetitionClass.DENUNCIATION:
        return RuleCode.DENUNCIATION_RESOLUTION
    if state.petition_class in (PetitionClass.COMPLAINT, PetitionClass.MIXED):
        if state.second_instance:
            return RuleCode.COMPLAINT_SECOND_RESOLUTION
        return RuleCode.COMPLAINT_FIRST_RESOLUTION
    return None


def receipt_deadlines(
    petition_class: PetitionClass,
    received_on: date,
    *,
    remote_area: bool,
    settings: DeadlineSettings,
) -> list[Deadline]:
    """What receiving a petition starts: acceptance of a complaint, the initial handling of
    a denunciation, and (from 2026-07-01) the 45 days within which any petition is handled."""
    rules: list[RuleCode] = []
    if petition_class in (PetitionClass.COMPLAINT, PetitionClass.MIXED):
        rules.append(RuleCode.COMPLAINT_ACCEPTANCE)
    if petition_class is PetitionClass.DENUNCIATION:
        rules.append(RuleCode.DENUNCIATION_INITIAL_HANDLING)
    rules.append(RuleCode.PETITION_UNHANDLED)
    return _in_force(rules, received_on, remote=remote_area, settings=settings)


def _in_force(
    rules: Sequence[RuleCode], started_on: date, *, settings: DeadlineSettings, **facts: Any
) -> list[Deadline]:
    found = []
    for rule in rules:
        try:
            found.append(deadline_for(rule, started_on, settings=settings, **facts))
        except DeadlineError:
            continue  # not in force on that day (e.g. the 45-day rule before 2026-07-01)
    return found


def plan_petition_step(
    action: PetitionAction,
    body: PetitionStepBody,
    state: PetitionState,
    principal: Principal,
    units: UnitTree,
    today: date,
    settings: DeadlineSettings,
) -> PetitionOutcome:
    """What `action` does to the petition; raises ServiceError (403, 409, 422) if refused."""
    require_role(principal, *PETITION_ACTION_ROLES[action])
    require_scope(units, principal, state.unit_id)
    check_version(PETITION, state.version, body.expected_version)
    rule = TRANSITIONS[action]
    if state.status not in rule.sources:
        allowed = (a.value for a in allowed_actions(state.status))
        raise refuse_transition(PETITION, action.value, state.status.value, allowed)
    on = step_day(body.on, state.last_step_on, today, PETITION)
    status = rule.target or state.status
    outcome = PetitionOutcome(action, status, on, state.version + 1, {}, frozenset())
    return _STEP_RULES[action](outcome, body, state, settings)


def _open(state: PetitionState) -> frozenset[str]:
    return frozenset(d.rule_code for d in state.open_deadlines)


def _classify(
    outcome: PetitionOutcome, body: Any, state: PetitionState, settings: DeadlineSettings
) -> PetitionOutcome:
    details = {
        key: value.value
        for key, value in (("petition_class", body.petition_class), ("sector", body.sector))
        if value is not None
    }
    meets = frozenset({RuleCode.PETITION_UNHANDLED.value}) & _open(state)
    new_class = body.petition_class
    if new_class is None or new_class is state.petition_class:
        return _with(outcome, details=details, meets=meets, updates=details)
    # Another class, other duties: the law counts them from receipt, so they start from the
    # day the petition was received; the old class's duties end with the reclassification.
    unhandled = RuleCode.PETITION_UNHANDLED.value
    starts = [
        d
        for d in receipt_deadlines(
            new_class, state.received_on, remote_area=state.remote_area, settings=settings
        )
        if d.rule_code.value != unhandled
    ]
    supersedes = _open(state) - {unhandled}
    return _with(
        outcome,
        details=details,
        meets=meets,
        supersedes=supersedes,
        starts=starts,
        updates=details,
    )


def _close(
    outcome: PetitionOutcome, body: Any, state: PetitionState, _settings: DeadlineSettings
) -> PetitionOutcome:
    """Not eligible, forwarded, withdrawn: every open deadline ends with the step."""
    details: dict[str, Any] = {}
    if isinstance(body, RejectBody | WithdrawPetitionBody):
        details["reason"] = body.reason
    if isinstance(body, ForwardBody):
        details.update(to_body=body.to_body, dispatch_number=body.dispatch_number)
    return _with(outcome, details=details, meets=_open(state))


def _accept(
    outcome: PetitionOutcome, body: Any, state: PetitionState, settings: DeadlineSettings
) -> PetitionOutcome:
    assert isinstance(body, AcceptBody)
    facts = {
        "complex": body.complex or body.especially_complex,
        "especially_complex": body.especially_complex,
        "remote": state.remote_area,
        "several_places": body.several_places,
    }
    rules: list[RuleCode] = []
    resolution = _resolution_rule(state)
    if state.petition_class is PetitionClass.DENUNCIATION:
        rules.append(RuleCode.DENUNCIATION_ACCEPTANCE_NOTICE)
    if resolution is not None:
        rules.append(resolution)
    starts = _in_force(rules, outcome.on, settings=settings, **facts)
    updates = {
        "accepted_on": outcome.on,
        "complex": facts["complex"],
        "especially_complex": body.especially_complex,
    }
    details = {"complex": facts["complex"], "especially_complex": body.especially_complex}
    receipt_rules = {
        RuleCode.COMPLAINT_ACCEPTANCE.value,
        RuleCode.DENUNCIATION_INITIAL_HANDLING.value,
        RuleCode.PETITION_UNHANDLED.value,
    }
    return _with(
        outcome,
        details=details,
        meets=_open(state) & receipt_rules,
        starts=starts,
        updates=updates,
    )


def _verify(
    outcome: PetitionOutcome, _body: Any, state: PetitionState, _settings: DeadlineSettings
) -> PetitionOutcome:
    # Verification starts once the denouncer was told of the acceptance.
    meets = _open(state) & {RuleCode.DENUNCIATION_ACCEPTANCE_NOTICE.value}
    return _with(outcome, meets=meets)


def _extend(
    outcome: PetitionOutcome, body: Any, state: PetitionState, settings: DeadlineSettings
) -> PetitionOutcome:
    assert isinstance(body, ExtendBody)
    if state.petition_class is not PetitionClass.DENUNCIATION or state.accepted_on is None:
        raise ServiceError(
            ErrorCode.CONFLICT,
            Message(
                vi="chỉ gia hạn việc giải quyết một tố cáo đã được thụ lý",
                en="only the resolution of an accepted denunciation is extended",
            ),
        )
    try:
        extended = deadline_for(
            RuleCode.DENUNCIATION_RESOLUTION,
            state.accepted_on,
            complex=state.complex,
            especially_complex=state.especially_complex,
            remote=state.remote_area,
            extensions=state.extensions + 1,
            settings=settings,
        )
    except DeadlineError as error:
        raise ServiceError(ErrorCode.CONFLICT, error.message) from error
    details = {"decision_number": body.decision_number, "due_on": extended.due_on.isoformat()}
    return _with(
        outcome,
        details=details,
        supersedes=frozenset({RuleCode.DENUNCIATION_RESOLUTION.value}) & _open(state),
        starts=[extended],
        updates={"extensions": state.extensions + 1},
    )


def _conclude(
    outcome: PetitionOutcome, body: Any, state: PetitionState, _settings: DeadlineSettings
) -> PetitionOutcome:
    assert isinstance(body, ConcludeBody)
    details = {
        "conclusion": body.conclusion.value,
        "decision_number": body.decision_number,
        "remarks": body.remarks,
    }
    return _with(
        outcome, details=details, meets=_open(state), updates={"conclusion": body.conclusion}
    )


def _enforce(
    outcome: PetitionOutcome, body: Any, _state: PetitionState, _settings: DeadlineSettings
) -> PetitionOutcome:
    return _with(outcome, details={"remarks": getattr(body, "remarks", "")})


def _with(outcome: PetitionOutcome, **changes: Any) -> PetitionOutcome:
    return dataclasses.replace(outcome, **changes)


_STEP_RULES = {
    PetitionAction.CLASSIFY: _classify,
    PetitionAction.REJECT: _close,
    PetitionAction.FORWARD: _close,
    PetitionAction.ACCEPT: _accept,
    PetitionAction.VERIFY: _verify,
    PetitionAction.EXTEND: _extend,
    PetitionAction.CONCLUDE: _conclude,
    PetitionAction.ENFORCE: _enforce,
    PetitionAction.WITHDRAW: _close,
}


# ---- personal data --------------------------------------------------------------------------


def may_see_identity(principal: Principal, handling_unit_id: str) -> bool:
    """Only officers and leaders of the handling unit itself see who petitioned."""
    return principal.unit == handling_unit_id and principal.has_any(Role.OFFICER, Role.LEADER)


def masked(person: Person) -> Person:
    """The person with every identifying field hidden; the address keeps its unit only."""
    address = (
        person.address.model_copy(update={"street": ""}) if person.address is not None else None
    )
    return person.model_copy(
        update={"name": MASK, "id_number": None, "phone": None, "address": address}
    )


# ---- one matter, one case --------------------------------------------------------------------

NAME_SIMILARITY = 90.0
MATTER_SIMILARITY = 80.0


@dataclass(frozen=True, slots=True)
class KnownPerson:
    """Someone already on file in an open case: what a new visit or petition is matched to."""

    case_id: uuid.UUID
    name: str
    id_number: str | None
    commune_id: str | None
    matter: str


SAME_ID_NUMBER = Message(vi="trùng số giấy tờ tùy thân (ID)", en="the same ID number")
SAME_NAME_AND_MATTER = Message(
    vi="họ tên và nội dung gần như trùng khớp", en="a near-identical name and matter"
)


def same_case(
    people: Sequence[Person], matter: str, commune_id: str | None, known: Iterable[KnownPerson]
) -> list[tuple[uuid.UUID, Message]]:
    """The cases a new matter from `people` probably belongs to, with the reason: the same ID
    number, or a near-identical name and matter in the same commune."""
    found: dict[uuid.UUID, Message] = {}
    folded_matter = fold(matter)
    for candidate in known:
        for person in people:
            if person.id_number and person.id_number == candidate.id_number:
                found.setdefault(candidate.case_id, SAME_ID_NUMBER)
            elif person.id_number and candidate.id_number:
                continue  # two ID numbers that differ are two people, whatever their names
            elif (
                commune_id is not None
                and commune_id == candidate.commune_id
                and fuzz.ratio(fold(person.name), fold(candidate.name)) >= NAME_SIMILARITY
                and fuzz.token_set_ratio(folded_matter, fold(candidate.matter)) >= MATTER_SIMILARITY
            ):
                found.setdefault(candidate.case_id, SAME_NAME_AND_MATTER)
    return list(found.items())
