"""Turning a service's facts into outbox rows: the envelope, the stream and the subject with
the unit's *current* province, so one subscription follows a province's whole history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from danvan.bus import stream_name
from danvan.contracts.envelope import CloudEvent, EventPayload, make_event
from danvan.outbox import enqueue_many
from danvan.units import UnitTree
from danvan.units.model import NATION_ID


@dataclass(frozen=True, slots=True)
class Fact:
    payload: EventPayload
    aggregate_id: str
    unit_id: str
    occurred_on: date


def province_token(units: UnitTree, unit_id: str) -> str:
    province = units.current_province_of(unit_id)
    return province.code if province is not None else NATION_ID


def envelope(fact: Fact, now: datetime) -> CloudEvent[EventPayload]:
    return make_event(
        fact.payload,
        subject=fact.aggregate_id,
        unit_code=fact.unit_id,
        occurred_on=fact.occurred_on,
        time=now,
    )


async def emit(
    session: AsyncSession, units: UnitTree, facts: Sequence[Fact], *, now: datetime
) -> None:
    """Write the facts' events to the outbox in the caller's transaction, in order."""
    await enqueue_many(
        session,
        [
            (
                envelope(fact, now),
                stream_name(fact.payload.service),
                fact.payload.subject_for(province_token(units, fact.unit_id)),
            )
            for fact in facts
        ],
    )
