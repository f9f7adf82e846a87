"""Value types of the administrative-unit tree: levels, generations, units and successions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from danvan.text import fold

#: First day of the two-tier local government (Resolution 202/2025/QH15 and the 2025
#: re-arrangement resolutions): districts ceased and most communes merged on this day.
REFORM_DATE = date(2025, 7, 1)

#: Id and code of the national root, shared by both generations.
NATION_ID = "VN"

#: Key of the tree read from the package's data alone, with no reorganisation loaded.
BASE_KEY = "vietnamadminunits-1.0.4"

#: Prefix of the ids of units that ceased on :data:`REFORM_DATE` (``old-00097``).
LEGACY_PREFIX = "old-"


class Level(StrEnum):
    """Administrative level ("cấp")."""

    NATION = "nation"
    PROVINCE = "province"
    DISTRICT = "district"  # legacy only: districts ceased on 2025-07-01
    COMMUNE = "commune"


#: Depth of each level below the root; also the order levels sort in.
LEVEL_RANK: dict[Level, int] = {
    Level.NATION: 0,
    Level.PROVINCE: 1,
    Level.DISTRICT: 2,
    Level.COMMUNE: 3,
}


class Generation(StrEnum):
    """Whether a unit has ceased. The root ``VN`` never does and is marked CURRENT."""

    # Ceased: on 2025-07-01 (id "old-<code>"), or in a reorganisation loaded later.
    LEGACY = "legacy"
    # In force: since 2025-07-01 (id "<code>"), or since a later reorganisation.
    CURRENT = "current"


class UnknownUnit(LookupError):
    """An id that names no administrative unit."""

    def __init__(self, unit_id: str) -> None:
        self.unit_id = unit_id
        message = f"unknown administrative unit id {unit_id!r}"
        if not unit_id.startswith(LEGACY_PREFIX) and unit_id.isdigit():
            message += (
                f" (units that ceased on {REFORM_DATE.isoformat()} take the prefix "
                f"{LEGACY_PREFIX!r}, e.g. {LEGACY_PREFIX + unit_id!r})"
            )
        super().__init__(message)

    def __str__(self) -> str:
        return str(self.args[0])


def legacy_id(code: str) -> str:
    """Id of the legacy unit with GSO code ``code``: ``legacy_id("003") == "old-003"``."""
    return LEGACY_PREFIX + code


@dataclass(frozen=True, slots=True)
class Unit:
    """One administrative unit of one generation, effective-dated.

    ``valid_to`` is exclusive: the first day the unit is no longer in force.
    """

    id: str
    code: str
    name: str
    short_name: str
    kind: str
    level: Level
    generation: Generation
    parent_id: str | None
    valid_from: date | None
    valid_to: date | None
    area_km2: float | None = None
    #: ``danvan.text.fold(name)``, for diacritic-insensitive matching.
    folded: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "folded", fold(self.name))

    @property
    def is_legacy(self) -> bool:
        return self.generation is Generation.LEGACY

    def in_force_on(self, day: date) -> bool:
        """True if the unit is in force on ``day`` (``valid_from <= day < valid_to``)."""
        if self.valid_from is not None and day < self.valid_from:
            return False
        return self.valid_to is None or day < self.valid_to

    def in_force_during(self, start: date, end: date) -> bool:
        """True if the unit is in force on any day of [start, end]."""
        return (self.valid_from is None or self.valid_from <= end) and (
            self.valid_to is None or self.valid_to > start
        )


@dataclass(frozen=True, slots=True)
class Succession:
    """An edge from a legacy unit to a current unit that took over (part of) its territory.

    ``successor_area_km2`` is the successor's whole area as the source data gives it, not the
    area of the part handed over (the data has no such figure).
    """

    predecessor_id: str
    successor_id: str
    is_default: bool
    successor_area_km2: float | None
    effective_on: date


@dataclass(frozen=True, slots=True)
class LoadReport:
    """What the loader had to repair or could not match in the source data."""

    #: legacy communes the conversion data gives no matching successor for; their
    #: successor falls back to the current province their old province went into.
    unmatched_legacy_communes: frozenset[str] = frozenset()
    #: converter keys that name no unit of the tables, even after normalising.
    unresolved_keys: tuple[str, ...] = ()
    #: converter keys that joined only after normalising (fold, non-alphanumerics removed).
    normalised_key_matches: tuple[str, ...] = ()
    #: (unit id, name, type column) where the type column disagrees with the name's prefix;
    #: the name wins (it agrees with the official resolutions in every case checked).
    kind_disagreements: tuple[tuple[str, str, str], ...] = ()
    #: (unit id, name as in the data) where the type prefix was capitalised wrongly
    #: ("Thành Phố Bắc Kạn") and was rewritten ("Thành phố Bắc Kạn").
    name_case_fixes: tuple[tuple[str, str], ...] = ()
    #: legacy communes with several default successors in the data (the first was kept).
    extra_defaults: tuple[str, ...] = ()
