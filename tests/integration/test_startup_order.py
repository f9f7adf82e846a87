"""Services may start in any order: a consumer waits for the stream its source declares."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from danvan.bus import call, rpc_subject
from danvan.clock import SystemClock
from danvan.config import Settings
from danvan.contracts.reporting import FiguresQuery
from danvan.contracts.rpc import Principal, Role
from danvan.embedded import EmbeddedNats
from danvan.migrate import upgrade
from danvan.units import load_units
from services.registry.app import build as build_registry
from services.reporting.app import build as build_reporting
from tests.waiting import eventually


def figure(view: dict[str, Any], indicator: str) -> float:
    found = next(f for f in view["figures"] if f["indicator"] == indicator)
    return float(found["amount"])


async def test_reporting_started_before_registry_answers_at_once_and_counts_once_it_appears(
    tmp_path: Path, fresh_nats: EmbeddedNats
) -> None:
    settings = Settings(home=tmp_path, nats_url=fresh_nats.url)
    for service in ("registry", "reporting"):
        await upgrade(service, settings.database_url(service))
    units = load_units()
    reporting = build_reporting(settings, units=units)
    registry = build_registry(settings, units=units)

    await asyncio.wait_for(reporting.start(), timeout=15)  # no REGISTRY stream: it still starts
    try:
        officer = Principal(sub="o", unit="01", roles=(Role.OFFICER,))
        query = FiguresQuery(unit_code="00292", period=str(SystemClock().today().year))
        await asyncio.sleep(1.0)
        reply = await call(
            reporting.broker, rpc_subject("reporting", "figures", "get"), officer, query, timeout=5
        )
        assert figure(reply, "models.registered") == 0
        await registry.start()
        await call(
            registry.broker,
            rpc_subject("registry", "models", "create"),
            officer,
            {"name": "Bóng đèn an ninh", "field": "defence_security", "unit_code": "00292"},
            timeout=5,
        )

        async def counted() -> bool:
            data = await call(
                registry.broker,
                rpc_subject("reporting", "figures", "get"),
                officer,
                query,
                timeout=5,
            )
            return figure(data, "models.registered") == 1

        await eventually(counted)
    finally:
        await registry.stop()
        await reporting.stop()
