"""How a registered model becomes counts, in both views of the 2025 reform."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, date, datetime

import pytest

from danvan.contracts.envelope import RawCloudEvent, make_event
from danvan.contracts.registry import ModelField, ModelRegistered
from danvan.contracts.reporting import Boundaries
from danvan.units import UnitTree, load_units
from services.reporting.projection import increments


@pytest.fixture(scope="module")
def units() -> UnitTree:
    return load_units()


def registered(unit: str, day: date, field: ModelField = ModelField.ECONOMY) -> RawCloudEvent:
    payload = ModelRegistered(
        model_id=uuid.uuid4(),
        name="Ngõ, xóm liên gia tự quản",
        field=field,
        unit_code=unit,
        registered_on=day,
        registered_by="o",
    )
    event = make_event(
        payload,
        subject=str(payload.model_id),
        unit_code=unit,
        occurred_on=day,
        time=datetime(2024, 1, 1, tzinfo=UTC),
    )
    return RawCloudEvent.model_validate_json(event.model_dump_json())


def totals(units: UnitTree, event: RawCloudEvent) -> dict[Boundaries, list[str]]:
    result: dict[Boundaries, list[str]] = {view: [] for view in Boundaries}
    for increment in increments(units, event):
        if increment.dimension == "":
            result[increment.boundaries].append(increment.unit_id)
    return result


def test_a_current_communes_model_counts_at_the_commune_city_and_nation(units: UnitTree) -> None:
    counted = totals(units, registered("00097", date(2026, 3, 2)))
    assert counted[Boundaries.CURRENT] == ["VN", "01", "00097"]
    assert counted[Boundaries.HISTORICAL] == ["VN", "01", "00097"]


def test_a_former_communes_model_counts_in_its_successor_today_and_as_recorded_then(
    units: UnitTree,
) -> None:
    counted = totals(units, registered("old-00001", date(2024, 5, 2)))
    assert counted[Boundaries.CURRENT] == ["VN", "01", "00097"]
    assert counted[Boundaries.HISTORICAL] == ["VN", "old-01", "old-001", "old-00001"]


def test_each_count_is_kept_by_field_too(units: UnitTree) -> None:
    event = registered("00004", date(2026, 1, 5), ModelField.DEFENCE_SECURITY)
    dimensions = Counter(i.dimension for i in increments(units, event))
    assert dimensions == {"": 6, "field=defence_security": 6}
    assert {i.day for i in increments(units, event)} == {date(2026, 1, 5)}


def test_an_event_reporting_does_not_count_adds_nothing(units: UnitTree) -> None:
    event = registered("00004", date(2026, 1, 5)).model_copy(
        update={"type": "vn.danvan.registry.model.renamed.v1"}
    )
    assert increments(units, event) == []
