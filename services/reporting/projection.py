"""How events become counts: pure rules, no I/O.

Every fact is counted at the unit it was recorded against and at each of its ancestors, in
both views: as recorded ("historical") and in today's boundaries ("current"), where a
pre-2025 unit's fact counts in its default successor. A unit's figure is then one row read,
and it equals the sum of its children's plus what was recorded at its own level.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from danvan.contracts.envelope import RawCloudEvent
from danvan.contracts.registry import ModelRegistered
from danvan.contracts.reporting import TOTAL, Boundaries, Indicator, dimension_key
from danvan.units import UnitTree


@dataclass(frozen=True, slots=True)
class Increment:
    boundaries: Boundaries
    unit_id: str
    day: date
    indicator: str
    dimension: str
    delta: int


def increments(units: UnitTree, event: RawCloudEvent) -> list[Increment]:
    """What one event adds; an event type reporting does not count adds nothing."""
    if event.type != ModelRegistered.event_type():
        return []
    payload = ModelRegistered.model_validate(event.data)
    dimensions = (TOTAL, dimension_key("field", payload.field.value))
    return _counted_everywhere(
        units,
        payload.unit_code,
        event.occurredon,
        Indicator.MODELS_REGISTERED.value,
        dimensions,
    )


def _counted_everywhere(
    units: UnitTree, unit_id: str, day: date, indicator: str, dimensions: tuple[str, ...]
) -> list[Increment]:
    chains = {
        Boundaries.HISTORICAL: units.chain(unit_id),
        Boundaries.CURRENT: units.chain(units.default_successor(unit_id).id),
    }
    return [
        Increment(view, unit.id, day, indicator, dimension, 1)
        for view, chain in chains.items()
        for unit in chain
        for dimension in dimensions
    ]
