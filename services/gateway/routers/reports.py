"""Periodic reports (reporting service): a unit submits its report for a period to its parent,
which returns it with a comment or approves it; a parent sees how complete and timely its
children's reports are, and the concerns raised across its subtree in a month.

This module keeps its annotations evaluated (no `from __future__ import annotations`): the
review routes are built in a factory, and FastAPI reads their types from the functions.

`router` gathers every router below: include it alone.
"""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from danvan.access import require_role, require_scope, unit_in_scope
from danvan.contracts.reports import (
    PERIOD_PATTERN,
    REPORT_ACTION_ROLES,
    REPORT_REVIEW_BODIES,
    Completeness,
    CompletenessQuery,
    ConcernsQuery,
    ConcernsView,
    ReportAction,
    ReportDetail,
    ReportKind,
    ReportPublic,
    ReportQuery,
    ReportSubmit,
)
from services.gateway.deps import CurrentPrincipal, ServicesDep, UnitsDep
from services.gateway.lists import add_list_route
from services.gateway.openapi import ERROR_RESPONSES
from services.gateway.parameters import UnitCodePath
from services.gateway.routers.steps import step_route

SERVICE = "reporting"
RESOURCE = "reports"

REVIEW_SUMMARIES = {
    ReportAction.RETURN: "Return a child's report with a comment (trả lại để hoàn chỉnh)",
    ReportAction.APPROVE: "Approve a child's report (phê duyệt): it is locked from then on",
}


# ---- reports -----------------------------------------------------------------------------------

reports_router = APIRouter(prefix="/api/v1/reports", tags=["reports"])


@reports_router.post(
    "",
    status_code=201,
    responses={**ERROR_RESPONSES, 200: {"model": ReportDetail, "description": "sent again"}},
)
async def submit_report(
    body: ReportSubmit,
    principal: CurrentPrincipal,
    services: ServicesDep,
    units: UnitsDep,
    response: Response,
) -> ReportDetail:
    """Submit a unit's report for a period to its parent, its figures frozen as they stand:
    201 the first time; 200 when a returned report is sent again as a new version."""
    require_role(principal, *REPORT_ACTION_ROLES[ReportAction.SUBMIT])
    if body.unit_code in units:
        require_scope(units, principal, body.unit_code)
    report = ReportDetail.model_validate(
        await services.ask(SERVICE, RESOURCE, "submit", principal, body)
    )
    if report.submission > 1:
        response.status_code = 200
    return report


add_list_route(
    reports_router,
    "",
    service=SERVICE,
    resource=RESOURCE,
    query_type=ReportQuery,
    item_type=ReportPublic,
    name="list_reports",
    summary="Reports of a unit's subtree (its own and its children's): by period, kind and "
    "status, with cursor pagination and a total",
)


@reports_router.get("/{report_id}", responses=ERROR_RESPONSES)
async def get_report(
    report_id: uuid.UUID, principal: CurrentPrincipal, services: ServicesDep
) -> ReportDetail:
    """One report with its narrative, frozen figures, concerns and the history of its review."""
    data = await services.ask(SERVICE, RESOURCE, "get", principal, {"id": str(report_id)})
    return ReportDetail.model_validate(data)


for _action, _body_type in REPORT_REVIEW_BODIES.items():
    reports_router.add_api_route(
        f"/{{report_id}}/{_action.value}",
        step_route(
            service=SERVICE,
            resource=RESOURCE,
            action=_action.value,
            body_type=_body_type,
            roles=REPORT_ACTION_ROLES[_action],
            id_name="report_id",
        ),
        methods=["POST"],
        response_model=ReportDetail,
        responses=ERROR_RESPONSES,
        summary=REVIEW_SUMMARIES[_action],
    )


# ---- a parent's view of its children's reports -------------------------------------------------

unit_reports_router = APIRouter(prefix="/api/v1/units", tags=["reports"])
PeriodParam = Annotated[
    str,
    Query(pattern=PERIOD_PATTERN, max_length=10, examples=["2026"], description="2026, 202605…"),
]


@unit_reports_router.get("/{code}/completeness", responses=ERROR_RESPONSES)
async def completeness(
    code: UnitCodePath,
    period: PeriodParam,
    principal: CurrentPrincipal,
    services: ServicesDep,
    units: UnitsDep,
    kind: ReportKind = ReportKind.WORK,
) -> Completeness:
    """How many of a unit's children in force in the period submitted their report, on time,
    and approved ("29/29"), with one row per child."""
    unit = unit_in_scope(units, principal, code)
    query = CompletenessQuery(unit_code=unit.id, period=period, kind=kind)
    data = await services.ask(SERVICE, RESOURCE, "completeness", principal, query)
    return Completeness.model_validate(data)


@unit_reports_router.get("/{code}/concerns", responses=ERROR_RESPONSES)
async def concerns(
    code: UnitCodePath,
    period: PeriodParam,
    principal: CurrentPrincipal,
    services: ServicesDep,
    units: UnitsDep,
) -> ConcernsView:
    """The people's concerns raised in a month across a unit's whole subtree: hot spots
    (điểm nóng) first, then by reporting unit."""
    unit = unit_in_scope(units, principal, code)
    query = ConcernsQuery(unit_code=unit.id, period=period)
    data = await services.ask(SERVICE, RESOURCE, "concerns", principal, query)
    return ConcernsView.model_validate(data)


router = APIRouter()
for _router in (reports_router, unit_reports_router):
    router.include_router(_router)
