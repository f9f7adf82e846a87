"""A later reorganisation of the administrative units, loaded as data.

A reorganisation file (JSON) names the day it takes effect, the units it creates and the
successions from the units that cease that day to the units that take over their territory:

.. code-block:: json

    {"name": "Nghị quyết 1234/NQ-UBTVQH15", "effective_on": "2027-01-01",
     "units": [{"id": "2027-10105", "code": "10105", "name": "Phường Hồ Tây",
                "kind": "Phường", "level": "commune", "parent_id": "01"}],
     "successions": [{"predecessor_id": "00097", "successor_id": "2027-10105"}]}

A unit ceases exactly when it is the predecessor of a succession; a predecessor with several
successors marks one ``is_default`` (where its facts go in today's boundaries). A unit that
keeps its territory but changes its parent gets a new id and a succession of its own, as the
2025 reform's did: a unit has one parent for its whole life.

Loading checks a file against the units in force the day before; every problem is reported at
once, and nothing of a file with a problem is kept.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from danvan.units.model import (
    LEVEL_RANK,
    NATION_ID,
    REFORM_DATE,
    Generation,
    Level,
    Succession,
    Unit,
)
from danvan.units.tree import UnitTree


class NewUnit(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(min_length=1, max_length=20, pattern=r"^[0-9A-Za-z][0-9A-Za-z_.-]*$")
    code: str = Field(min_length=1, max_length=20)
    name: str = Field(min_length=1, max_length=200)
    short_name: str | None = Field(default=None, max_length=200)
    kind: str = Field(min_length=1, max_length=40, examples=["Phường"])
    level: Level
    parent_id: str
    area_km2: float | None = Field(default=None, ge=0)


class NewSuccession(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    predecessor_id: str
    successor_id: str
    # Needed only where a predecessor has several successors: the one its facts go to.
    is_default: bool = False
    successor_area_km2: float | None = Field(default=None, ge=0)


class Reorganisation(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=300, examples=["Nghị quyết 1234/NQ-UBTVQH15"])
    effective_on: date
    units: list[NewUnit] = Field(default_factory=list)
    successions: list[NewSuccession] = Field(min_length=1)


class ReorganisationError(ValueError):
    """A reorganisation that cannot be applied; `problems` says every reason, with where."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(f"{plural(len(problems), 'problem')}: " + "; ".join(problems[:5]))


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def parse(text: str | bytes) -> Reorganisation:
    """The reorganisation in a JSON text; ReorganisationError naming each bad field."""
    try:
        return Reorganisation.model_validate_json(text)
    except ValidationError as error:
        raise ReorganisationError(
            [
                f"{'.'.join(str(part) for part in item['loc']) or 'file'}: {item['msg']}"
                for item in error.errors()
            ]
        ) from None


def apply(tree: UnitTree, reorganisation: Reorganisation, *, key: str) -> UnitTree:
    """A new tree: `tree` with the reorganisation in effect. Raises ReorganisationError."""
    day = reorganisation.effective_on
    units = {unit.id: unit for unit in tree.all_units()}
    problems = _check(units, reorganisation)
    if problems:
        raise ReorganisationError(problems)
    ceasing = {edge.predecessor_id for edge in reorganisation.successions}
    for unit_id in ceasing:
        units[unit_id] = dataclasses.replace(
            units[unit_id], generation=Generation.LEGACY, valid_to=day
        )
    for new in reorganisation.units:
        units[new.id] = Unit(
            id=new.id,
            code=new.code,
            name=new.name,
            short_name=new.short_name or new.name.removeprefix(new.kind).strip() or new.name,
            kind=new.kind,
            level=new.level,
            generation=Generation.CURRENT,
            parent_id=new.parent_id,
            valid_from=day,
            valid_to=None,
            area_km2=new.area_km2,
        )
    edges = [*tree.all_successions(), *_edges(reorganisation)]
    return UnitTree(units.values(), edges, tree.report, key=key)


def _edges(reorganisation: Reorganisation) -> list[Succession]:
    by_predecessor: dict[str, list[NewSuccession]] = defaultdict(list)
    for item in reorganisation.successions:
        by_predecessor[item.predecessor_id].append(item)
    return [
        Succession(
            predecessor_id=item.predecessor_id,
            successor_id=item.successor_id,
            is_default=item.is_default or len(items) == 1,
            successor_area_km2=item.successor_area_km2,
            effective_on=reorganisation.effective_on,
        )
        for items in by_predecessor.values()
        for item in items
    ]


def _check(units: dict[str, Unit], reorganisation: Reorganisation) -> list[str]:
    day = reorganisation.effective_on
    eve = day - timedelta(days=1)
    problems: list[str] = []
    latest = max(
        (u.valid_from for u in units.values() if u.valid_from is not None), default=REFORM_DATE
    )
    if day <= latest:
        problems.append(
            f"effective_on: {day} is not after the latest change already in the units "
            f"({latest}); reorganisations are loaded in the order they take effect"
        )
        return problems  # every other check would read the units of the wrong day
    new_ids = [new.id for new in reorganisation.units]
    new_by_id = {new.id: new for new in reorganisation.units}
    for index, new in enumerate(reorganisation.units):
        where = f"units[{index}] ({new.id})"
        if new.id in units:
            problems.append(f"{where}: the id already names {units[new.id].name}; give a new id")
        elif new_ids.count(new.id) > 1:
            problems.append(f"{where}: the id is given more than once")
        if new.level is Level.NATION:
            problems.append(f"{where}: there is one nation ({NATION_ID}); it cannot be created")
            continue
        parent_level = _level_of(new.parent_id, units, new_by_id)
        if parent_level is None:
            problems.append(f"{where}: unknown parent {new.parent_id!r}")
        elif LEVEL_RANK[parent_level] >= LEVEL_RANK[new.level]:
            problems.append(
                f"{where}: a {new.level.value} cannot sit under the {parent_level.value} "
                f"{new.parent_id}"
            )
    ceasing = {edge.predecessor_id for edge in reorganisation.successions}
    for index, new in enumerate(reorganisation.units):
        if new.parent_id in ceasing:
            problems.append(
                f"units[{index}] ({new.id}): its parent {new.parent_id} ceases on {day}"
            )
        elif new.parent_id in units and not units[new.parent_id].in_force_on(day):
            problems.append(
                f"units[{index}] ({new.id}): its parent {new.parent_id} is not in force on {day}"
            )
    problems += _check_successions(units, new_by_id, reorganisation, eve)
    # A unit that stays must not be left under a parent that goes.
    for unit in units.values():
        if unit.parent_id in ceasing and unit.id not in ceasing and unit.in_force_on(eve):
            problems.append(
                f"{unit.id} ({unit.name}) lies under {unit.parent_id}, which ceases on {day}: "
                "give it a succession to a unit under the new parent"
            )
    return problems


def _check_successions(
    units: dict[str, Unit],
    new_by_id: dict[str, NewUnit],
    reorganisation: Reorganisation,
    eve: date,
) -> list[str]:
    problems: list[str] = []
    ceasing = {edge.predecessor_id for edge in reorganisation.successions}
    seen: set[tuple[str, str]] = set()
    defaults: dict[str, int] = defaultdict(int)
    counts: dict[str, int] = defaultdict(int)
    for index, edge in enumerate(reorganisation.successions):
        where = f"successions[{index}] ({edge.predecessor_id} → {edge.successor_id})"
        predecessor = units.get(edge.predecessor_id)
        if predecessor is None:
            problems.append(f"{where}: unknown unit {edge.predecessor_id!r}")
        elif edge.predecessor_id == NATION_ID:
            problems.append(f"{where}: the nation does not cease")
        elif not predecessor.in_force_on(eve):
            problems.append(
                f"{where}: {edge.predecessor_id} ({predecessor.name}) is not in force on {eve}"
            )
        if edge.successor_id in ceasing:
            problems.append(f"{where}: {edge.successor_id} itself ceases on {eve + timedelta(1)}")
        elif edge.successor_id not in new_by_id:
            successor = units.get(edge.successor_id)
            if successor is None:
                problems.append(f"{where}: unknown unit {edge.successor_id!r}")
            elif not successor.in_force_on(eve):
                problems.append(f"{where}: {edge.successor_id} is not in force")
        if (edge.predecessor_id, edge.successor_id) in seen:
            problems.append(f"{where}: given more than once")
        seen.add((edge.predecessor_id, edge.successor_id))
        counts[edge.predecessor_id] += 1
        defaults[edge.predecessor_id] += edge.is_default
    for predecessor_id, count in counts.items():
        if count > 1 and defaults[predecessor_id] != 1:
            problems.append(
                f"{predecessor_id}: split among {count} units, so exactly one succession must "
                f"be is_default (the data marks {defaults[predecessor_id]})"
            )
    return problems


def _level_of(unit_id: str, units: dict[str, Unit], new: dict[str, NewUnit]) -> Level | None:
    if unit_id in new:
        return new[unit_id].level
    found = units.get(unit_id)
    return None if found is None else found.level
