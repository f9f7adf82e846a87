"""Administrative units and their per-level views."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from danvan.access import unit_in_scope
from danvan.contracts.reporting import Boundaries, FiguresQuery, FiguresView
from danvan.lifecycle import period_of
from danvan.periods import Basis
from services.gateway.deps import CurrentPrincipal, ServicesDep, UnitsDep
from services.gateway.openapi import ERROR_RESPONSES
from services.gateway.views import Dashboard, UnitRef

router = APIRouter(prefix="/api/v1/units", tags=["units"])


@router.get("/{code}/dashboard", responses=ERROR_RESPONSES)
async def dashboard(
    code: str,
    principal: CurrentPrincipal,
    services: ServicesDep,
    units: UnitsDep,
    period: Annotated[
        str, Query(examples=["2026"], description="2026, 2026S1, 2026Q3, 202605, 2026NM")
    ],
    basis: Basis = Basis.CALENDAR,
    boundaries: Boundaries = Boundaries.CURRENT,
) -> Dashboard:
    """A unit's figures for a period, each with its change against the same period of the
    year before, what was recorded at its own level, and its children's figures."""
    period_of(period)
    unit = unit_in_scope(units, principal, code)
    query = FiguresQuery(unit_code=unit.id, period=period, basis=basis.value, boundaries=boundaries)
    view = FiguresView.model_validate(
        await services.ask("reporting", "figures", "get", principal, query)
    )
    return Dashboard(
        unit=UnitRef.of(unit),
        parents=[UnitRef.of(parent) for parent in reversed(units.ancestors(unit.id))],
        **view.model_dump(),
    )
