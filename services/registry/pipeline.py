"""Where a unit's models and exemplars stand now, by status: the registry's part of a
dashboard."""

from __future__ import annotations

from danvan.access import facts_scope, unit_in_scope
from danvan.contracts.registry import STATUS_LABELS, Pipeline, PipelineQuery, Status, StatusCount
from danvan.contracts.rpc import Principal
from danvan.service import ServiceRuntime
from danvan.units import UnitTree
from services.registry import store


class PipelineHandlers:
    def __init__(self, runtime: ServiceRuntime, units: UnitTree) -> None:
        self._runtime = runtime
        self._units = units

    async def get(self, principal: Principal, query: PipelineQuery) -> Pipeline:
        unit = unit_in_scope(self._units, principal, query.unit_code)
        scope = facts_scope(self._units, unit.id)
        async with self._runtime.db() as session:
            models = await store.status_counts(session, store.MODEL, scope)
            exemplars = await store.status_counts(session, store.EXEMPLAR, scope)
        return Pipeline(unit_code=unit.id, models=_counts(models), exemplars=_counts(exemplars))


def _counts(by_status: dict[str, int]) -> list[StatusCount]:
    """Every status in the order of the lifecycle, zero where none stands."""
    return [
        StatusCount(status=status, labels=STATUS_LABELS[status], count=by_status.get(status, 0))
        for status in Status
    ]
