"""Reporting's rpc handlers and its live event consumer."""

from __future__ import annotations

from collections.abc import Sequence

from danvan.access import require_nation, require_role, require_scope
from danvan.clock import Clock
from danvan.contracts.reporting import (
    ExportFile,
    ExportQuery,
    FigureEntries,
    FigureEntriesResult,
    FiguresQuery,
    FiguresView,
    RebuildStart,
    RebuildStatus,
)
from danvan.contracts.rpc import Principal, Role
from danvan.db import transaction
from danvan.notes import note_applied, provinces_of
from danvan.pull import Delivered
from danvan.service import ServiceRuntime
from danvan.units import UnitTree
from services.reporting import builds, entries
from services.reporting.builds import Rebuilder, read_builds
from services.reporting.documents import Documents
from services.reporting.figures import FiguresReader
from services.reporting.projection import Projector


class ReportingHandlers:
    def __init__(
        self,
        runtime: ServiceRuntime,
        units: UnitTree,
        clock: Clock,
        projector: Projector,
        figures: FiguresReader,
        rebuilder: Rebuilder,
        documents: Documents,
    ) -> None:
        self._runtime = runtime
        self._units = units
        self._clock = clock
        self._projector = projector
        self._figures = figures
        self._rebuilder = rebuilder
        self._documents = documents

    async def apply(self, batch: Sequence[Delivered]) -> None:
        """New events, into the active build and into the one being rebuilt if any; then a
        note of the provinces whose figures moved, for the views cached on them."""
        async with transaction(self._runtime.db) as session:
            targets = (await read_builds(session)).targets
            await self._projector.apply(session, batch, targets)
        await note_applied(self._runtime.broker, provinces_of(d.subject for d in batch))

    async def figures(self, principal: Principal, query: FiguresQuery) -> FiguresView:
        unit = self._figures.unit(query.unit_code, query.boundaries)
        require_scope(self._units, principal, unit.id)
        return await self._figures.view(query)

    async def export(self, principal: Principal, query: ExportQuery) -> ExportFile:
        unit = self._figures.unit(query.unit_code, query.boundaries)
        require_scope(self._units, principal, unit.id)
        return await self._documents.export(query, self._clock.today())

    async def enter(self, principal: Principal, request: FigureEntries) -> FigureEntriesResult:
        checked = entries.check(self._units, principal, request)
        async with transaction(self._runtime.db) as session:
            saved = await entries.save(
                session, self._units, principal, request.source, checked, self._clock.now()
            )
        self._runtime.wake_relay()
        return FigureEntriesResult(saved=saved)

    async def rebuild(self, principal: Principal, _: RebuildStart) -> RebuildStatus:
        require_role(principal, Role.ADMIN)
        require_nation(principal)
        return await self._rebuilder.start()

    async def rebuild_status(self, principal: Principal, _: RebuildStart) -> RebuildStatus:
        require_role(principal, Role.ADMIN)
        require_nation(principal)
        async with self._runtime.db() as session:
            return await builds.status(session)
