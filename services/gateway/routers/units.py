"""A unit's views: its dashboard (composed from every service, cached, with an ETag) and the
full figures behind it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request, Response

from danvan.access import unit_in_scope
from danvan.contracts.reporting import Boundaries, FiguresQuery, FiguresView
from danvan.lifecycle import compared_period_of
from danvan.periods import Basis
from services.gateway.composition import compose
from services.gateway.dashboard import DashboardRequest, assemble, parts
from services.gateway.deps import (
    ClockDep,
    CurrentPrincipal,
    ServicesDep,
    SettingsDep,
    UnitsDep,
    ViewCacheDep,
)
from services.gateway.language import request_language
from services.gateway.openapi import ERROR_RESPONSES
from services.gateway.parameters import PeriodQuery, UnitCodePath
from services.gateway.view_cache import CachedView, etag_of, matches, provinces_of_unit
from services.gateway.views import Dashboard, UnitFigures, UnitRef

router = APIRouter(prefix="/api/v1/units", tags=["units"])

NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "the view has not changed since the `If-None-Match` ETag"}
}


@router.get(
    "/{code}/dashboard",
    response_model=Dashboard,
    responses={**ERROR_RESPONSES, **NOT_MODIFIED},
)
async def dashboard(
    code: UnitCodePath,
    request: Request,
    principal: CurrentPrincipal,
    services: ServicesDep,
    units: UnitsDep,
    settings: SettingsDep,
    cache: ViewCacheDep,
    clock: ClockDep,
    period: PeriodQuery,
    basis: Basis = Basis.CALENDAR,
    boundaries: Boundaries = Boundaries.CURRENT,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """Everything a portal shows of a unit for a period, in one response: the unit and its
    parents; the headline figures of every area with their change against the same period of
    the year before; the children with the same figures and their rank; the children's work
    reports; models and exemplars by status now; petitions nearly due and overdue today; and
    how current each part is.

    A part whose service does not answer in time is left out, with a `warnings` entry naming
    it (still 200). The answer carries an `ETag`: send it back in `If-None-Match` to get 304
    while nothing the view shows has changed."""
    wanted = DashboardRequest(
        unit=unit_in_scope(units, principal, code),
        period=compared_period_of(period),
        basis=basis,
        boundaries=boundaries,
    )
    language = request_language(request)
    key = (wanted.unit.id, wanted.period.code, basis, boundaries, language)
    view = cache.get(key)
    if view is None:
        provinces = provinces_of_unit(units, wanted.unit.id)
        version = cache.version(provinces)
        runtime = request.app.state.runtime
        composed = await compose(
            parts(services, principal, wanted, runtime.jetstream), settings.view_deadline
        )
        answer = assemble(units, wanted, composed, language, clock.now())
        body = answer.model_dump_json().encode()
        view = CachedView(body, etag_of(body), provinces)
        if not answer.warnings:
            # A partial view is not kept: the next request asks the missing service again.
            cache.put(key, view, version)
    headers = {
        "ETag": view.etag,
        "Cache-Control": "private, no-cache",
        "Vary": "Accept-Language, Authorization",
    }
    if matches(if_none_match, view.etag):
        return Response(status_code=304, headers=headers)
    return Response(view.body, media_type="application/json", headers=headers)


@router.get("/{code}/figures", responses=ERROR_RESPONSES)
async def figures(
    code: UnitCodePath,
    principal: CurrentPrincipal,
    services: ServicesDep,
    units: UnitsDep,
    period: PeriodQuery,
    basis: Basis = Basis.CALENDAR,
    boundaries: Boundaries = Boundaries.CURRENT,
) -> UnitFigures:
    """Every indicator of a unit for a period with its breakdowns and its change against the
    same period of the year before, what was recorded at the unit's own level, and every
    child's figures."""
    compared_period_of(period)
    unit = unit_in_scope(units, principal, code)
    query = FiguresQuery(unit_code=unit.id, period=period, basis=basis.value, boundaries=boundaries)
    view = FiguresView.model_validate(
        await services.ask("reporting", "figures", "get", principal, query)
    )
    return UnitFigures(
        unit=UnitRef.of(unit),
        parents=[UnitRef.of(parent) for parent in reversed(units.ancestors(unit.id))],
        **view.model_dump(),
    )
