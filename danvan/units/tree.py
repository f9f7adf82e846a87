"""The in-memory tree of administrative units of both generations, joined by successions.

Every look-up a roll-up calls in a loop (``get``, ``children``, ``parent``, ``ancestors``,
``is_within``, ``subtree_ids``) is a dict look-up or a walk up at most three parents.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from danvan.text import SortKey, sort_key
from danvan.units.directory import UnitDirectory
from danvan.units.model import (
    BASE_KEY,
    LEVEL_RANK,
    NATION_ID,
    Generation,
    Level,
    LoadReport,
    Succession,
    Unit,
    UnknownUnit,
)


def _unit_order(unit: Unit) -> tuple[SortKey, str, int, str]:
    # Vietnamese order of the short name, then the full name; current before legacy.
    return (
        sort_key(unit.short_name),
        unit.name,
        0 if unit.generation is Generation.CURRENT else 1,
        unit.id,
    )


class UnitTree:
    """Administrative units of both generations under the root ``VN``, with successions."""

    __slots__ = (
        "_by_level",
        "_children",
        "_children_by_generation",
        "_default_successor",
        "_directory",
        "_order",
        "_ordered",
        "_parent",
        "_predecessors",
        "_subtree_cache",
        "_successors",
        "_units",
        "_went_into",
        "key",
        "report",
    )

    def __init__(
        self,
        units: Iterable[Unit],
        successions: Iterable[Succession],
        report: LoadReport | None = None,
        *,
        key: str = BASE_KEY,
    ) -> None:
        self.report = report if report is not None else LoadReport()
        #: Names the data the tree was built from: the package's units plus the
        #: reorganisations in effect. Whatever was derived from the tree changes with it.
        self.key = key
        self._units: dict[str, Unit] = {}
        for unit in units:
            if unit.id in self._units:
                raise ValueError(f"duplicate unit id {unit.id!r}")
            self._units[unit.id] = unit
        if NATION_ID not in self._units:
            raise ValueError(f"the tree needs the national root {NATION_ID!r}")
        self._parent: dict[str, str | None] = {}
        for unit in self._units.values():
            if (unit.parent_id is None) != (unit.id == NATION_ID):
                raise ValueError(f"only {NATION_ID!r} may lack a parent (unit {unit.id!r})")
            if unit.parent_id is not None:
                parent = self._units.get(unit.parent_id)
                if parent is None:
                    raise ValueError(f"unit {unit.id!r} has unknown parent {unit.parent_id!r}")
                # A parent sits at a higher level (so there is no cycle); a unit in force
                # sits under one in force. A former unit may sit under one that is not
                # (a commune merged in a later reorganisation, under its lasting province).
                if LEVEL_RANK[parent.level] >= LEVEL_RANK[unit.level] or (
                    parent.is_legacy and not unit.is_legacy
                ):
                    raise ValueError(f"unit {unit.id!r} cannot sit under {parent.id!r}")
            self._parent[unit.id] = unit.parent_id

        ordered = sorted(self._units.values(), key=_unit_order)
        self._ordered: tuple[Unit, ...] = tuple(ordered)
        self._order: dict[str, int] = {unit.id: index for index, unit in enumerate(ordered)}

        children: dict[str, list[Unit]] = defaultdict(list)
        for unit in ordered:  # children come out sorted, current before legacy under VN
            if unit.parent_id is not None:
                children[unit.parent_id].append(unit)
        root_kids = children[NATION_ID]
        root_kids.sort(key=lambda u: (u.generation is not Generation.CURRENT, self._order[u.id]))
        self._children: dict[str, tuple[Unit, ...]] = {k: tuple(v) for k, v in children.items()}
        self._children_by_generation: dict[Generation, dict[str, tuple[Unit, ...]]] = {
            generation: {
                parent: tuple(u for u in kids if u.generation is generation)
                for parent, kids in self._children.items()
            }
            for generation in Generation
        }

        by_level: dict[Level, list[Unit]] = defaultdict(list)
        for unit in ordered:
            by_level[unit.level].append(unit)
        self._by_level: dict[Level, tuple[Unit, ...]] = {
            level: tuple(by_level[level]) for level in Level
        }

        successors: dict[str, list[Succession]] = defaultdict(list)
        predecessors: dict[str, list[Succession]] = defaultdict(list)
        for edge in successions:
            for end in (edge.predecessor_id, edge.successor_id):
                if end not in self._units:
                    raise ValueError(f"succession names unknown unit {end!r}: {edge}")
            predecessor = self._units[edge.predecessor_id]
            successor = self._units[edge.successor_id]
            if not predecessor.is_legacy:
                raise ValueError(f"succession from a current unit: {edge}")
            # Forward in time, so following successors always ends at a unit in force.
            if predecessor.valid_to != edge.effective_on or not successor.in_force_on(
                edge.effective_on
            ):
                raise ValueError(f"succession out of its units' dates: {edge}")
            successors[edge.predecessor_id].append(edge)
            predecessors[edge.successor_id].append(edge)
        order = self._order
        units_by_id = self._units

        def successor_order(edge: Succession) -> tuple[bool, int]:
            return not edge.is_default, order[edge.successor_id]

        def predecessor_order(edge: Succession) -> tuple[int, int]:
            return LEVEL_RANK[units_by_id[edge.predecessor_id].level], order[edge.predecessor_id]

        # Default first, then name order; predecessors by level, then name order.
        self._successors: dict[str, tuple[Succession, ...]] = {
            k: tuple(v) if len(v) == 1 else tuple(sorted(v, key=successor_order))
            for k, v in successors.items()
        }
        self._predecessors: dict[str, tuple[Succession, ...]] = {
            k: tuple(v) if len(v) == 1 else tuple(sorted(v, key=predecessor_order))
            for k, v in predecessors.items()
        }
        self._default_successor: dict[str, str] = {}
        for unit in self._units.values():
            if not unit.is_legacy:
                continue
            edges = self._successors.get(unit.id, ())
            defaults = [e.successor_id for e in edges if e.is_default]
            if len(defaults) != 1:
                raise ValueError(
                    f"legacy unit {unit.id!r} has {len(defaults)} default successors, not 1"
                )
            self._default_successor[unit.id] = defaults[0]

        self._went_into: dict[str, frozenset[str]] = {}
        self._directory: UnitDirectory | None = None  # on demand
        self._subtree_cache: dict[str, frozenset[str]] = {}

    # -- look-ups ---------------------------------------------------------------------------

    def get(self, unit_id: str) -> Unit:
        """The unit with id ``unit_id``; raises :class:`UnknownUnit` if there is none."""
        try:
            return self._units[unit_id]
        except KeyError:
            raise UnknownUnit(unit_id) from None

    def find(self, unit_id: str) -> Unit | None:
        return self._units.get(unit_id)

    def __contains__(self, unit_id: object) -> bool:
        return unit_id in self._units

    def __len__(self) -> int:
        return len(self._units)

    def _check(self, unit_id: str) -> None:
        if unit_id not in self._units:
            raise UnknownUnit(unit_id)

    def children(self, unit_id: str, generation: Generation | None = None) -> tuple[Unit, ...]:
        """Direct children in Vietnamese name order (under ``VN``: current provinces first)."""
        self._check(unit_id)
        if generation is None:
            return self._children.get(unit_id, ())
        return self._children_by_generation[generation].get(unit_id, ())

    def parent(self, unit_id: str) -> Unit | None:
        parent_id = self.get(unit_id).parent_id
        return None if parent_id is None else self._units[parent_id]

    def ancestors(self, unit_id: str) -> tuple[Unit, ...]:
        """Parent first, ending with ``VN``; empty for ``VN``."""
        self._check(unit_id)
        found: list[Unit] = []
        current = self._parent[unit_id]
        while current is not None:
            found.append(self._units[current])
            current = self._parent[current]
        return tuple(found)

    def chain(self, unit_id: str) -> tuple[Unit, ...]:
        """``VN`` first, down to the unit itself."""
        return (*reversed(self.ancestors(unit_id)), self._units[unit_id])

    def subtree_ids(self, unit_id: str) -> frozenset[str]:
        """The unit and every unit below it (cached)."""
        cached = self._subtree_cache.get(unit_id)
        if cached is not None:
            return cached
        self._check(unit_id)
        found = [unit_id]
        stack = [unit_id]
        while stack:
            for child in self._children.get(stack.pop(), ()):
                found.append(child.id)
                stack.append(child.id)
        result = frozenset(found)
        self._subtree_cache[unit_id] = result
        return result

    def is_within(self, unit_id: str, ancestor_id: str) -> bool:
        """True if ``unit_id`` is ``ancestor_id`` or lies below it (walks up, O(depth))."""
        parents = self._parent
        if unit_id not in parents:
            raise UnknownUnit(unit_id)
        if ancestor_id not in parents:
            raise UnknownUnit(ancestor_id)
        current: str | None = unit_id
        while current is not None:
            if current == ancestor_id:
                return True
            current = parents[current]
        return False

    # -- successions ------------------------------------------------------------------------

    def successors(self, unit_id: str) -> tuple[Succession, ...]:
        """Direct succession edges from a legacy unit to current units, the default first."""
        self._check(unit_id)
        return self._successors.get(unit_id, ())

    def predecessors(self, unit_id: str) -> tuple[Succession, ...]:
        """Edges into a current unit from the legacy units it took territory from."""
        self._check(unit_id)
        return self._predecessors.get(unit_id, ())

    def default_successor(self, unit_id: str) -> Unit:
        """A current unit itself; for a former unit, the current unit its facts go to: the
        default successor's, through every later reorganisation."""
        return self._units[self.default_path(unit_id)[-1]]

    def default_path(self, unit_id: str) -> tuple[str, ...]:
        """The unit, its default successor, that one's, … ending at a unit in force."""
        self._check(unit_id)
        path = [unit_id]
        while self._units[path[-1]].is_legacy:
            path.append(self._default_successor[path[-1]])
        return tuple(path)

    def is_split(self, unit_id: str) -> bool:
        """True when the unit's facts reach today's boundaries by a default choice: it, or a
        unit on its default path, was split among several successors."""
        return any(len(self._successors.get(u, ())) > 1 for u in self.default_path(unit_id))

    def went_into(self, unit_id: str) -> frozenset[str]:
        """The units in force that took over any of the unit's territory, through every
        reorganisation; the unit itself when it is in force."""
        found = self._went_into.get(unit_id)
        if found is not None:
            return found
        unit = self.get(unit_id)
        if not unit.is_legacy:
            found = frozenset((unit_id,))
        else:
            found = frozenset().union(
                *(self.went_into(edge.successor_id) for edge in self._successors[unit_id])
            )
        self._went_into[unit_id] = found
        return found

    def all_units(self) -> tuple[Unit, ...]:
        """Every unit of every generation, in Vietnamese name order."""
        return self._ordered

    def all_successions(self) -> tuple[Succession, ...]:
        return tuple(edge for edges in self._successors.values() for edge in edges)

    def current_province_of(self, unit_id: str) -> Unit | None:
        """The current province holding the unit (or its default successor); None for VN."""
        unit = self.default_successor(unit_id)
        while unit.level is not Level.PROVINCE:
            if unit.parent_id is None:
                return None
            unit = self._units[unit.parent_id]
        return unit

    # -- effective dates --------------------------------------------------------------------

    def in_force(self, unit_id: str, on: date) -> bool:
        return self.get(unit_id).in_force_on(on)

    def units_in_force(self, level: Level, on: date) -> list[Unit]:
        """Units of ``level`` in force on ``on``, in Vietnamese name order."""
        return [unit for unit in self._by_level[level] if unit.in_force_on(on)]

    def units(self, level: Level, generation: Generation | None = None) -> tuple[Unit, ...]:
        """All units of ``level`` (of one generation if given), in Vietnamese name order."""
        found = self._by_level[level]
        if generation is None or level is Level.NATION:
            return found
        return tuple(unit for unit in found if unit.generation is generation)

    # -- search and display -----------------------------------------------------------------

    def directory(self) -> UnitDirectory:
        """The index that searches and lists this tree's units, built on first use."""
        if self._directory is None:
            self._directory = UnitDirectory(self)
        return self._directory

    def search(
        self, query: str, limit: int = 20, generation: Generation | None = None
    ) -> list[Unit]:
        """The best matches of a diacritic-insensitive search on names and codes: the name or
        code itself first, then names that begin with the query, then the other matches;
        by level (province first), then in name order, within each (see
        :mod:`danvan.units.directory`). ``VN`` is found in either generation."""
        return self.directory().search(query, limit, generation)

    def display_name(self, unit_id: str) -> str:
        """Name with its parents up to the province: "Xã Ba Vì, Thành phố Hà Nội",
        "Phường Tứ Liên, Quận Tây Hồ, Thành phố Hà Nội"."""
        unit = self.get(unit_id)
        parts = [unit.name]
        current = unit.parent_id
        while current is not None and current != NATION_ID:
            parts.append(self._units[current].name)
            current = self._parent[current]
        return ", ".join(parts)
