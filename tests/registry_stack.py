"""The registry service and the gateway in this process, on a nats-server of the test's own
and a real database: requests go through HTTP, NATS and SQL as in production."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx

from danvan.clock import VIETNAM, FixedClock
from danvan.config import Settings
from danvan.contracts.rpc import Role
from danvan.migrate import upgrade
from danvan.units import UnitTree, load_units
from services.gateway.app import create_app
from services.registry.app import build as build_registry
from tests.bearer import bearer
from tests.languages import ENGLISH

SECRET = "registry-stack-secret-" + "x" * 32
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=VIETNAM)


@dataclass
class RegistryStack:
    client: httpx.AsyncClient
    nats_url: str
    database_url: str
    clock: FixedClock
    units: UnitTree

    def auth(self, unit: str, *roles: Role, sub: str | None = None) -> dict[str, str]:
        return bearer(SECRET, unit, *roles, sub=sub)


@asynccontextmanager
async def registry_stack(
    home: Path,
    nats_url: str,
    database_url: str,
    *,
    topics: dict[str, str] | None = None,
    export_max_rows: int | None = None,
) -> AsyncIterator[RegistryStack]:
    settings = Settings(
        home=home,
        jwt_secret=SECRET,
        nats_url=nats_url,
        registry_database_url=database_url,
        registry_topics=topics or {},
        rpc_timeout=30,
    )
    if export_max_rows is not None:
        settings.export_max_rows = export_max_rows
    await upgrade("registry", database_url)
    units = load_units()
    clock = FixedClock(NOW)
    registry = build_registry(settings, units=units, clock=clock)
    await registry.start()
    try:
        app = create_app(settings, units_tree=units)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport,
                base_url="http://gateway",
                timeout=120,
                headers=ENGLISH,
            ) as client:
                yield RegistryStack(client, nats_url, database_url, clock, units)
    finally:
        await registry.stop()
