"""The head's reception days the law requires, per unit, rolled up like the counts: a unit's
requirement is its own plus every unit's below it, each for the part of the period it was in
force. Worked out from the tree, not from events, and kept for the periods asked for."""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from datetime import date, timedelta

from danvan.contracts.reporting import Boundaries
from danvan.schedule import required_days, schedule_rule
from danvan.units import Level, UnitTree
from services.reporting.rollup import Placer, views_read

_KEPT = 64
_LEVELS = (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE)


class Requirements:
    def __init__(self, units: UnitTree, placer: Placer) -> None:
        self._units = units
        self._placer = placer
        self._cache: OrderedDict[tuple[str, date, date, date], dict[str, int]] = OrderedDict()

    def rolled(self, boundaries: Boundaries, start: date, end: date, today: date) -> dict[str, int]:
        key = (boundaries.value, start, end, today)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._compute(boundaries, start, end, today)
            if len(self._cache) > _KEPT:
                self._cache.popitem(last=False)
        return found

    def _compute(
        self, boundaries: Boundaries, start: date, end: date, today: date
    ) -> dict[str, int]:
        views = views_read(boundaries)
        totals: dict[str, int] = defaultdict(int)
        for level in _LEVELS:
            rule = schedule_rule(level)
            assert rule is not None
            for unit in self._units.units(level):
                first = max(start, unit.valid_from) if unit.valid_from else start
                last = min(end, unit.valid_to - timedelta(days=1)) if unit.valid_to else end
                if last < first:
                    continue
                days = required_days(rule, first, last, today)
                if not days:
                    continue
                for place in self._placer.placements(unit.id):
                    if place.counts and place.view in views:
                        totals[place.unit_id] += days
        return dict(totals)
