"""The gateway: the only HTTP surface portals use."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

from danvan.clock import Clock, SystemClock
from danvan.config import Settings
from danvan.service import ServiceRuntime
from danvan.telemetry import tracer_provider
from danvan.units import UnitTree
from services.gateway.errors import install_error_handlers
from services.gateway.routers import (
    contests,
    events_doc,
    exemplars,
    figures,
    health,
    models,
    organisations,
    reception,
    reports,
    units,
)


def create_app(
    settings: Settings,
    *,
    nats_url: str | None = None,
    units_tree: UnitTree | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    runtime = ServiceRuntime.create("gateway", settings, nats_url=nats_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(
        title="danvan gateway",
        version="1",
        summary="One API for the portals of mass-mobilisation work (công tác dân vận)",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.runtime = runtime
    app.state.clock = clock or SystemClock()
    app.state.units = runtime.units_in_force(app.state.clock, units_tree)
    app.state.signing_secret = settings.signing_secret()
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(models.router)
    app.include_router(exemplars.router)
    app.include_router(organisations.router)
    app.include_router(contests.router)
    app.include_router(reception.router)
    app.include_router(reports.router)
    app.include_router(events_doc.router)
    app.include_router(units.router)
    app.include_router(figures.router)
    FastAPIInstrumentor.instrument_app(app, tracer_provider=tracer_provider())
    return app
