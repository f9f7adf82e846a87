"""The directory of organisations that register work, kept per unit by admins."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from danvan.access import require_role, require_scope
from danvan.contracts.organisations import (
    OrganisationCreate,
    OrganisationKind,
    OrganisationPublic,
    OrganisationQuery,
)
from danvan.contracts.registry import NAME_MAX_LENGTH, Line
from danvan.contracts.rpc import Role
from services.gateway.deps import CurrentPrincipal, ServicesDep, UnitsDep
from services.gateway.lists import add_list_route
from services.gateway.openapi import ERROR_RESPONSES

router = APIRouter(prefix="/api/v1/organisations", tags=["organisations"])


class OrganisationChanges(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "Công an phường Hồng Hà", "active": True}]},
    )

    name: Line | None = Field(default=None, max_length=NAME_MAX_LENGTH)
    kind: OrganisationKind | None = None
    active: bool | None = None


@router.post("", status_code=201, responses=ERROR_RESPONSES)
async def create_organisation(
    body: OrganisationCreate, principal: CurrentPrincipal, services: ServicesDep, units: UnitsDep
) -> OrganisationPublic:
    """Add an organisation to the directory of a unit (admins)."""
    require_role(principal, Role.ADMIN)
    if body.unit_code in units:
        require_scope(units, principal, body.unit_code)
    data = await services.ask("registry", "organisations", "create", principal, body)
    return OrganisationPublic.model_validate(data)


add_list_route(
    router,
    "",
    service="registry",
    resource="organisations",
    query_type=OrganisationQuery,
    item_type=OrganisationPublic,
    name="list_organisations",
    summary="Organisations of a unit's subtree, by name in Vietnamese order",
)


@router.get("/{organisation_id}", responses=ERROR_RESPONSES)
async def get_organisation(
    organisation_id: uuid.UUID, principal: CurrentPrincipal, services: ServicesDep
) -> OrganisationPublic:
    """One organisation of the directory."""
    data = await services.ask(
        "registry", "organisations", "get", principal, {"id": str(organisation_id)}
    )
    return OrganisationPublic.model_validate(data)


@router.patch("/{organisation_id}", responses=ERROR_RESPONSES)
async def change_organisation(
    organisation_id: uuid.UUID,
    body: OrganisationChanges,
    principal: CurrentPrincipal,
    services: ServicesDep,
) -> OrganisationPublic:
    """Rename, re-classify, or deactivate (an inactive organisation takes no new work)."""
    require_role(principal, Role.ADMIN)
    data: dict[str, Any] = {
        "id": str(organisation_id),
        **body.model_dump(mode="json", exclude_unset=True),
    }
    return OrganisationPublic.model_validate(
        await services.ask("registry", "organisations", "update", principal, data)
    )
