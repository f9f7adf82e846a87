"""Models ("mô hình Dân vận khéo")."""

from __future__ import annotations

from fastapi import APIRouter

from danvan.access import WRITERS, require_role, require_scope
from danvan.bus import call, rpc_subject
from danvan.contracts.registry import ModelCreate, ModelPublic
from services.gateway.deps import BrokerDep, CurrentPrincipal, SettingsDep, UnitsDep
from services.gateway.openapi import ERROR_RESPONSES

router = APIRouter(prefix="/api/v1/models", tags=["models"])


@router.post("", status_code=201, responses=ERROR_RESPONSES)
async def create_model(
    body: ModelCreate,
    principal: CurrentPrincipal,
    broker: BrokerDep,
    settings: SettingsDep,
    units: UnitsDep,
) -> ModelPublic:
    """Register a "Dân vận khéo" model at a unit; it counts in the period of its date."""
    require_role(principal, *WRITERS)
    if body.unit_code in units:
        require_scope(units, principal, body.unit_code)
    data = await call(
        broker,
        rpc_subject("registry", "models", "create"),
        principal,
        body,
        timeout=settings.rpc_timeout,
    )
    return ModelPublic.model_validate(data)
