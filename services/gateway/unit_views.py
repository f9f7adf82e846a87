"""What the unit directory answers: units with their place in the tree, and one unit's card.

The examples are real answers (a test asks the gateway for them), so a portal builder can
trust them as written.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta

from pydantic import BaseModel, Field

from danvan.units import Level, Succession, Unit, UnitTree
from services.gateway.views import UnitRef


class UnitSummary(UnitRef):
    """A unit as a list shows it: names repeat ("Xã Ba Vì" is in two provinces), so with
    its parents too."""

    short_name: str = Field(description="the name without its kind", examples=["Hồng Hà"])
    display_name: str = Field(
        description="the name with its parents up to the province",
        examples=["Phường Hồng Hà, Thành phố Hà Nội"],
    )

    @classmethod
    def in_tree(cls, tree: UnitTree, unit: Unit) -> UnitSummary:
        return cls(
            **UnitRef.of(unit).model_dump(),
            short_name=unit.short_name,
            display_name=tree.display_name(unit.id),
        )


class UnitSuccession(BaseModel):
    """One edge of the 2025 reform (or of a later reorganisation): a unit that ceased, and a
    unit that took over (part of) its territory."""

    unit: UnitRef
    is_default: bool = Field(
        description="the unit that ceased counts its facts for the unit that took over, in "
        "today's boundaries (where a unit was split, exactly one successor is the default)"
    )


class UnitDetail(UnitSummary):
    """A unit's card: where it sits, what lies below it, and where it came from or went."""

    parents: list[UnitRef] = Field(description="from the nation down to the unit's parent")
    units_below: dict[Level, int] = Field(
        description="the units below it (its whole subtree, not only its children) in force "
        "alongside it, by level: today for a unit in force, on its last day for one that "
        "ceased; only those in the caller's scope"
    )
    children: list[UnitRef] = Field(
        description="its direct children in force alongside it, by name in Vietnamese order, "
        "all of them (at most a few hundred); `GET /api/v1/units?parent=CODE` pages, "
        "filters and sorts them"
    )
    successors: list[UnitSuccession] = Field(
        description="for a unit that ceased: the units it went into, the default first, then "
        "by name (also those outside the caller's scope: they are the unit's history)"
    )
    predecessors: list[UnitSuccession] = Field(
        description="for a unit created by a reform: the units that ceased and went (wholly "
        "or partly) into it, by level, then by name"
    )

    @classmethod
    def card(cls, tree: UnitTree, unit: Unit, visible: frozenset[str] | None) -> UnitDetail:
        """The card of `unit`, showing below it only the units in `visible` (None: all)."""
        alongside = _alongside(unit)

        def shown(other: Unit) -> bool:
            return alongside(other) and (visible is None or other.id in visible)

        below = Counter(
            tree.get(unit_id).level
            for unit_id in tree.subtree_ids(unit.id)
            if unit_id != unit.id and shown(tree.get(unit_id))
        )
        # In name order: only under VN does the tree put one generation before the other,
        # and only one generation is in force alongside VN.
        children = [child for child in tree.children(unit.id) if shown(child)]
        return cls(
            **UnitSummary.in_tree(tree, unit).model_dump(),
            parents=[UnitRef.of(parent) for parent in reversed(tree.ancestors(unit.id))],
            units_below={level: below[level] for level in Level if below[level]},
            children=[UnitRef.of(child) for child in children],
            successors=[
                _succession(tree, edge.successor_id, edge) for edge in tree.successors(unit.id)
            ],
            predecessors=[
                _succession(tree, edge.predecessor_id, edge) for edge in tree.predecessors(unit.id)
            ],
        )


def _alongside(unit: Unit) -> Callable[[Unit], bool]:
    """Whether another unit is in force alongside `unit`: today, or on its last day."""
    if unit.valid_to is None:
        return lambda other: not other.is_legacy
    last_day = unit.valid_to - timedelta(days=1)
    return lambda other: other.in_force_on(last_day)


def _succession(tree: UnitTree, unit_id: str, edge: Succession) -> UnitSuccession:
    return UnitSuccession(unit=UnitRef.of(tree.get(unit_id)), is_default=edge.is_default)
