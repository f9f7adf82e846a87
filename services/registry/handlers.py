"""The registry's rpc handlers."""

from __future__ import annotations

from danvan.bus import stream_name
from danvan.clock import Clock
from danvan.contracts.envelope import make_event
from danvan.contracts.registry import ModelCreate, ModelPublic
from danvan.contracts.rpc import Principal
from danvan.db import transaction
from danvan.outbox import enqueue
from danvan.service import ServiceRuntime
from danvan.units import UnitTree
from services.registry.domain import register_model
from services.registry.store import insert_model


class RegistryHandlers:
    def __init__(self, runtime: ServiceRuntime, units: UnitTree, clock: Clock) -> None:
        self._runtime = runtime
        self._units = units
        self._clock = clock

    async def create_model(self, principal: Principal, command: ModelCreate) -> ModelPublic:
        model, payload = register_model(command, principal, self._units, self._clock.today())
        province = self._units.current_province_of(model.unit_id)
        event = make_event(
            payload,
            subject=str(model.id),
            unit_code=model.unit_id,
            occurred_on=model.registered_on,
            time=self._clock.now(),
        )
        async with transaction(self._runtime.db) as session:
            await insert_model(session, model)
            await enqueue(
                session,
                event,
                stream=stream_name("registry"),
                subject=payload.subject_for(province.code if province else "VN"),
            )
        self._runtime.wake_relay()
        return model.public()
