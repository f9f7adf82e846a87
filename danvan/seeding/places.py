"""Where the seeded records happen: the real units, before and after the 2025 reform, each
commune weighted by how much a place of its kind sees (a city's ward more than a mountain
commune), and the district and province above it."""

from __future__ import annotations

import random
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from itertools import accumulate

from danvan.units import REFORM_DATE, Generation, Level, Unit, UnitTree

#: A ward sees more citizens, petitions and initiatives than a rural commune; a township
#: (thị trấn, until 2025) lies between; a special zone (đặc khu) is an island.
KIND_WEIGHTS = {"Phường": 3.0, "Thị trấn": 2.0, "Xã": 1.0, "Đặc khu": 0.5}


def area_factor(area_km2: float | None) -> float:
    """Since 2025 a commune's area is known: a small one is dense (a city's), a very large
    one mountainous and sparse. The legacy communes have no area in the data."""
    if area_km2 is None:
        return 1.0
    if area_km2 < 30:
        return 1.5
    if area_km2 > 150:
        return 0.6
    return 1.0


def commune_weight(unit: Unit) -> float:
    return KIND_WEIGHTS.get(unit.kind, 1.0) * area_factor(unit.area_km2)


@dataclass(frozen=True, slots=True)
class Place:
    """A commune and the units above it on the day of a record."""

    commune: Unit
    district: Unit | None  # None since 2025-07-01
    province: Unit


class Pool:
    """The communes of one generation, drawn by weight."""

    def __init__(self, tree: UnitTree, generation: Generation) -> None:
        self._tree = tree
        self.communes = tree.units(Level.COMMUNE, generation)
        if not self.communes:
            raise ValueError(f"no {generation.value} communes in the unit tree")
        self._cumulative = list(accumulate(commune_weight(unit) for unit in self.communes))

    def province_shares(self) -> dict[Unit, float]:
        """Each province's part of the weight: its share of what the nation records."""
        weights: dict[str, float] = {}
        for unit in self.communes:
            province = next(u for u in self._tree.ancestors(unit.id) if u.level is Level.PROVINCE)
            weights[province.id] = weights.get(province.id, 0.0) + commune_weight(unit)
        total = sum(weights.values())
        return {self._tree.get(pid): weight / total for pid, weight in sorted(weights.items())}

    def draw(self, rng: random.Random) -> Place:
        point = rng.random() * self._cumulative[-1]
        commune = self.communes[bisect_right(self._cumulative, point)]
        district = province = None
        for unit in self._tree.ancestors(commune.id):
            if unit.level is Level.DISTRICT:
                district = unit
            elif unit.level is Level.PROVINCE:
                province = unit
        if province is None:
            raise ValueError(f"{commune.id} has no province above it")
        return Place(commune, district, province)


class Places:
    """The legacy pool for a day before 2025-07-01, the current one from that day."""

    def __init__(self, tree: UnitTree) -> None:
        self.tree = tree
        self.legacy = Pool(tree, Generation.LEGACY)
        self.current = Pool(tree, Generation.CURRENT)

    def pool(self, day: date) -> Pool:
        return self.legacy if day < REFORM_DATE else self.current

    def draw(self, rng: random.Random, day: date) -> Place:
        return self.pool(day).draw(rng)
