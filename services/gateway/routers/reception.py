"""Citizen reception: visits, petitions and their handling steps, dialogue conferences, a
unit's digest and reception schedule, and the personal-data audit (reception service).

This module keeps its annotations evaluated (no `from __future__ import annotations`): the
petition step routes are built in a factory, and FastAPI reads their types from the functions.

`router` gathers every router below: include it alone.
"""

import uuid
from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from danvan.access import require_nation, require_role, require_scope, unit_in_scope
from danvan.contracts.reception import (
    PETITION_ACTION_ROLES,
    PETITION_STEP_BODIES,
    AuditEntry,
    AuditQuery,
    CheckResult,
    DialogueCreate,
    DialoguePublic,
    DialogueQuery,
    Digest,
    DigestQuery,
    FollowUpStatus,
    FollowUpUpdate,
    PetitionAction,
    PetitionCreate,
    PetitionDetail,
    PetitionPublic,
    PetitionQuery,
    ScheduleCompliance,
    ScheduleQuery,
    VisitCreate,
    VisitPublic,
    VisitQuery,
)
from danvan.contracts.registry import TEXT_MAX_LENGTH, Line, Text
from danvan.contracts.rpc import WRITERS, Role
from services.gateway.deps import CurrentPrincipal, ServicesDep, SettingsDep, UnitsDep
from services.gateway.lists import add_list_route
from services.gateway.openapi import ERROR_RESPONSES
from services.gateway.parameters import PeriodQuery, UnitCodePath
from services.gateway.routers.steps import step_route

SERVICE = "reception"
# A sweep over every open petition: the gateway waits longer than for an ordinary request.
DEADLINE_CHECK_TIMEOUT = 60.0

PETITION_STEP_PATHS = {action: action.value.replace("_", "-") for action in PetitionAction}
PETITION_STEP_SUMMARIES = {
    PetitionAction.CLASSIFY: "Classify (phân loại đơn): correct its class or sector",
    PetitionAction.REJECT: "Record that it is not eligible for handling, with a reason",
    PetitionAction.FORWARD: "Forward it (chuyển đơn) to the competent body, by a dispatch",
    PetitionAction.ACCEPT: "Accept it for resolution (thụ lý): the resolution deadline starts",
    PetitionAction.VERIFY: "Start verification (xác minh)",
    PetitionAction.EXTEND: "Extend a denunciation's resolution by a written decision",
    PetitionAction.CONCLUDE: "Conclude (kết luận, quyết định giải quyết), with a decision",
    PetitionAction.ENFORCE: "Record that the decision was enforced (thi hành)",
    PetitionAction.WITHDRAW: "Record that the petitioner withdrew it (rút đơn)",
}


class FollowUpBody(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"status": "done", "on": "2026-12-20", "remarks": "Đã lắp 14 đèn chiếu sáng"}
            ]
        },
    )

    status: FollowUpStatus
    on: date | None = Field(default=None, description="the day of the change; today when not given")
    remarks: Text = Field(default="", max_length=TEXT_MAX_LENGTH)


# ---- visits ------------------------------------------------------------------------------------

visits_router = APIRouter(prefix="/api/v1/visits", tags=["visits"])


@visits_router.post("", status_code=201, responses=ERROR_RESPONSES)
async def create_visit(
    body: VisitCreate, principal: CurrentPrincipal, services: ServicesDep, units: UnitsDep
) -> VisitPublic:
    """Record a reception of citizens (lượt tiếp): a repeat visit joins its case."""
    require_role(principal, *WRITERS)
    if body.unit_code in units:
        require_scope(units, principal, body.unit_code)
    data = await services.ask(SERVICE, "visits", "create", principal, body)
    return VisitPublic.model_validate(data)


add_list_route(
    visits_router,
    "",
    service=SERVICE,
    resource="visits",
    query_type=VisitQuery,
    item_type=VisitPublic,
    name="list_visits",
    summary="Visits received in a unit's subtree: filters, search, cursor pagination",
    description="Visitors' identities are masked outside the receiving unit; every read of "
    "them, in a page or an export, leaves an audit record.",
)


class ReplyBody(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "on": "2026-11-25",
                    "summary": "Đã trả lời bằng văn bản số 45/UBND về đơn giá bồi thường",
                }
            ]
        },
    )

    on: date | None = None
    summary: Line = Field(max_length=1000, description="what was answered, in a line")


@visits_router.post("/{visit_id}/reply", responses=ERROR_RESPONSES)
async def reply_to_visit(
    visit_id: uuid.UUID, body: ReplyBody, principal: CurrentPrincipal, services: ServicesDep
) -> VisitPublic:
    """Record the reply owed after a reception (10 working days, Luật Tiếp công dân Art. 28)."""
    require_role(principal, *WRITERS)
    data = {"id": str(visit_id), **body.model_dump(mode="json", exclude_unset=True)}
    return VisitPublic.model_validate(
        await services.ask(SERVICE, "visits", "reply", principal, data)
    )


@visits_router.get("/{visit_id}", responses=ERROR_RESPONSES)
async def get_visit(
    visit_id: uuid.UUID, principal: CurrentPrincipal, services: ServicesDep
) -> VisitPublic:
    """One visit; visitors' identities are masked outside the receiving unit."""
    data = await services.ask(SERVICE, "visits", "get", principal, {"id": str(visit_id)})
    return VisitPublic.model_validate(data)


# ---- petitions ---------------------------------------------------------------------------------

petitions_router = APIRouter(prefix="/api/v1/petitions", tags=["petitions"])


@petitions_router.post("", status_code=201, responses=ERROR_RESPONSES)
async def create_petition(
    body: PetitionCreate, principal: CurrentPrincipal, services: ServicesDep, units: UnitsDep
) -> PetitionPublic:
    """Receive a petition (đơn thư): its deadlines start from the day received."""
    require_role(principal, *WRITERS)
    if body.unit_code in units:
        require_scope(units, principal, body.unit_code)
    data = await services.ask(SERVICE, "petitions", "create", principal, body)
    return PetitionPublic.model_validate(data)


add_list_route(
    petitions_router,
    "",
    service=SERVICE,
    resource="petitions",
    query_type=PetitionQuery,
    item_type=PetitionPublic,
    name="list_petitions",
    summary="Petitions of a unit's subtree: by class, sector, status, overdue or nearly due",
    description="Petitioners' identities are masked outside the handling unit; every read of "
    "them, in a page or an export, leaves an audit record.",
)


@petitions_router.get("/{petition_id}", responses=ERROR_RESPONSES)
async def get_petition(
    petition_id: uuid.UUID, principal: CurrentPrincipal, services: ServicesDep
) -> PetitionDetail:
    """One petition with its deadlines and full history."""
    data = await services.ask(SERVICE, "petitions", "get", principal, {"id": str(petition_id)})
    return PetitionDetail.model_validate(data)


for _action, _body_type in PETITION_STEP_BODIES.items():
    petitions_router.add_api_route(
        f"/{{petition_id}}/{PETITION_STEP_PATHS[_action]}",
        step_route(
            service=SERVICE,
            resource="petitions",
            action=_action.value,
            body_type=_body_type,
            roles=PETITION_ACTION_ROLES[_action],
            id_name="petition_id",
        ),
        methods=["POST"],
        response_model=PetitionPublic,
        responses=ERROR_RESPONSES,
        summary=PETITION_STEP_SUMMARIES[_action],
    )


# ---- dialogue conferences ----------------------------------------------------------------------

dialogues_router = APIRouter(prefix="/api/v1/dialogues", tags=["dialogues"])


@dialogues_router.post("", status_code=201, responses=ERROR_RESPONSES)
async def create_dialogue(
    body: DialogueCreate, principal: CurrentPrincipal, services: ServicesDep, units: UnitsDep
) -> DialoguePublic:
    """Record a dialogue conference (hội nghị đối thoại) and what it agreed to follow up."""
    require_role(principal, *WRITERS)
    if body.unit_code in units:
        require_scope(units, principal, body.unit_code)
    data = await services.ask(SERVICE, "dialogues", "create", principal, body)
    return DialoguePublic.model_validate(data)


add_list_route(
    dialogues_router,
    "",
    service=SERVICE,
    resource="dialogues",
    query_type=DialogueQuery,
    item_type=DialoguePublic,
    name="list_dialogues",
    summary="Dialogue conferences held in a unit's subtree",
)


@dialogues_router.get("/{dialogue_id}", responses=ERROR_RESPONSES)
async def get_dialogue(
    dialogue_id: uuid.UUID, principal: CurrentPrincipal, services: ServicesDep
) -> DialoguePublic:
    """One dialogue conference with its follow-ups."""
    data = await services.ask(SERVICE, "dialogues", "get", principal, {"id": str(dialogue_id)})
    return DialoguePublic.model_validate(data)


@dialogues_router.put("/{dialogue_id}/follow-ups/{follow_up_id}", responses=ERROR_RESPONSES)
async def update_follow_up(
    dialogue_id: uuid.UUID,
    follow_up_id: uuid.UUID,
    body: FollowUpBody,
    principal: CurrentPrincipal,
    services: ServicesDep,
) -> DialoguePublic:
    """Mark a follow-up done or dropped (or pending again)."""
    require_role(principal, *WRITERS)
    update = FollowUpUpdate(
        dialogue_id=dialogue_id,
        follow_up_id=follow_up_id,
        status=body.status,
        on=body.on,
        remarks=body.remarks,
    )
    data = await services.ask(SERVICE, "dialogues", "follow_up", principal, update)
    return DialoguePublic.model_validate(data)


# ---- a unit's digest and reception schedule ----------------------------------------------------

unit_reception_router = APIRouter(prefix="/api/v1/units", tags=["reception"])


@unit_reception_router.get("/{code}/reception-digest", responses=ERROR_RESPONSES)
async def reception_digest(
    code: UnitCodePath, principal: CurrentPrincipal, services: ServicesDep, units: UnitsDep
) -> Digest:
    """What a unit must act on today: petitions nearly due and overdue."""
    unit = unit_in_scope(units, principal, code)
    data = await services.ask(SERVICE, "digest", "get", principal, DigestQuery(unit_code=unit.id))
    return Digest.model_validate(data)


@unit_reception_router.get("/{code}/reception-schedule", responses=ERROR_RESPONSES)
async def reception_schedule(
    code: UnitCodePath,
    principal: CurrentPrincipal,
    services: ServicesDep,
    units: UnitsDep,
    period: PeriodQuery,
) -> ScheduleCompliance:
    """Whether the head of a unit kept the reception days the law sets, in a period."""
    unit = unit_in_scope(units, principal, code)
    query = ScheduleQuery(unit_code=unit.id, period=period)
    data = await services.ask(SERVICE, "schedule", "get", principal, query)
    return ScheduleCompliance.model_validate(data)


# ---- audit and administration ------------------------------------------------------------------

audit_router = APIRouter(prefix="/api/v1/audit", tags=["audit"])


add_list_route(
    audit_router,
    "/personal-data",
    service=SERVICE,
    resource="audit",
    query_type=AuditQuery,
    item_type=AuditEntry,
    name="personal_data_audit",
    summary="Who read or anonymised personal data, and when (admins)",
    roles=[Role.ADMIN],
    file_name="personal-data-audit",
)


admin_router = APIRouter(prefix="/api/v1/admin", tags=["admin"])


@admin_router.post("/deadline-check", responses=ERROR_RESPONSES)
async def run_deadline_check(
    principal: CurrentPrincipal, services: ServicesDep, settings: SettingsDep
) -> CheckResult:
    """Run the scheduled deadline check now, over every unit: mark overdue petitions,
    anonymise expired personal data (admins of the nation, VN)."""
    require_role(principal, Role.ADMIN)
    require_nation(principal)
    timeout = max(settings.rpc_timeout, DEADLINE_CHECK_TIMEOUT)
    data = await services.ask(SERVICE, "deadlines", "check", principal, {}, timeout=timeout)
    return CheckResult.model_validate(data)


router = APIRouter()
for _router in (
    visits_router,
    petitions_router,
    dialogues_router,
    unit_reception_router,
    audit_router,
    admin_router,
):
    router.include_router(_router)
