"""Who may act where: roles and the unit scope, checked by the gateway and again by services."""

from __future__ import annotations

from functools import lru_cache

from danvan.contracts.rpc import (
    ErrorCode,
    ErrorDetail,
    Message,
    Principal,
    Role,
    ServiceError,
)
from danvan.units import Generation, Level, Unit, UnitTree
from danvan.units.model import NATION_ID


def unknown_unit(code: str) -> Message:
    return Message(vi=f"không có đơn vị hành chính {code}", en=f"unknown unit {code}")


def no_unit_with_code(code: str) -> Message:
    return Message(
        vi=f"không có đơn vị hành chính nào mang mã {code}",
        en=f"no administrative unit has the code {code}",
    )


def outside_scope(unit_id: str, principal: Principal) -> Message:
    return Message(
        vi=f"đơn vị {unit_id} nằm ngoài phạm vi của đơn vị {principal.unit}",
        en=f"unit {unit_id} is outside the caller's unit {principal.unit}",
    )


def in_scope(tree: UnitTree, principal: Principal, unit_id: str) -> bool:
    """A principal acts on its (current) unit and everything below it.

    A former unit is in scope when any unit in force it went into is: a commune officer of today's
    Phường Hồng Hà may see what old Phường Tứ Liên recorded.
    """
    if principal.unit not in tree or unit_id not in tree:
        return False
    unit = tree.get(unit_id)
    if not unit.is_legacy:
        return tree.is_within(unit_id, principal.unit)
    if principal.unit == "VN":
        return True
    return any(tree.is_within(unit, principal.unit) for unit in tree.went_into(unit_id))


def require_scope(tree: UnitTree, principal: Principal, unit_id: str) -> None:
    if not in_scope(tree, principal, unit_id):
        raise ServiceError(ErrorCode.FORBIDDEN, outside_scope(unit_id, principal))


def require_nation(principal: Principal) -> None:
    """An operation on every unit at once (rebuilding every figure, the deadline check over
    every petition) is the nation's: a unit's scope stops at its own subtree."""
    if principal.unit != NATION_ID:
        raise ServiceError(
            ErrorCode.FORBIDDEN,
            Message(
                vi=f"thao tác này tác động đến mọi đơn vị: chỉ người dùng cấp trung ương "
                f"({NATION_ID}) được làm, không phải đơn vị {principal.unit}",
                en=f"this acts on every unit: only principals of the nation ({NATION_ID}) may, "
                f"not of unit {principal.unit}",
            ),
        )


def require_role(principal: Principal, *roles: Role) -> None:
    if not principal.has_any(*roles):
        wanted = ", ".join(role.value for role in roles)
        raise ServiceError(
            ErrorCode.FORBIDDEN,
            Message(
                vi=f"thao tác này cần một trong các vai trò: {wanted}",
                en=f"this action needs one of the roles: {wanted}",
            ),
        )


def facts_scope(tree: UnitTree, unit_id: str) -> frozenset[str] | None:
    """The ids of every unit whose facts belong to `unit_id`'s subtree, for a query filter:
    the subtree itself and, for a current unit, the pre-2025 units that went into it (as
    `in_scope` counts them). None for the nation: everything, no filter needed."""
    if unit_id == NATION_ID:
        return None
    return _facts_scope(tree, unit_id)


@lru_cache(maxsize=256)
def _facts_scope(tree: UnitTree, unit_id: str) -> frozenset[str]:
    subtree = tree.subtree_ids(unit_id)
    if tree.get(unit_id).is_legacy:
        return subtree
    legacy = {
        unit.id
        for level in (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE)
        for unit in tree.units(level, Generation.LEGACY)
        if not tree.went_into(unit.id).isdisjoint(subtree)
    }
    return subtree | legacy


def unit_in_scope(tree: UnitTree, principal: Principal, code: str) -> Unit:
    """The unit with that code: a 404 when there is none, a 403 when it lies outside the
    caller's scope."""
    unit = tree.find(code)
    if unit is None:
        raise ServiceError(ErrorCode.NOT_FOUND, unknown_unit(code))
    require_scope(tree, principal, unit.id)
    return unit


def listing_unit(tree: UnitTree, principal: Principal, unit_code: str | None) -> str:
    """The unit whose subtree a list shows: the one asked for, or the caller's own; a 422
    when no unit has that code, a 403 when it lies outside the caller's scope."""
    unit_id = unit_code or principal.unit
    if unit_id not in tree:
        raise ServiceError(
            ErrorCode.VALIDATION,
            unknown_unit(unit_id),
            [ErrorDetail(field="unit_code", reason=no_unit_with_code(unit_id))],
        )
    require_scope(tree, principal, unit_id)
    return unit_id
