"""What each event counts: pure rules, no I/O.

An event yields counts at the unit it was recorded against on the day it happened. Counts add
up, so their order of arrival does not matter. A few indicators count a thing once however
often it is seen (a crowd case, a head's reception day, a petition that went overdue): those
yield a `Once`, counted at its earliest occurrence, whichever order the occurrences arrive in.
A figure a unit entered or imported for a period yields a `PeriodAmount`: the difference it
makes to what was entered before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel

from danvan.contracts.envelope import RawCloudEvent
from danvan.contracts.reception import (
    HEAD_MODES,
    DialogueHeld,
    FollowUpStatus,
    FollowUpUpdated,
    PetitionAccepted,
    PetitionConcluded,
    PetitionOverdue,
    PetitionReceived,
    VisitRecorded,
)
from danvan.contracts.registry import (
    Award,
    ExemplarRecognised,
    ExemplarRegistered,
    ModelRecognised,
    ModelRegistered,
)
from danvan.contracts.reporting import TOTAL, FigureEntered, FigureSource, dimension_key

# The modes in which the head of the unit receives citizens in person on a scheduled day.


@dataclass(frozen=True, slots=True)
class Count:
    unit_id: str
    day: date
    indicator: str
    dimensions: tuple[str, ...]  # TOTAL plus one "<dimension>=<value>" per breakdown
    amount: int = 1


@dataclass(frozen=True, slots=True)
class Once:
    """Counted once per `key`, at the occurrence that sorts first by (day, unit, event id)."""

    key: str
    count: Count
    event_id: str

    @property
    def rank(self) -> tuple[date, str, str]:
        return self.count.day, self.count.unit_id, self.event_id


@dataclass(frozen=True, slots=True)
class PeriodAmount:
    unit_id: str
    period: str
    indicator: str
    dimension: str
    source: FigureSource
    delta: int


Effect = Count | Once | PeriodAmount


def _dims(**values: object) -> tuple[str, ...]:
    return (TOTAL, *(dimension_key(name, str(value)) for name, value in values.items()))


Rule = Callable[[Any, RawCloudEvent], Iterator[Effect]]
_RULES: dict[str, tuple[type[BaseModel], Rule]] = {}


def _rule(payload_type: type[BaseModel]) -> Callable[[Rule], Rule]:
    def register(rule: Rule) -> Rule:
        _RULES[payload_type.event_type()] = (payload_type, rule)  # type: ignore[attr-defined]
        return rule

    return register


def effects(event: RawCloudEvent) -> list[Effect]:
    """What one event counts; an event type reporting does not count yields nothing."""
    found = _RULES.get(event.type)
    if found is None:
        return []
    payload_type, rule = found
    return list(rule(payload_type.model_validate(event.data), event))


# ---- registry ---------------------------------------------------------------------------------


@_rule(ModelRegistered)
def _model_registered(p: ModelRegistered, e: RawCloudEvent) -> Iterator[Effect]:
    yield Count(p.unit_code, e.occurredon, "models.registered", _dims(field=p.field))


@_rule(ExemplarRegistered)
def _exemplar_registered(p: ExemplarRegistered, e: RawCloudEvent) -> Iterator[Effect]:
    dims = _dims(field=p.field, exemplar_kind=p.kind)
    yield Count(p.unit_code, e.occurredon, "exemplars.registered", dims)


def _awards(unit: str, day: date, awards: list[Award], record: str) -> Iterator[Effect]:
    for award in awards:
        yield Count(unit, day, "awards.granted", _dims(award_kind=award.kind, record=record))


@_rule(ModelRecognised)
def _model_recognised(p: ModelRecognised, e: RawCloudEvent) -> Iterator[Effect]:
    dims = _dims(field=p.field, level=p.level)
    yield Count(p.unit_code, e.occurredon, "models.recognised", dims)
    yield from _awards(p.unit_code, e.occurredon, p.awards, "model")


@_rule(ExemplarRecognised)
def _exemplar_recognised(p: ExemplarRecognised, e: RawCloudEvent) -> Iterator[Effect]:
    dims = _dims(field=p.field, level=p.level)
    yield Count(p.unit_code, e.occurredon, "exemplars.recognised", dims)
    yield from _awards(p.unit_code, e.occurredon, p.awards, "exemplar")


# ---- reception --------------------------------------------------------------------------------


@_rule(VisitRecorded)
def _visit(p: VisitRecorded, e: RawCloudEvent) -> Iterator[Effect]:
    unit, day, event_id = p.unit_code, e.occurredon, str(e.id)
    visit = "repeat" if p.repeat else "first"
    yield Count(unit, day, "visits.received", _dims(mode=p.mode, visit=visit))
    yield Count(unit, day, "visits.people", _dims(mode=p.mode), p.headcount)
    if p.mode in HEAD_MODES:
        # A day is a day however many citizens the head received on it.
        head_day = Count(unit, day, "reception.head_days", (TOTAL,))
        yield Once(f"head_day:{unit}:{day.isoformat()}", head_day, event_id)
    if p.crowd:
        yield Count(unit, day, "crowd.delegations", (TOTAL,))
        yield Count(unit, day, "crowd.people", (TOTAL,), p.headcount)
        # Many delegations can come about one case: the case counts at its first.
        case = Count(unit, day, "crowd.cases", (TOTAL,))
        yield Once(f"crowd_case:{p.case_id}", case, event_id)


@_rule(PetitionReceived)
def _petition_received(p: PetitionReceived, e: RawCloudEvent) -> Iterator[Effect]:
    dims = _dims(**{"class": p.petition_class, "sector": p.sector, "source": p.source})
    yield Count(p.unit_code, e.occurredon, "petitions.received", dims)


def _class_sector(p: PetitionAccepted | PetitionConcluded | PetitionOverdue) -> tuple[str, ...]:
    return _dims(**{"class": p.petition_class, "sector": p.sector})


@_rule(PetitionAccepted)
def _petition_accepted(p: PetitionAccepted, e: RawCloudEvent) -> Iterator[Effect]:
    yield Count(p.unit_code, e.occurredon, "petitions.accepted", _class_sector(p))


@_rule(PetitionConcluded)
def _petition_concluded(p: PetitionConcluded, e: RawCloudEvent) -> Iterator[Effect]:
    unit, day = p.unit_code, e.occurredon
    resolved = (*_class_sector(p), dimension_key("conclusion", p.conclusion))
    yield Count(unit, day, "petitions.resolved", resolved)
    if p.on_time:
        yield Count(unit, day, "petitions.resolved_on_time", _class_sector(p))
    days = _dims(**{"class": p.petition_class})
    yield Count(unit, day, "petitions.days_to_resolve", days, p.days_to_resolve)


@_rule(PetitionOverdue)
def _petition_overdue(p: PetitionOverdue, e: RawCloudEvent) -> Iterator[Effect]:
    # A petition can miss more than one deadline; it is one overdue petition.
    count = Count(p.unit_code, e.occurredon, "petitions.overdue", _class_sector(p))
    yield Once(f"petition_overdue:{p.petition_id}", count, str(e.id))


@_rule(DialogueHeld)
def _dialogue(p: DialogueHeld, e: RawCloudEvent) -> Iterator[Effect]:
    unit, day = p.unit_code, e.occurredon
    yield Count(unit, day, "dialogues.held", _dims(dialogue_level=p.level))
    yield Count(unit, day, "dialogues.participants", (TOTAL,), p.participants)
    yield Count(unit, day, "follow_ups.promised", (TOTAL,), p.follow_ups)


@_rule(FollowUpUpdated)
def _follow_up(p: FollowUpUpdated, e: RawCloudEvent) -> Iterator[Effect]:
    if p.status is FollowUpStatus.DONE:
        count = Count(p.unit_code, e.occurredon, "follow_ups.done", (TOTAL,))
        yield Once(f"follow_up_done:{p.follow_up_id}", count, str(e.id))


# ---- reporting's own ----------------------------------------------------------------------------


@_rule(FigureEntered)
def _figure(p: FigureEntered, e: RawCloudEvent) -> Iterator[Effect]:
    where = (p.unit_code, p.period, p.indicator, p.dimension)
    before = p.previous_source or p.source
    if before is not p.source and p.previous:
        # Imported over one entered by hand (or the reverse): the old part goes, the new comes.
        yield PeriodAmount(*where, before, -p.previous)
        yield PeriodAmount(*where, p.source, p.value)
    elif p.value != p.previous:
        yield PeriodAmount(*where, p.source, p.value - p.previous)
