"""Models ("mô hình") and exemplars ("điển hình"): one router shape for both.

This module keeps its annotations evaluated (no `from __future__ import annotations`): the
routes are built in a factory, and FastAPI reads their types from the functions.
"""

import uuid
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from danvan.access import require_role, require_scope
from danvan.contracts.paging import PageRequest
from danvan.contracts.registry import ACTION_ROLES, STEP_BODIES, Action
from danvan.contracts.rpc import WRITERS
from services.gateway.deps import CurrentPrincipal, ServicesDep, UnitsDep
from services.gateway.lists import add_list_route
from services.gateway.openapi import ERROR_RESPONSES
from services.gateway.routers.steps import step_route

STEP_PATHS = {action: action.value.replace("_", "-") for action in Action}
STEP_SUMMARIES = {
    Action.START: "Start implementing (triển khai)",
    Action.APPRAISE: "Record the survey and appraisal (khảo sát, thẩm định)",
    Action.EVALUATE: "Record the evaluation (bình xét): proposed for recognition or not",
    Action.RECOGNISE: "Recognise at a level (công nhận), with a decision and awards",
    Action.NOT_RECOGNISE: "Record that it was not recognised",
    Action.WITHDRAW: "Withdraw before recognition, with a reason",
}


def record_router(
    *,
    resource: str,
    noun: str,
    create_type: type[BaseModel],
    changes_type: type[BaseModel],
    query_type: type[PageRequest],
    public_type: type[BaseModel],
    detail_type: type[BaseModel],
) -> APIRouter:
    router = APIRouter(prefix=f"/api/v1/{resource}", tags=[resource])

    async def create(
        body: create_type,  # type: ignore[valid-type]
        principal: CurrentPrincipal,
        services: ServicesDep,
        units: UnitsDep,
    ) -> Any:
        require_role(principal, *WRITERS)
        unit_code = body.unit_code  # type: ignore[attr-defined]
        if unit_code in units:
            require_scope(units, principal, unit_code)
        return await services.ask("registry", resource, "create", principal, body)

    async def one(record_id: uuid.UUID, principal: CurrentPrincipal, services: ServicesDep) -> Any:
        return await services.ask("registry", resource, "get", principal, {"id": str(record_id)})

    async def change(
        record_id: uuid.UUID,
        body: changes_type,  # type: ignore[valid-type]
        principal: CurrentPrincipal,
        services: ServicesDep,
    ) -> Any:
        require_role(principal, *WRITERS)
        changes = body.model_dump(mode="json", exclude_unset=True)  # type: ignore[attr-defined]
        data = {"id": str(record_id), **changes}
        return await services.ask("registry", resource, "update", principal, data)

    router.add_api_route(
        "",
        create,
        methods=["POST"],
        status_code=201,
        response_model=public_type,
        responses=ERROR_RESPONSES,
        summary=f"Register a {noun}",
    )
    add_list_route(
        router,
        "",
        service="registry",
        resource=resource,
        query_type=query_type,
        item_type=public_type,
        name=f"list_{resource}",
        summary=f"List {noun}s in a unit's subtree: filters, search without diacritics, "
        "sort, cursor pagination with a total; or export them all as CSV or XLSX",
    )
    router.add_api_route(
        "/{record_id}",
        one,
        methods=["GET"],
        response_model=detail_type,
        responses=ERROR_RESPONSES,
        summary=f"One {noun} with its full history and awards",
    )
    router.add_api_route(
        "/{record_id}",
        change,
        methods=["PATCH"],
        response_model=public_type,
        responses=ERROR_RESPONSES,
        summary=f"Change a {noun}'s details: a new version, and an event carrying the changes",
    )
    for action, body_type in STEP_BODIES.items():
        router.add_api_route(
            f"/{{record_id}}/{STEP_PATHS[action]}",
            step_route(
                service="registry",
                resource=resource,
                action=action.value,
                body_type=body_type,
                roles=ACTION_ROLES[action],
                id_name="record_id",
            ),
            methods=["POST"],
            response_model=public_type,
            responses=ERROR_RESPONSES,
            summary=STEP_SUMMARIES[action],
        )
    return router
