"""Registering a "Dân vận khéo" model: the rules, without servers."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from danvan.contracts.registry import ModelCreate, ModelField
from danvan.contracts.rpc import ErrorCode, Principal, Role, ServiceError
from danvan.units import UnitTree, load_units
from services.registry.domain import ModelStatus, register_model

TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def units() -> UnitTree:
    return load_units()


def officer(unit: str = "01", role: Role = Role.OFFICER) -> Principal:
    return Principal(sub="officer-1", unit=unit, roles=(role,))


def command(**overrides: object) -> ModelCreate:
    fields: dict[str, object] = {
        "name": "Vận động Nhân dân xóa điểm tập kết rác",
        "field": "culture_society",
        "unit_code": "00097",
    }
    fields.update(overrides)
    return ModelCreate.model_validate(fields)


def test_a_model_without_a_date_counts_from_today(units: UnitTree) -> None:
    model, event = register_model(command(), officer(), units, TODAY)
    assert model.registered_on == TODAY
    assert model.status is ModelStatus.REGISTERED
    assert event.registered_on == TODAY
    assert event.unit_code == "00097"
    assert event.registered_by == "officer-1"


def test_the_name_is_kept_with_its_diacritics_and_folded_for_search(units: UnitTree) -> None:
    model, _ = register_model(command(name="  Dân   vận khéo "), officer(), units, TODAY)
    assert model.name == "Dân vận khéo"
    assert model.name_folded == "dan van kheo"


def test_a_viewer_may_not_register(units: UnitTree) -> None:
    with pytest.raises(ServiceError) as caught:
        register_model(command(), officer(role=Role.VIEWER), units, TODAY)
    assert caught.value.code is ErrorCode.FORBIDDEN


def test_a_province_may_not_register_in_another_province(units: UnitTree) -> None:
    with pytest.raises(ServiceError) as caught:
        register_model(command(), officer("79"), units, TODAY)
    assert caught.value.code is ErrorCode.FORBIDDEN


def test_a_date_before_the_units_existence_is_refused_with_the_unit_to_use(
    units: UnitTree,
) -> None:
    with pytest.raises(ServiceError) as caught:
        register_model(command(registered_on=date(2024, 1, 1)), officer(), units, TODAY)
    assert caught.value.code is ErrorCode.VALIDATION
    assert caught.value.details[0].field == "unit_code"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 301}, "name"),
        ({"field": "agriculture"}, "field"),
        ({"registered_on": "2026-02-30"}, "registered_on"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_bad_input_names_the_field(overrides: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        command(**overrides)
    assert {str(error["loc"][0]) for error in caught.value.errors()} == {field}


def test_the_four_fields_are_the_movements_main_fields() -> None:
    assert {f.value for f in ModelField} == {
        "economy",
        "culture_society",
        "defence_security",
        "political_system",
    }
