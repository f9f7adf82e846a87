"""Services may start in any order: a consumer waits for the stream its source declares."""

from __future__ import annotations

import asyncio
from pathlib import Path

from danvan.bus import call, rpc_subject
from danvan.clock import SystemClock
from danvan.config import Settings
from danvan.contracts.reporting import DashboardQuery
from danvan.contracts.rpc import Principal, Role
from danvan.embedded import EmbeddedNats
from danvan.migrate import upgrade
from danvan.units import load_units
from services.registry.app import build as build_registry
from services.reporting.app import build as build_reporting
from tests.waiting import eventually


async def test_reporting_started_before_registry_waits_for_its_stream_then_counts(
    tmp_path: Path, fresh_nats: EmbeddedNats
) -> None:
    settings = Settings(home=tmp_path, nats_url=fresh_nats.url)
    for service in ("registry", "reporting"):
        await upgrade(service, settings.database_url(service))
    units = load_units()
    reporting = build_reporting(settings, units=units)
    registry = build_registry(settings, units=units)

    starting = asyncio.create_task(reporting.start())
    await asyncio.sleep(1.0)
    assert not starting.done()  # no REGISTRY stream yet: it waits rather than fails

    await registry.start()
    await asyncio.wait_for(starting, timeout=15)
    try:
        officer = Principal(sub="o", unit="01", roles=(Role.OFFICER,))
        await call(
            registry.broker,
            rpc_subject("registry", "models", "create"),
            officer,
            {"name": "Bóng đèn an ninh", "field": "defence_security", "unit_code": "00292"},
            timeout=5,
        )
        query = DashboardQuery(unit_code="00292", period=str(SystemClock().today().year))

        async def counted() -> bool:
            data = await call(
                registry.broker,
                rpc_subject("reporting", "dashboard", "get"),
                officer,
                query,
                timeout=5,
            )
            return bool(data["unit"]["figures"].get("models.registered", {}).get("") == 1)

        await eventually(counted)
    finally:
        await registry.stop()
        await reporting.stop()
