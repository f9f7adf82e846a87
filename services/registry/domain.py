"""Registry rules: what registering a "Dân vận khéo" model means. No I/O here."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from danvan.access import WRITERS, require_role, require_scope
from danvan.contracts.registry import ModelCreate, ModelField, ModelPublic, ModelRegistered
from danvan.contracts.rpc import Principal
from danvan.fact_units import unit_for_fact
from danvan.text import fold
from danvan.units import UnitTree


class ModelStatus(StrEnum):
    REGISTERED = "registered"


@dataclass(frozen=True, slots=True)
class Model:
    id: uuid.UUID
    name: str
    field: ModelField
    unit_id: str
    registered_on: date
    status: ModelStatus
    created_by: str

    @property
    def name_folded(self) -> str:
        return fold(self.name)

    def public(self) -> ModelPublic:
        return ModelPublic(
            id=self.id,
            name=self.name,
            field=self.field,
            unit_code=self.unit_id,
            registered_on=self.registered_on,
            status=self.status.value,
        )


def register_model(
    command: ModelCreate, principal: Principal, units: UnitTree, today: date
) -> tuple[Model, ModelRegistered]:
    """A new model and the fact that it was registered; raises ServiceError when refused."""
    require_role(principal, *WRITERS)
    registered_on = command.registered_on or today
    unit_id = unit_for_fact(units, command.unit_code, registered_on, field="unit_code")
    require_scope(units, principal, unit_id)
    model = Model(
        id=uuid.uuid4(),
        name=command.name,
        field=command.field,
        unit_id=unit_id,
        registered_on=registered_on,
        status=ModelStatus.REGISTERED,
        created_by=principal.sub,
    )
    event = ModelRegistered(
        model_id=model.id,
        name=model.name,
        field=model.field,
        unit_code=unit_id,
        registered_on=registered_on,
        registered_by=principal.sub,
    )
    return model, event
