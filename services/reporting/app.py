"""Wiring of the reporting service."""

from __future__ import annotations

from danvan.bus import register_rpc, rpc_subject
from danvan.config import Settings
from danvan.contracts.reporting import DashboardQuery
from danvan.service import ServiceRuntime
from danvan.units import UnitTree, load_units
from services.reporting.handlers import ReportingHandlers

# Durable consumers keep their configuration from creation: version the name to change it.
REGISTRY_CONSUMER = "reporting-registry-v1"


def build(
    settings: Settings, *, nats_url: str | None = None, units: UnitTree | None = None
) -> ServiceRuntime:
    runtime = ServiceRuntime.create("reporting", settings, nats_url=nats_url)
    handlers = ReportingHandlers(runtime, units or load_units())
    runtime.consume("registry", durable=REGISTRY_CONSUMER, apply=handlers.apply)
    register_rpc(
        runtime.broker,
        rpc_subject("reporting", "dashboard", "get"),
        queue="reporting",
        request_type=DashboardQuery,
        handler=handlers.dashboard,
    )
    return runtime
