"""Administrative units and their per-level views."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query

from danvan.access import require_scope
from danvan.bus import call, rpc_subject
from danvan.contracts.reporting import Boundaries, DashboardFigures, DashboardQuery
from danvan.contracts.rpc import ErrorCode, ErrorDetail, ServiceError
from danvan.periods import Basis, InvalidPeriod, Period
from services.gateway.deps import BrokerDep, CurrentPrincipal, SettingsDep, UnitsDep
from services.gateway.openapi import ERROR_RESPONSES
from services.gateway.views import ChildRow, Dashboard, PeriodInfo, UnitRef, figures_view

PERIOD_FORMS = "year 2026, half 2026S1, quarter 2026Q3, month 202605, nine months 2026NM"

router = APIRouter(prefix="/api/v1/units", tags=["units"])


def parse_period(code: str) -> Period:
    try:
        return Period.parse(code)
    except InvalidPeriod as error:
        raise ServiceError(
            ErrorCode.VALIDATION, str(error), [ErrorDetail(field="period", reason=str(error))]
        ) from error


def language(accept_language: str | None) -> str:
    return "en" if accept_language and accept_language.lower().startswith("en") else "vi"


@router.get("/{code}/dashboard", responses=ERROR_RESPONSES)
async def dashboard(
    code: str,
    principal: CurrentPrincipal,
    broker: BrokerDep,
    settings: SettingsDep,
    units: UnitsDep,
    period: Annotated[
        str, Query(examples=["2026"], description="2026, 2026S1, 2026Q3, 202605, 2026NM")
    ],
    basis: Basis = Basis.CALENDAR,
    boundaries: Boundaries = Boundaries.CURRENT,
    accept_language: Annotated[str | None, Header()] = None,
) -> Dashboard:
    """A unit's figures for a period, with its parent chain and its children's figures."""
    parsed = parse_period(period)
    unit = units.find(code)
    if unit is None:
        raise ServiceError(ErrorCode.NOT_FOUND, f"unknown unit {code}")
    require_scope(units, principal, unit.id)
    query = DashboardQuery(
        unit_code=unit.id, period=period, basis=basis.value, boundaries=boundaries
    )
    data = DashboardFigures.model_validate(
        await call(
            broker,
            rpc_subject("reporting", "dashboard", "get"),
            principal,
            query,
            timeout=settings.rpc_timeout,
        )
    )
    lang = language(accept_language)
    return Dashboard(
        unit=UnitRef.of(unit),
        parents=[UnitRef.of(parent) for parent in reversed(units.ancestors(unit.id))],
        period=PeriodInfo(
            code=parsed.code,
            label=parsed.label(lang),
            basis=basis.value,
            start=data.start,
            end=data.end,
        ),
        boundaries=boundaries,
        figures=figures_view(data.unit.figures, lang),
        children=[
            ChildRow(
                unit=UnitRef.of(units.get(child.unit_code)),
                figures=figures_view(child.figures, lang),
            )
            for child in data.children
        ],
    )
