"""Who may act where: roles and the unit scope, checked by the gateway and again by services."""

from __future__ import annotations

from danvan.contracts.rpc import ErrorCode, Principal, Role, ServiceError
from danvan.units import UnitTree

WRITERS = (Role.OFFICER, Role.LEADER, Role.ADMIN)
DECIDERS = (Role.LEADER, Role.ADMIN)


def in_scope(tree: UnitTree, principal: Principal, unit_id: str) -> bool:
    """A principal acts on its (current) unit and everything below it.

    A pre-2025 unit is in scope when any unit it went into is: a commune officer of today's
    Phường Hồng Hà may see what old Phường Tứ Liên recorded.
    """
    if principal.unit not in tree or unit_id not in tree:
        return False
    unit = tree.get(unit_id)
    if not unit.is_legacy:
        return tree.is_within(unit_id, principal.unit)
    if principal.unit == "VN":
        return True
    return any(
        tree.is_within(edge.successor_id, principal.unit) for edge in tree.successors(unit_id)
    )


def require_scope(tree: UnitTree, principal: Principal, unit_id: str) -> None:
    if not in_scope(tree, principal, unit_id):
        raise ServiceError(
            ErrorCode.FORBIDDEN,
            f"unit {unit_id} is outside the caller's unit {principal.unit}",
        )


def require_role(principal: Principal, *roles: Role) -> None:
    if not principal.has_any(*roles):
        wanted = ", ".join(role.value for role in roles)
        raise ServiceError(ErrorCode.FORBIDDEN, f"this action needs one of the roles: {wanted}")
