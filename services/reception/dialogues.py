"""Dialogue conferences ("hội nghị tiếp xúc, đối thoại") and the follow-ups they promised."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from danvan.access import facts_scope, listing_unit, require_role, require_scope
from danvan.contracts.paging import Page
from danvan.contracts.reception import (
    DialogueCreate,
    DialogueHeld,
    DialogueLevel,
    DialoguePublic,
    DialogueQuery,
    FollowUpPublic,
    FollowUpStatus,
    FollowUpUpdate,
    FollowUpUpdated,
)
from danvan.contracts.registry import ById
from danvan.contracts.rpc import WRITERS, ErrorCode, ErrorDetail, Message, Principal, ServiceError
from danvan.db import transaction
from danvan.emit import Fact, emit
from danvan.fact_units import DISTRICTS_CEASED, unit_for_fact
from danvan.lifecycle import not_after_today
from danvan.messages import not_found
from danvan.pagination import SortOption, as_date, fetch_page, parse_sort, search_condition
from danvan.text import fold
from danvan.units.model import REFORM_DATE
from services.reception.context import ReceptionContext
from services.reception.store import dialogues_table as DG
from services.reception.store import follow_ups_table as FU

DIALOGUE = Message(vi="hội nghị đối thoại", en="dialogue")
FOLLOW_UP = Message(vi="việc cần theo dõi sau đối thoại", en="follow-up")


class DialogueHandlers:
    def __init__(self, context: ReceptionContext) -> None:
        self._c = context

    def _public(self, row: Row[Any], follow_ups: Sequence[Row[Any]]) -> DialoguePublic:
        today = self._c.clock.today()
        return DialoguePublic(
            id=row.id,
            unit_code=row.unit_id,
            level=row.level,
            held_on=row.held_on,
            chair=row.chair,
            participants=row.participants,
            opinions_raised=row.opinions_raised,
            topic=row.topic,
            follow_ups=[
                FollowUpPublic(
                    id=f.id,
                    description=f.description,
                    owner=f.owner,
                    due_on=f.due_on,
                    status=f.status,
                    done_on=f.done_on,
                    overdue=f.status == FollowUpStatus.PENDING.value and f.due_on < today,
                )
                for f in follow_ups
            ],
        )

    async def _follow_ups(
        self, session: AsyncSession, dialogue_ids: Sequence[str]
    ) -> dict[str, list[Row[Any]]]:
        """The follow-ups of several dialogues in one query."""
        rows = (
            await session.execute(
                select(FU)
                .where(FU.c.dialogue_id.in_(list(dialogue_ids)))
                .order_by(FU.c.due_on, FU.c.id)
            )
        ).all()
        found: dict[str, list[Row[Any]]] = {dialogue_id: [] for dialogue_id in dialogue_ids}
        for row in rows:
            found[row.dialogue_id].append(row)
        return found

    async def _load(self, session: AsyncSession, dialogue_id: str) -> DialoguePublic:
        row = (await session.execute(select(DG).where(DG.c.id == dialogue_id))).first()
        if row is None:
            raise not_found(DIALOGUE, dialogue_id)
        follow_ups = await self._follow_ups(session, [dialogue_id])
        return self._public(row, follow_ups[dialogue_id])

    async def create(self, principal: Principal, command: DialogueCreate) -> DialoguePublic:
        require_role(principal, *WRITERS)
        today = self._c.clock.today()
        not_after_today(command.held_on, today, "held_on")
        if command.level is DialogueLevel.DISTRICT and command.held_on >= REFORM_DATE:
            raise ServiceError(
                ErrorCode.VALIDATION,
                DISTRICTS_CEASED,
                [
                    ErrorDetail(
                        field="level",
                        reason=Message(
                            vi=f"không còn cấp huyện sau ngày {REFORM_DATE}",
                            en=f"no districts after {REFORM_DATE}",
                        ),
                    )
                ],
            )
        unit_id = unit_for_fact(
            self._c.units, command.unit_code, command.held_on, field="unit_code"
        )
        require_scope(self._c.units, principal, unit_id)
        dialogue_id = str(uuid.uuid4())
        now = self._c.clock.now()
        async with transaction(self._c.runtime.db) as session:
            await session.execute(
                DG.insert().values(
                    id=dialogue_id,
                    unit_id=unit_id,
                    level=command.level.value,
                    held_on=command.held_on,
                    chair=command.chair,
                    participants=command.participants,
                    opinions_raised=command.opinions_raised,
                    topic=command.topic,
                    search_folded=fold(f"{command.topic} {command.chair}"),
                    created_by=principal.sub,
                    created_at=now,
                )
            )
            if command.follow_ups:
                await session.execute(
                    FU.insert(),
                    [
                        {
                            "id": str(uuid.uuid4()),
                            "dialogue_id": dialogue_id,
                            "description": f.description,
                            "owner": f.owner,
                            "due_on": f.due_on,
                            "status": FollowUpStatus.PENDING.value,
                            "done_on": None,
                            "remarks": "",
                        }
                        for f in command.follow_ups
                    ],
                )
            held = DialogueHeld(
                dialogue_id=uuid.UUID(dialogue_id),
                unit_code=unit_id,
                level=command.level,
                held_on=command.held_on,
                participants=command.participants,
                opinions_raised=command.opinions_raised,
                follow_ups=len(command.follow_ups),
                by=principal.sub,
            )
            await emit(
                session,
                self._c.units,
                [Fact(held, dialogue_id, unit_id, command.held_on)],
                now=now,
            )
            public = await self._load(session, dialogue_id)
        self._c.runtime.wake_relay()
        return public

    async def follow_up(self, principal: Principal, command: FollowUpUpdate) -> DialoguePublic:
        require_role(principal, *WRITERS)
        dialogue_id = str(command.dialogue_id)
        today = self._c.clock.today()
        on = command.on or today
        not_after_today(on, today, "on")
        async with transaction(self._c.runtime.db) as session:
            dialogue = await self._load(session, dialogue_id)
            require_scope(self._c.units, principal, dialogue.unit_code)
            follow_up = (
                await session.execute(
                    select(FU).where(
                        and_(FU.c.dialogue_id == dialogue_id, FU.c.id == str(command.follow_up_id))
                    )
                )
            ).first()
            if follow_up is None:
                raise not_found(FOLLOW_UP, command.follow_up_id)
            done_on = on if command.status is FollowUpStatus.DONE else None
            await session.execute(
                update(FU)
                .where(FU.c.id == follow_up.id)
                .values(status=command.status.value, done_on=done_on, remarks=command.remarks)
            )
            updated = FollowUpUpdated(
                dialogue_id=command.dialogue_id,
                follow_up_id=command.follow_up_id,
                unit_code=dialogue.unit_code,
                status=command.status,
                due_on=follow_up.due_on,
                on=on,
                on_time=on <= follow_up.due_on,
                by=principal.sub,
            )
            await emit(
                session,
                self._c.units,
                [Fact(updated, dialogue_id, dialogue.unit_code, on)],
                now=self._c.clock.now(),
            )
            public = await self._load(session, dialogue_id)
        self._c.runtime.wake_relay()
        return public

    async def get(self, principal: Principal, request: ById) -> DialoguePublic:
        async with self._c.runtime.db() as session:
            public = await self._load(session, str(request.id))
        require_scope(self._c.units, principal, public.unit_code)
        return public

    async def list(self, principal: Principal, query: DialogueQuery) -> Page[Any]:
        unit_id = listing_unit(self._c.units, principal, query.unit_code)
        sort = parse_sort(query.sort, {"held_on": SortOption(DG.c.held_on, as_date)}, "-held_on")
        statement = select(DG)
        scope = facts_scope(self._c.units, unit_id)
        if scope is not None:
            statement = statement.where(DG.c.unit_id.in_(sorted(scope)))
        if query.level:
            statement = statement.where(DG.c.level == query.level.value)
        if query.held_from:
            statement = statement.where(DG.c.held_on >= query.held_from)
        if query.held_to:
            statement = statement.where(DG.c.held_on <= query.held_to)
        if query.q and query.q.strip():
            statement = statement.where(search_condition(DG.c.search_folded, query.q))
        async with self._c.runtime.db() as session:
            rows, total, next_cursor = await fetch_page(
                session,
                statement,
                sort=sort,
                id_column=DG.c.id,
                limit=query.limit,
                cursor=query.cursor,
            )
            follow_ups = await self._follow_ups(session, [row.id for row in rows])
        items = [self._public(row, follow_ups[row.id]) for row in rows]
        return Page[Any](data=items, total=total, next_cursor=next_cursor)
