"""A fact must name a unit in force on the fact's date; otherwise say which unit to use."""

from __future__ import annotations

from datetime import date

from danvan.contracts.rpc import ErrorCode, ErrorDetail, ServiceError
from danvan.units import UnitTree

_MAX_SUGGESTIONS = 8


def unit_for_fact(tree: UnitTree, unit_id: str, day: date, *, field: str) -> str:
    """The unit's id when it was in force on `day`; a 422 naming the unit(s) to use if not."""
    unit = tree.find(unit_id)
    if unit is None:
        raise ServiceError(
            ErrorCode.VALIDATION,
            f"unknown unit {unit_id}",
            [ErrorDetail(field=field, reason=f"no administrative unit has the code {unit_id}")],
        )
    if unit.in_force_on(day):
        return unit.id
    if unit.is_legacy:
        successor = tree.default_successor(unit.id)
        hint = f"use {successor.id} ({tree.display_name(successor.id)})"
        reason = f"{tree.display_name(unit.id)} ceased on {unit.valid_to}; {day} is after that"
    else:
        candidates = [edge.predecessor_id for edge in tree.predecessors(unit.id)]
        names = [f"{c} ({tree.display_name(c)})" for c in candidates[:_MAX_SUGGESTIONS]]
        more = len(candidates) - len(names)
        hint = "use one of " + ", ".join(names) + (f" and {more} more" if more > 0 else "")
        reason = (
            f"{tree.display_name(unit.id)} came into force on {unit.valid_from}; "
            f"{day} is before that"
        )
    raise ServiceError(
        ErrorCode.VALIDATION,
        f"unit {unit_id} was not in force on {day}: {hint}",
        [ErrorDetail(field=field, reason=reason, hint=hint)],
    )
