"""The reception service and the gateway in this process, on a nats-server of the test's own
and a real database, with a clock the test moves."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx

from danvan.clock import VIETNAM, FixedClock
from danvan.config import Settings
from danvan.contracts.rpc import Role
from danvan.migrate import upgrade
from danvan.service import ServiceRuntime
from danvan.units import load_units
from services.gateway.app import create_app
from services.reception.app import build as build_reception
from tests.bearer import bearer
from tests.languages import ENGLISH
from tests.platform_stack import as_nats_user

SECRET = "reception-stack-secret-" + "x" * 32
NOW = datetime(2026, 11, 16, 9, 0, tzinfo=VIETNAM)  # a Monday


@dataclass
class ReceptionStack:
    client: httpx.AsyncClient
    nats_url: str
    clock: FixedClock
    service: ServiceRuntime
    settings: Settings

    def auth(self, unit: str, *roles: Role, sub: str | None = None) -> dict[str, str]:
        return bearer(SECRET, unit, *roles, sub=sub)


@asynccontextmanager
async def reception_stack(
    home: Path,
    nats_url: str,
    database_url: str,
    *,
    now: datetime = NOW,
    retention_days: int = 1826,
    nats_passwords: Mapping[str, str] | None = None,
) -> AsyncIterator[ReceptionStack]:
    """`nats_passwords`: each NATS user's password, when the server has users (reception and
    the gateway then connect as their own)."""
    settings = Settings(
        home=home,
        jwt_secret=SECRET,
        nats_url=nats_url,
        reception_database_url=database_url,
        reception_retention_days=retention_days,
        rpc_timeout=30,
    )
    await upgrade("reception", database_url)
    units = load_units()
    clock = FixedClock(now)
    # The schedule is the test's to run: a long interval keeps the background check out of it.
    passwords = nats_passwords or {}
    reception = build_reception(
        as_nats_user(settings, "reception", passwords),
        units=units,
        clock=clock,
        check_interval=3600,
    )
    await reception.start()
    try:
        app = create_app(as_nats_user(settings, "gateway", passwords), units_tree=units)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport,
                base_url="http://gateway",
                timeout=60,
                headers=ENGLISH,
            ) as client:
                yield ReceptionStack(client, nats_url, clock, reception, settings)
    finally:
        await reception.stop()
