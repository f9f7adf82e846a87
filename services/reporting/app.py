"""Wiring of the reporting service."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel

from danvan.bus import register_rpc, rpc_subject
from danvan.clock import Clock, SystemClock
from danvan.config import Settings
from danvan.contracts.reporting import ExportQuery, FigureEntries, FiguresQuery, RebuildStart
from danvan.contracts.rpc import Principal
from danvan.notes import EVERYWHERE, note_applied
from danvan.service import ServiceRuntime
from danvan.units import UnitTree
from services.reporting.builds import SOURCES, Rebuilder, build_key
from services.reporting.documents import Documents
from services.reporting.figures import FiguresReader
from services.reporting.handlers import ReportingHandlers
from services.reporting.projection import Projector
from services.reporting.report_handlers import register_reports
from services.reporting.rollup import Placer

# Durable consumers keep their configuration from creation: version the name to change it.
CONSUMERS = {source: f"reporting-figures-{source}-v1" for source in SOURCES}

Handler = Callable[[Principal, Any], Awaitable[Any]]


def build(
    settings: Settings,
    *,
    nats_url: str | None = None,
    units: UnitTree | None = None,
    clock: Clock | None = None,
) -> ServiceRuntime:
    runtime = ServiceRuntime.create("reporting", settings, nats_url=nats_url)
    clock = clock or SystemClock()
    tree = runtime.units_in_force(clock, units)
    placer = Placer(tree)
    runtime.before_freeze(placer.place_every_unit)
    projector = Projector(placer)
    figures = FiguresReader(runtime.db, tree, clock, placer)

    async def switched() -> None:
        await note_applied(runtime.broker, [EVERYWHERE])

    rebuilder = Rebuilder(runtime.db, projector, runtime.jetstream, build_key(tree.key), switched)
    documents = Documents(runtime.db, tree, figures)
    handlers = ReportingHandlers(runtime, tree, clock, projector, figures, rebuilder, documents)
    for source, durable in CONSUMERS.items():
        runtime.consume_batches(source, durable=durable, handle=handlers.apply)
    runtime.on_stop(rebuilder.stop)
    runtime.every("units-rebuild", settings.units_check_interval, rebuilder.follow_units)
    runtime.every("leftover-builds", settings.units_check_interval, rebuilder.drop_leftovers)
    register_reports(runtime, tree, figures, clock)
    routes: list[tuple[str, str, type[BaseModel], Handler]] = [
        ("figures", "get", FiguresQuery, handlers.figures),
        ("figures", "enter", FigureEntries, handlers.enter),
        ("exports", "get", ExportQuery, handlers.export),
        ("rebuild", "start", RebuildStart, handlers.rebuild),
        ("rebuild", "status", RebuildStart, handlers.rebuild_status),
    ]
    for resource, action, request_type, handler in routes:
        register_rpc(
            runtime.broker,
            rpc_subject("reporting", resource, action),
            queue="reporting",
            request_type=request_type,
            handler=handler,
        )
    return runtime
