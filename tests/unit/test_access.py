"""Who may act where: a principal sees and acts on its unit and the units below it."""

from __future__ import annotations

import pytest

from danvan.access import in_scope, require_nation, require_role, require_scope
from danvan.contracts.rpc import ErrorCode, Principal, Role, ServiceError
from danvan.units import UnitTree, load_units


@pytest.fixture(scope="module")
def units() -> UnitTree:
    return load_units()


def principal(unit: str, *roles: Role) -> Principal:
    return Principal(sub="p", unit=unit, roles=roles or (Role.VIEWER,))


def test_a_city_officer_acts_on_the_city_and_its_communes(units: UnitTree) -> None:
    assert in_scope(units, principal("01"), "01")
    assert in_scope(units, principal("01"), "00097")
    assert not in_scope(units, principal("01"), "79")
    assert not in_scope(units, principal("01"), "VN")


def test_a_commune_officer_sees_neither_its_parent_nor_its_siblings(units: UnitTree) -> None:
    assert in_scope(units, principal("00097"), "00097")
    assert not in_scope(units, principal("00097"), "01")
    assert not in_scope(units, principal("00097"), "00004")


def test_a_former_commune_is_in_scope_of_the_units_it_went_into(units: UnitTree) -> None:
    # Phường Tứ Liên (old-00097) was split between Hồng Hà (00097) and Tây Hồ (00103).
    assert in_scope(units, principal("00097"), "old-00097")
    assert in_scope(units, principal("00103"), "old-00097")
    assert not in_scope(units, principal("00004"), "old-00097")
    assert in_scope(units, principal("01"), "old-003")
    assert not in_scope(units, principal("79"), "old-003")


def test_the_nation_sees_both_generations(units: UnitTree) -> None:
    assert in_scope(units, principal("VN"), "old-30")
    assert in_scope(units, principal("VN"), "31")


def test_an_unknown_unit_is_never_in_scope(units: UnitTree) -> None:
    assert not in_scope(units, principal("VN"), "nowhere")
    assert not in_scope(units, principal("nowhere"), "01")


def test_refusals_are_forbidden_errors(units: UnitTree) -> None:
    with pytest.raises(ServiceError) as scope:
        require_scope(units, principal("79"), "00097")
    assert scope.value.code is ErrorCode.FORBIDDEN
    with pytest.raises(ServiceError) as role:
        require_role(principal("01", Role.VIEWER), Role.OFFICER, Role.LEADER)
    assert role.value.code is ErrorCode.FORBIDDEN
    assert "officer" in role.value.message.en
    require_role(principal("01", Role.LEADER), Role.OFFICER, Role.LEADER)


def test_what_acts_on_every_unit_is_for_the_nations_principals_only() -> None:
    require_nation(principal("VN", Role.ADMIN))
    for unit in ("01", "00097"):
        with pytest.raises(ServiceError) as refused:
            require_nation(principal(unit, Role.ADMIN))
        assert refused.value.code is ErrorCode.FORBIDDEN
        assert unit in refused.value.message.en
