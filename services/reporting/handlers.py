"""Reporting's event consumer and rpc handlers."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from danvan.access import require_scope
from danvan.contracts.envelope import RawCloudEvent
from danvan.contracts.reporting import (
    Boundaries,
    DashboardFigures,
    DashboardQuery,
    UnitFigures,
)
from danvan.contracts.rpc import ErrorCode, ErrorDetail, Principal, ServiceError
from danvan.periods import Basis, InvalidPeriod, Period
from danvan.service import ServiceRuntime
from danvan.units import Generation, Unit, UnitTree
from services.reporting import store
from services.reporting.projection import increments


class ReportingHandlers:
    def __init__(self, runtime: ServiceRuntime, units: UnitTree) -> None:
        self._runtime = runtime
        self._units = units

    async def apply(self, session: AsyncSession, event: RawCloudEvent) -> None:
        await store.add(session, increments(self._units, event))

    async def dashboard(self, principal: Principal, query: DashboardQuery) -> DashboardFigures:
        period, basis = _period(query)
        unit = self._units.find(query.unit_code)
        if unit is None:
            raise ServiceError(ErrorCode.NOT_FOUND, f"unknown unit {query.unit_code}")
        require_scope(self._units, principal, unit.id)
        if query.boundaries is Boundaries.CURRENT and unit.is_legacy:
            successor = self._units.default_successor(unit.id)
            raise ServiceError(
                ErrorCode.VALIDATION,
                f"{unit.id} ceased on {unit.valid_to}: in current boundaries its figures are "
                f"counted in {successor.id}; ask for boundaries=historical to see it as it was",
                [ErrorDetail(field="boundaries", reason="a former unit has no current figures")],
            )
        start, end = period.date_range(basis)
        children = self._children(unit, query.boundaries, start, end)
        async with self._runtime.db() as session:
            figures = await store.figures_for(
                session, query.boundaries, [unit.id, *(c.id for c in children)], start, end
            )
        return DashboardFigures(
            unit=UnitFigures(unit_code=unit.id, figures=figures[unit.id]),
            children=[UnitFigures(unit_code=c.id, figures=figures[c.id]) for c in children],
            start=start,
            end=end,
        )

    def _children(self, unit: Unit, boundaries: Boundaries, start: date, end: date) -> list[Unit]:
        if boundaries is Boundaries.CURRENT:
            return list(self._units.children(unit.id, Generation.CURRENT))
        return [
            child
            for child in self._units.children(unit.id)
            if (child.valid_from is None or child.valid_from <= end)
            and (child.valid_to is None or child.valid_to > start)
        ]


def _period(query: DashboardQuery) -> tuple[Period, Basis]:
    try:
        period = Period.parse(query.period)
    except InvalidPeriod as error:
        raise ServiceError(
            ErrorCode.VALIDATION, str(error), [ErrorDetail(field="period", reason=str(error))]
        ) from error
    try:
        basis = Basis(query.basis)
    except ValueError as error:
        reason = "must be calendar or cutoff"
        raise ServiceError(
            ErrorCode.VALIDATION, f"basis {reason}", [ErrorDetail(field="basis", reason=reason)]
        ) from error
    return period, basis
