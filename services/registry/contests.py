"""Contests ("Hội thi Dân vận khéo"): created by a unit's leaders, entered with models or
exemplars of the unit's subtree, and given results."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from danvan.access import facts_scope, in_scope, listing_unit, require_role, require_scope
from danvan.clock import Clock
from danvan.contracts.contests import (
    ContestCreate,
    ContestCreated,
    ContestDetail,
    ContestEntryAdded,
    ContestPublic,
    ContestQuery,
    ContestResultRecorded,
    EntryAdd,
    EntryKind,
    EntryPublic,
    ResultRecord,
)
from danvan.contracts.paging import Page
from danvan.contracts.registry import ById, RecognitionLevel, Status
from danvan.contracts.rpc import (
    DECIDERS,
    WRITERS,
    ErrorCode,
    ErrorDetail,
    Message,
    Principal,
    ServiceError,
)
from danvan.db import transaction
from danvan.emit import Fact, emit
from danvan.fact_units import DISTRICTS_CEASED, unit_for_fact
from danvan.messages import not_found
from danvan.pagination import SortOption, fetch_page, parse_sort
from danvan.service import ServiceRuntime
from danvan.text import fold, sort_string
from danvan.units import UnitTree
from danvan.units.model import REFORM_DATE
from services.registry import store
from services.registry.domain import RECORD_NOUNS

CONTEST = Message(vi="hội thi", en="contest")
ENTRY = Message(vi="bài dự thi", en="entry")

_SORTS = {
    "year": SortOption(store.contests_table.c.year),
    "name": SortOption(store.contests_table.c.name_sort),
}


def public_of(row: Row[Any], entries: int) -> ContestPublic:
    return ContestPublic(
        id=row.id,
        name=row.name,
        level=row.level,
        year=row.year,
        unit_code=row.unit_id,
        held_on=row.held_on,
        created_by=row.created_by,
        created_at=row.created_at,
        entries=entries,
    )


def entry_of(row: Row[Any]) -> EntryPublic:
    return EntryPublic(
        id=row.id,
        kind=row.record_kind,
        record_id=row.record_id,
        record_name=row.record_name,
        unit_code=row.unit_id,
        prize=row.prize,
        score=row.score,
        remarks=row.remarks,
    )


class ContestHandlers:
    def __init__(self, runtime: ServiceRuntime, units: UnitTree, clock: Clock) -> None:
        self._runtime = runtime
        self._units = units
        self._clock = clock

    async def create(self, principal: Principal, command: ContestCreate) -> ContestDetail:
        require_role(principal, *DECIDERS)
        day = command.held_on or self._clock.today()
        unit_id = unit_for_fact(self._units, command.unit_code, day, field="unit_code")
        require_scope(self._units, principal, unit_id)
        if command.level is RecognitionLevel.DISTRICT and command.year >= REFORM_DATE.year + 1:
            raise ServiceError(
                ErrorCode.VALIDATION,
                Message(
                    vi="không tổ chức hội thi cấp huyện sau khi cấp huyện không còn",
                    en="no district-level contests after the districts ceased",
                ),
                [
                    ErrorDetail(
                        field="level",
                        reason=DISTRICTS_CEASED,
                    )
                ],
            )
        contest_id = uuid.uuid4()
        now = self._clock.now()
        values = {
            "id": str(contest_id),
            "name": command.name,
            "name_folded": fold(command.name),
            "name_sort": sort_string(command.name),
            "level": command.level.value,
            "year": command.year,
            "unit_id": unit_id,
            "held_on": command.held_on,
            "created_by": principal.sub,
            "created_at": now,
        }
        payload = ContestCreated(
            contest_id=contest_id,
            name=command.name,
            level=command.level,
            year=command.year,
            unit_code=unit_id,
            held_on=command.held_on,
            by=principal.sub,
        )
        async with transaction(self._runtime.db) as session:
            await store.insert_contest(session, values)
            await emit(
                session, self._units, [Fact(payload, str(contest_id), unit_id, day)], now=now
            )
        self._runtime.wake_relay()
        return await self.get(principal, ById(id=contest_id))

    async def _contest(self, session: AsyncSession, contest_id: uuid.UUID) -> Row[Any]:
        row = await store.get_contest(session, contest_id)
        if row is None:
            raise not_found(CONTEST, contest_id)
        return row

    async def add_entry(self, principal: Principal, command: EntryAdd) -> EntryPublic:
        require_role(principal, *WRITERS)
        async with transaction(self._runtime.db) as session:
            contest = await self._contest(session, command.contest_id)
            # The organising unit (or one above it) enters records: a commune whose model
            # may run in its city's contest does not enter it itself.
            require_scope(self._units, principal, contest.unit_id)
            kind = command.kind.value
            noun = RECORD_NOUNS[kind]
            record = await store.get_record(session, kind, command.record_id)
            if record is None:
                raise ServiceError(
                    ErrorCode.VALIDATION,
                    Message(
                        vi=f"không có {noun.vi} {command.record_id}",
                        en=f"no {noun.en} {command.record_id}",
                    ),
                    [
                        ErrorDetail(
                            field="record_id",
                            reason=Message(vi=f"không có {noun.vi} này", en=f"no such {noun.en}"),
                        )
                    ],
                )
            require_scope(self._units, principal, record.unit_id)
            self._check_eligible(contest, record, noun)
            if await store.find_entry(session, command.contest_id, kind, command.record_id):
                raise ServiceError(
                    ErrorCode.CONFLICT,
                    Message(
                        vi=f"{noun.vi} này đã tham gia hội thi",
                        en=f"the {noun.en} is already entered in this contest",
                    ),
                )
            entry_id = uuid.uuid4()
            await store.insert_entry(
                session,
                {
                    "id": str(entry_id),
                    "contest_id": contest.id,
                    "record_kind": kind,
                    "record_id": record.id,
                    "record_name": record.name,
                    "unit_id": record.unit_id,
                    "created_at": self._clock.now(),
                },
            )
            payload = ContestEntryAdded(
                contest_id=command.contest_id,
                entry_id=entry_id,
                kind=command.kind,
                record_id=command.record_id,
                unit_code=record.unit_id,
                by=principal.sub,
            )
            day = self._clock.today()
            await emit(
                session,
                self._units,
                [Fact(payload, contest.id, record.unit_id, day)],
                now=self._clock.now(),
            )
            entry = await store.get_entry(session, command.contest_id, entry_id)
        self._runtime.wake_relay()
        assert entry is not None
        return entry_of(entry)

    def _check_eligible(self, contest: Row[Any], record: Row[Any], noun: Message) -> None:
        scope = facts_scope(self._units, contest.unit_id)
        if scope is not None and record.unit_id not in scope:
            raise ServiceError(
                ErrorCode.VALIDATION,
                Message(
                    vi=f"{noun.vi} này không thuộc đơn vị tổ chức hội thi {contest.unit_id}",
                    en=f"the {noun.en} is not from the contest's unit {contest.unit_id}",
                ),
                [
                    ErrorDetail(
                        field="record_id",
                        reason=Message(
                            vi="nằm ngoài đơn vị tổ chức", en="outside the organising unit"
                        ),
                    )
                ],
            )
        if record.status == Status.WITHDRAWN.value:
            raise ServiceError(
                ErrorCode.CONFLICT,
                Message(vi=f"{noun.vi} này đã được rút", en=f"the {noun.en} was withdrawn"),
            )

    async def record_result(self, principal: Principal, command: ResultRecord) -> EntryPublic:
        require_role(principal, *DECIDERS)
        async with transaction(self._runtime.db) as session:
            contest = await self._contest(session, command.contest_id)
            require_scope(self._units, principal, contest.unit_id)
            entry = await store.get_entry(session, command.contest_id, command.entry_id)
            if entry is None:
                raise not_found(ENTRY, command.entry_id)
            await store.record_result(
                session,
                entry.id,
                {"prize": command.prize.value, "score": command.score, "remarks": command.remarks},
            )
            payload = ContestResultRecorded(
                contest_id=command.contest_id,
                entry_id=command.entry_id,
                kind=EntryKind(entry.record_kind),
                record_id=entry.record_id,
                unit_code=entry.unit_id,
                prize=command.prize,
                score=command.score,
                by=principal.sub,
            )
            day = self._clock.today()
            await emit(
                session,
                self._units,
                [Fact(payload, contest.id, entry.unit_id, day)],
                now=self._clock.now(),
            )
            entry = await store.get_entry(session, command.contest_id, command.entry_id)
        self._runtime.wake_relay()
        assert entry is not None
        return entry_of(entry)

    async def get(self, principal: Principal, request: ById) -> ContestDetail:
        async with self._runtime.db() as session:
            contest = await self._contest(session, request.id)
            entries = await store.entries_of(session, request.id)
        if not in_scope(self._units, principal, contest.unit_id) and not any(
            in_scope(self._units, principal, e.unit_id) for e in entries
        ):
            require_scope(self._units, principal, contest.unit_id)
        public = public_of(contest, len(entries))
        return ContestDetail(**public.model_dump(), results=[entry_of(e) for e in entries])

    async def list(self, principal: Principal, query: ContestQuery) -> Page[Any]:
        unit_id = listing_unit(self._units, principal, query.unit_code)
        sort = parse_sort(query.sort, _SORTS, default="-year")
        statement = store.contest_query(
            unit_ids=facts_scope(self._units, unit_id),
            year=query.year,
            level=query.level,
            q=query.q,
        )
        async with self._runtime.db() as session:
            rows, total, next_cursor = await fetch_page(
                session,
                statement,
                sort=sort,
                id_column=store.contests_table.c.id,
                limit=query.limit,
                cursor=query.cursor,
            )
            counts = await store.entry_counts(session, [r.id for r in rows])
        items = [public_of(r, counts.get(r.id, 0)) for r in rows]
        return Page[Any](data=items, total=total, next_cursor=next_cursor)
