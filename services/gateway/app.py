"""The gateway: the only HTTP surface portals use."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

from danvan.clock import Clock, SystemClock
from danvan.config import Settings
from danvan.http_metrics import HttpMetrics
from danvan.service import ServiceRuntime
from danvan.telemetry import tracer_provider
from danvan.tokens import token_verifier
from danvan.units import UnitTree
from services.gateway.errors import install_error_handlers
from services.gateway.openapi import with_nulls_restored
from services.gateway.protection import RateLimiter, install_protection
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
    unit_directory,
    units,
)
from services.gateway.view_cache import ViewCache


def create_app(
    settings: Settings,
    *,
    nats_url: str | None = None,
    units_tree: UnitTree | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    runtime = ServiceRuntime.create("gateway", settings, nats_url=nats_url)
    clock = clock or SystemClock()
    verifier = token_verifier(settings, clock)

    view_cache = ViewCache(ttl=settings.view_cache_seconds, size=settings.view_cache_size)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            await view_cache.watch(runtime.broker.config.connection_state.connection)
            yield
        finally:
            await runtime.stop()
            await verifier.aclose()

    app = FastAPI(
        title="danvan gateway",
        version="1",
        summary="One API for the portals of mass-mobilisation work (công tác dân vận)",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.runtime = runtime
    app.state.clock = clock
    app.state.units = runtime.units_in_force(clock, units_tree)
    app.state.view_cache = view_cache
    app.state.token_verifier = verifier
    app.state.rate_limiter = RateLimiter(settings.rate_limit)
    install_error_handlers(app)
    install_protection(app, settings)
    app.add_middleware(HttpMetrics, service="gateway")
    app.include_router(health.router)
    app.include_router(models.router)
    app.include_router(exemplars.router)
    app.include_router(organisations.router)
    app.include_router(contests.router)
    app.include_router(reception.router)
    app.include_router(reports.router)
    app.include_router(events_doc.router)
    app.include_router(unit_directory.router)  # before units.router: owns /api/v1/units/{code}
    app.include_router(units.router)
    app.include_router(figures.router)
    FastAPIInstrumentor.instrument_app(app, tracer_provider=tracer_provider())
    install_document(app)
    return app


def install_document(app: FastAPI) -> None:
    """The OpenAPI document FastAPI makes, with the nulls of its examples put back."""
    made_by_fastapi = app.openapi

    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = with_nulls_restored(made_by_fastapi())
        return app.openapi_schema

    app.openapi = document  # type: ignore[method-assign]
