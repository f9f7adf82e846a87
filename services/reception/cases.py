"""One matter, one case: finding the case a new visit or petition belongs to, or opening one."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from danvan.contracts.reception import CaseOpened, Person
from danvan.contracts.rpc import ErrorCode, ErrorDetail, Message, ServiceError
from danvan.emit import Fact
from danvan.text import fold
from services.reception.domain import KnownPerson, same_case
from services.reception.store import case_people_table, cases_table


@dataclass(frozen=True, slots=True)
class CaseChoice:
    case_id: uuid.UUID
    opened: Fact | None  # the case.opened fact when the case is new
    repeat: bool


def _commune_of(person: Person) -> str | None:
    return person.address.unit_code if person.address is not None else None


async def _known_people(
    session: AsyncSession, people: Sequence[Person], commune_id: str | None
) -> list[KnownPerson]:
    numbers = [p.id_number for p in people if p.id_number]
    conditions: list[ColumnElement[bool]] = []
    if numbers:
        conditions.append(case_people_table.c.id_number.in_(numbers))
    if commune_id is not None:
        conditions.append(case_people_table.c.commune_id == commune_id)
    if not conditions:
        return []
    rows = (
        await session.execute(
            select(case_people_table, cases_table.c.matter)
            .join(cases_table, cases_table.c.id == case_people_table.c.case_id)
            .where(and_(cases_table.c.closed.is_(False), or_(*conditions)))
        )
    ).all()
    return [
        KnownPerson(uuid.UUID(r.case_id), r.name_folded, r.id_number, r.commune_id, r.matter)
        for r in rows
    ]


async def choose_case(
    session: AsyncSession,
    *,
    unit_id: str,
    people: Sequence[Person],
    matter: str,
    case_id: uuid.UUID | None,
    new_case: bool,
    day: date,
    now: datetime,
) -> CaseChoice:
    """The named case; else a new one, unless a similar open case exists: then a 409 that
    offers it, so the officer links to it (`case_id`) or insists (`new_case: true`)."""
    if case_id is not None:
        found = await session.scalar(
            select(cases_table.c.id).where(cases_table.c.id == str(case_id))
        )
        if found is None:
            raise ServiceError(
                ErrorCode.VALIDATION,
                Message(vi=f"không có vụ việc {case_id}", en=f"no case {case_id}"),
                [
                    ErrorDetail(
                        field="case_id",
                        reason=Message(vi="không có vụ việc này", en="no such case"),
                    )
                ],
            )
        await _add_people(session, case_id, people)
        return CaseChoice(case_id, None, True)
    if not new_case:
        commune = next((c for c in map(_commune_of, people) if c), unit_id)
        candidates = same_case(
            people, matter, commune, await _known_people(session, people, commune)
        )
        if candidates:
            raise ServiceError(
                ErrorCode.CONFLICT,
                Message(
                    vi="có vẻ đây là một vụ việc đã có trong hồ sơ: hãy gắn với vụ việc đó qua "
                    "case_id, hoặc gửi new_case: true",
                    en="this looks like a case already on file: link to it with case_id, "
                    "or send new_case: true",
                ),
                [
                    # The hint is the case's id, for a client to link to: the same in any language.
                    ErrorDetail(
                        field="case_id",
                        reason=reason,
                        hint=Message(vi=str(candidate), en=str(candidate)),
                    )
                    for candidate, reason in candidates
                ],
            )
    new_id = uuid.uuid4()
    await session.execute(
        cases_table.insert().values(
            id=str(new_id),
            unit_id=unit_id,
            matter=matter,
            opened_on=day,
            closed=False,
            created_at=now,
        )
    )
    await _add_people(session, new_id, people)
    opened = CaseOpened(case_id=new_id, unit_code=unit_id, matter=matter, opened_on=day)
    return CaseChoice(new_id, Fact(opened, str(new_id), unit_id, day), False)


async def _add_people(session: AsyncSession, case_id: uuid.UUID, people: Sequence[Person]) -> None:
    rows = [
        {
            "case_id": str(case_id),
            "name_folded": fold(person.name),
            "id_number": person.id_number,
            "commune_id": _commune_of(person),
        }
        for person in people
    ]
    if rows:
        await session.execute(case_people_table.insert(), rows)
