"""The benchmark's own events: valid registry and reception events (ModelRegistered and
PetitionReceived, as the services publish them) spread over the current communes and the days
since the 2025 reform, published straight into the services' streams."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from danvan.bus import stream_name
from danvan.contracts.envelope import EventPayload, make_event
from danvan.contracts.reception import (
    PetitionClass,
    PetitionerKind,
    PetitionReceived,
    PetitionSource,
    PetitionStatus,
    Sector,
)
from danvan.contracts.registry import ModelField, ModelRegistered
from danvan.units import UnitTree
from danvan.units.model import Generation, Level

#: The first day of the current communes: every fixture fact names a unit in force that day.
FIRST_DAY = date(2025, 7, 1)
#: One petition for every so many models (the rest of the mix is models).
PETITION_SHARE = 2


@dataclass(frozen=True, slots=True)
class Outgoing:
    stream: str
    subject: str
    body: bytes


@dataclass(frozen=True, slots=True)
class Commune:
    code: str
    province: str


def communes(units: UnitTree) -> list[Commune]:
    """Every current commune with its province's code."""
    found = []
    for unit in units.units(Level.COMMUNE, Generation.CURRENT):
        province = units.current_province_of(unit.id)
        if province is not None:
            found.append(Commune(unit.id, province.code))
    return found


def _template(payload: EventPayload, unit: str, day: date) -> dict[str, Any]:
    """An envelope as the services publish it, as a dict to vary per event."""
    envelope = make_event(
        payload,
        subject=str(uuid.uuid4()),
        unit_code=unit,
        occurred_on=day,
        time=datetime.combine(day, time(9), UTC),
    )
    loaded: dict[str, Any] = json.loads(envelope.model_dump_json())
    return loaded


def _model(unit: str, day: date, field: ModelField) -> EventPayload:
    return ModelRegistered(
        model_id=uuid.uuid4(),
        name="Mô hình dân vận khéo (dữ liệu đo hiệu năng)",
        field=field,
        unit_code=unit,
        registered_on=day,
        registered_by="bench",
    )


def _petition(unit: str, day: date, petition_class: PetitionClass, sector: Sector) -> EventPayload:
    return PetitionReceived(
        petition_id=uuid.uuid4(),
        unit_code=unit,
        petition_class=petition_class,
        sector=sector,
        status=PetitionStatus.RECEIVED,
        record_version=1,
        on=day,
        by="bench",
        case_id=uuid.uuid4(),
        source=PetitionSource.IN_PERSON,
        petitioner_kind=PetitionerKind.INDIVIDUAL,
        petitioner_unit_code=unit,
        remote_area=False,
        first_instance_id=None,
        due_on=None,
    )


def fixture_events(
    units: UnitTree, count: int, *, last_day: date, seed: int = 8
) -> Iterator[Outgoing]:
    """`count` events, the same ones for the same seed: models and petitions (one in
    PETITION_SHARE) at random current communes on random days from FIRST_DAY to `last_day`.

    The contracts build and check one envelope of each kind; each event is a copy with fresh
    ids, its own unit, day and breakdown (building every envelope through pydantic would take
    longer than publishing a million of them)."""
    chooser = random.Random(seed)
    places = communes(units)
    days = (last_day - FIRST_DAY).days + 1
    fields = [str(value) for value in ModelField]
    classes = [str(value) for value in PetitionClass]
    sectors = [str(value) for value in Sector]
    model = _template(_model("00097", FIRST_DAY, ModelField.ECONOMY), "00097", FIRST_DAY)
    petition = _template(
        _petition("00097", FIRST_DAY, PetitionClass.COMPLAINT, Sector.LAND), "00097", FIRST_DAY
    )
    model_stream, petition_stream = stream_name("registry"), stream_name("reception")
    for index in range(count):
        place = chooser.choice(places)
        day = (FIRST_DAY + timedelta(days=chooser.randrange(days))).isoformat()
        record = str(uuid.uuid4())
        if index % PETITION_SHARE == 0:
            event, stream = petition, petition_stream
            subject = PetitionReceived.subject_for(place.province)
            event["data"] = {
                **petition["data"],
                "petition_id": record,
                "case_id": str(uuid.uuid4()),
                "unit_code": place.code,
                "petitioner_unit_code": place.code,
                "petition_class": chooser.choice(classes),
                "sector": chooser.choice(sectors),
                "on": day,
            }
        else:
            event, stream = model, model_stream
            subject = ModelRegistered.subject_for(place.province)
            event["data"] = {
                **model["data"],
                "model_id": record,
                "unit_code": place.code,
                "field": chooser.choice(fields),
                "registered_on": day,
            }
        event["id"] = str(uuid.uuid4())
        event["subject"] = record
        event["unitcode"] = place.code
        event["occurredon"] = day
        event["time"] = f"{day}T02:00:00Z"
        yield Outgoing(stream, subject, json.dumps(event, ensure_ascii=False).encode())
