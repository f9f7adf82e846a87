"""A fact must name a unit in force on its date, or be told which unit to use."""

from __future__ import annotations

from datetime import date

import pytest

from danvan.contracts.rpc import ErrorCode, ServiceError
from danvan.fact_units import unit_for_fact
from danvan.units import UnitTree, load_units


@pytest.fixture(scope="module")
def units() -> UnitTree:
    return load_units()


def refusal(units: UnitTree, unit_id: str, day: date) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        unit_for_fact(units, unit_id, day, field="unit_code")
    assert caught.value.code is ErrorCode.VALIDATION
    assert caught.value.details[0].field == "unit_code"
    return caught.value


def test_a_unit_in_force_on_the_date_is_accepted(units: UnitTree) -> None:
    assert unit_for_fact(units, "00097", date(2025, 7, 1), field="u") == "00097"
    assert unit_for_fact(units, "old-00097", date(2025, 6, 30), field="u") == "old-00097"


def test_a_current_commune_before_the_reform_names_its_predecessors(units: UnitTree) -> None:
    error = refusal(units, "00097", date(2025, 6, 30))
    assert "old-00001" in (error.details[0].hint.en if error.details[0].hint else "")
    assert "2025-07-01" in error.details[0].reason.en


def test_a_former_commune_after_the_reform_names_its_default_successor(units: UnitTree) -> None:
    error = refusal(units, "old-00097", date(2025, 7, 1))
    assert error.details[0].hint is not None
    assert error.details[0].hint.en.startswith("use 00097 (Phường Hồng Hà")


def test_a_former_province_after_the_reform_names_the_new_province(units: UnitTree) -> None:
    error = refusal(units, "old-30", date(2026, 1, 1))
    assert (error.details[0].hint.en if error.details[0].hint else "").startswith("use 31 ")


def test_an_unknown_code_is_refused(units: UnitTree) -> None:
    error = refusal(units, "99999", date(2026, 1, 1))
    assert "99999" in error.message.en
