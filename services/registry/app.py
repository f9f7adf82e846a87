"""Wiring of the registry service."""

from __future__ import annotations

from danvan.bus import register_rpc, rpc_subject
from danvan.clock import Clock, SystemClock
from danvan.config import Settings
from danvan.contracts.registry import ModelCreate
from danvan.service import ServiceRuntime
from danvan.units import UnitTree, load_units
from services.registry.handlers import RegistryHandlers


def build(
    settings: Settings,
    *,
    nats_url: str | None = None,
    clock: Clock | None = None,
    units: UnitTree | None = None,
) -> ServiceRuntime:
    runtime = ServiceRuntime.create("registry", settings, nats_url=nats_url)
    handlers = RegistryHandlers(runtime, units or load_units(), clock or SystemClock())
    register_rpc(
        runtime.broker,
        rpc_subject("registry", "models", "create"),
        queue="registry",
        request_type=ModelCreate,
        handler=handlers.create_model,
    )
    return runtime
