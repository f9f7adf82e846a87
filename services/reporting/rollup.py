"""Where a count is kept: at its unit and every ancestor, in each boundaries view. Pure.

In historical boundaries a fact counts along the chain of the unit it was recorded against; in
current boundaries along the chain of that unit's default successor (itself for a unit in
force today). A unit on both chains (the nation; every unit of a fact recorded since the
reform) gets one row marked "both". A fact of a former unit that was split among several
successors is also counted under the ATTRIBUTED dimension on its current chain, so a view can
say how much of a figure rests on the conversion data's default.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from danvan.contracts.reporting import ATTRIBUTED, Boundaries, FigureSource
from danvan.periods import CUTOFF_DAY
from danvan.units import UnitTree
from services.reporting.counting import Count, PeriodAmount
from services.reporting.store import VIEW_BOTH

DayKey = tuple[str, str, str, str, date]  # view, unit, indicator, dimension, half-month
YearKey = tuple[str, str, str, str, int]  # view, unit, indicator, dimension, year
PeriodKey = tuple[str, str, str, str, str, str]  # view, unit, indicator, dimension, period, source


@dataclass(frozen=True, slots=True)
class Placement:
    view: str
    unit_id: str
    counts: bool  # the fact's own rows go here
    attributed: bool  # an ATTRIBUTED row goes here: a split former unit's fact, current view


def views_read(boundaries: Boundaries) -> tuple[str, str]:
    """The row views a query in `boundaries` sums."""
    return boundaries.value, VIEW_BOTH


class Placer:
    """Placements per recorded unit, worked out once per unit."""

    def __init__(self, units: UnitTree) -> None:
        self._units = units
        self._cache: dict[str, tuple[Placement, ...]] = {}

    def place_every_unit(self) -> None:
        """Work out every unit's placements now, before the process freezes its heap. Worked
        out as events came, they were objects made after the freeze (`danvan.heap`), some
        74,000 for the national tree, that every full collection walked again: 20-26 ms
        more for the request it fell in (0.25 s once here)."""
        for unit in self._units.all_units():
            self.placements(unit.id)

    def placements(self, unit_id: str) -> tuple[Placement, ...]:
        cached = self._cache.get(unit_id)
        if cached is None:
            cached = self._cache[unit_id] = self._place(unit_id)
        return cached

    def _place(self, unit_id: str) -> tuple[Placement, ...]:
        units = self._units
        historical = [u.id for u in units.chain(unit_id)]
        current = [u.id for u in units.chain(units.default_successor(unit_id).id)]
        split = units.is_split(unit_id)
        on_both = set(historical) & set(current)
        current_view = Boundaries.CURRENT.value
        found = [
            Placement(VIEW_BOTH if u in on_both else Boundaries.HISTORICAL.value, u, True, False)
            for u in historical
        ]
        for u in current:
            if u not in on_both:
                found.append(Placement(current_view, u, True, split))
            elif split:  # its counts are in the "both" row already
                found.append(Placement(current_view, u, False, True))
        return tuple(found)


def half_month(day: date) -> date:
    """The first day of the half of the month `day` is in: the 1st, or the CUTOFF_DAY.

    Counts are kept per half-month rather than per day. Every period's date range, on the
    calendar basis and on Decree 09's cut-off basis alike, is a run of whole half-months
    (a calendar month is its two halves; a cut-off month the second half of the month before
    and the first of its own), so no figure needs a finer grain; and a half-month folds a
    unit's counts of about fifteen days into one row, which is what keeps a rebuild's writes
    and a nation's read small."""
    return day.replace(day=1 if day.day < CUTOFF_DAY else CUTOFF_DAY)


def spread_counts(placer: Placer, counts: Iterable[Count], sign: int = 1) -> dict[DayKey, int]:
    """Counts summed per stored row; a batch's counts fold into few rows."""
    rows: dict[DayKey, int] = defaultdict(int)
    for count in counts:
        amount = sign * count.amount
        half = half_month(count.day)
        for place in placer.placements(count.unit_id):
            if place.counts:
                for dimension in count.dimensions:
                    rows[(place.view, place.unit_id, count.indicator, dimension, half)] += amount
            if place.attributed:
                rows[(place.view, place.unit_id, count.indicator, ATTRIBUTED, half)] += amount
    return {key: value for key, value in rows.items() if value}


def by_year(rows: dict[DayKey, int]) -> dict[YearKey, int]:
    """The half-month rows summed per calendar year."""
    years: dict[YearKey, int] = defaultdict(int)
    for (view, unit, indicator, dimension, half), amount in rows.items():
        years[(view, unit, indicator, dimension, half.year)] += amount
    return {key: value for key, value in years.items() if value}


def spread_amounts(placer: Placer, amounts: Iterable[PeriodAmount]) -> dict[PeriodKey, int]:
    rows: dict[PeriodKey, int] = defaultdict(int)
    for item in amounts:
        source = FigureSource(item.source).value
        for place in placer.placements(item.unit_id):
            where = (place.view, place.unit_id, item.indicator)
            if place.counts:
                rows[(*where, item.dimension, item.period, source)] += item.delta
            if place.attributed:
                rows[(*where, ATTRIBUTED, item.period, source)] += item.delta
    return {key: value for key, value in rows.items() if value}
