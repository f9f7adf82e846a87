"""A fact must name a unit in force on the fact's date; otherwise say which unit to use."""

from __future__ import annotations

from datetime import date

from danvan.access import no_unit_with_code, unknown_unit
from danvan.contracts.rpc import ErrorCode, ErrorDetail, Message, ServiceError
from danvan.units import UnitTree
from danvan.units.model import REFORM_DATE

_MAX_SUGGESTIONS = 8

#: Why nothing is filed at district level from 2025-07-01 on.
DISTRICTS_CEASED = Message(
    vi=f"cấp huyện đã không còn từ ngày {REFORM_DATE}", en=f"districts ceased on {REFORM_DATE}"
)


def unit_for_fact(tree: UnitTree, unit_id: str, day: date, *, field: str) -> str:
    """The unit's id when it was in force on `day`; a 422 naming the unit(s) to use if not."""
    unit = tree.find(unit_id)
    if unit is None:
        raise ServiceError(
            ErrorCode.VALIDATION,
            unknown_unit(unit_id),
            [ErrorDetail(field=field, reason=no_unit_with_code(unit_id))],
        )
    if unit.in_force_on(day):
        return unit.id
    name = tree.display_name(unit.id)
    if unit.is_legacy:
        successor = tree.default_successor(unit.id)
        use = f"{successor.id} ({tree.display_name(successor.id)})"
        hint = Message(vi=f"hãy dùng {use}", en=f"use {use}")
        reason = Message(
            vi=f"{name} đã chấm dứt hoạt động từ ngày {unit.valid_to}; ngày {day} là sau đó",
            en=f"{name} ceased on {unit.valid_to}; {day} is after that",
        )
    else:
        candidates = [edge.predecessor_id for edge in tree.predecessors(unit.id)]
        names = ", ".join(f"{c} ({tree.display_name(c)})" for c in candidates[:_MAX_SUGGESTIONS])
        more = len(candidates) - _MAX_SUGGESTIONS
        hint = Message(
            vi=f"hãy dùng một trong các đơn vị {names}"
            + (f" và {more} đơn vị khác" if more > 0 else ""),
            en=f"use one of {names}" + (f" and {more} more" if more > 0 else ""),
        )
        reason = Message(
            vi=f"{name} bắt đầu có hiệu lực từ ngày {unit.valid_from}; ngày {day} là trước đó",
            en=f"{name} came into force on {unit.valid_from}; {day} is before that",
        )
    raise ServiceError(
        ErrorCode.VALIDATION,
        Message(
            vi=f"đơn vị {unit_id} không có hiệu lực vào ngày {day}: {hint.vi}",
            en=f"unit {unit_id} was not in force on {day}: {hint.en}",
        ),
        [ErrorDetail(field=field, reason=reason, hint=hint)],
    )
