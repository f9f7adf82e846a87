"""The rpc handlers of visits ("lượt tiếp") and of the heads' reception days."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.engine import Row

from danvan.access import facts_scope, listing_unit, require_role, require_scope, unit_in_scope
from danvan.contracts.paging import Page
from danvan.contracts.reception import (
    HEAD_MODES,
    ScheduleCompliance,
    ScheduleQuery,
    VisitCreate,
    VisitPublic,
    VisitQuery,
    VisitRecorded,
    VisitReplied,
    VisitReply,
)
from danvan.contracts.registry import ById
from danvan.contracts.rpc import WRITERS, ErrorCode, ErrorDetail, Message, Principal, ServiceError
from danvan.db import transaction
from danvan.emit import Fact, emit
from danvan.fact_units import unit_for_fact
from danvan.lifecycle import not_after_today, period_of, step_day
from danvan.messages import not_found
from danvan.pagination import SortOption, as_date, parse_sort, search_condition
from danvan.schedule import schedule_compliance, schedule_rule
from danvan.text import fold
from services.reception.cases import choose_case
from services.reception.context import ReceptionContext
from services.reception.deadlines import RuleCode, deadline_for
from services.reception.domain import (
    check_visit_mode,
    is_crowd,
    representative_warnings,
)
from services.reception.privacy import audit, audited_page, people_for
from services.reception.store import visits_table

V = visits_table
VISIT = Message(vi="lượt tiếp công dân", en="visit")

# The head's own reception days: in person, or (until 2026-06-30) by a delegated deputy.


def public_of(row: Row[Any], principal: Principal) -> tuple[VisitPublic, bool]:
    visitors, shown_visitors = people_for(principal, row.unit_id, row.visitors)
    representatives, shown_reps = people_for(principal, row.unit_id, row.representatives)
    public = VisitPublic(
        id=row.id,
        unit_code=row.unit_id,
        mode=row.mode,
        received_on=row.received_on,
        receiver_name=row.receiver_name,
        receiver_role=row.receiver_role,
        headcount=row.headcount,
        crowd=row.crowd,
        representatives_count=row.representatives_count,
        repeat=row.repeat,
        case_id=row.case_id,
        matter=row.matter,
        content=row.content,
        received_documents=row.received_documents,
        warnings=row.warnings,
        visitors=visitors,
        representatives=representatives,
        reply_due_on=row.reply_due_on,
        replied_on=row.replied_on,
        reply_summary=row.reply_summary,
        created_by=row.created_by,
        created_at=row.created_at,
    )
    return public, (shown_visitors or shown_reps) and not row.anonymised_at


class VisitHandlers:
    def __init__(self, context: ReceptionContext) -> None:
        self._c = context

    async def create(self, principal: Principal, command: VisitCreate) -> VisitPublic:
        require_role(principal, *WRITERS)
        today = self._c.clock.today()
        received_on = command.received_on or today
        not_after_today(received_on, today, "received_on")
        unit_id = unit_for_fact(self._c.units, command.unit_code, received_on, field="unit_code")
        require_scope(self._c.units, principal, unit_id)
        check_visit_mode(command.mode, command.receiver_role, received_on)
        threshold = self._c.crowd_threshold
        representatives = len(command.representatives)
        warnings = representative_warnings(command.headcount, representatives, threshold)
        now = self._c.clock.now()
        visit_id = str(uuid.uuid4())
        async with transaction(self._c.runtime.db) as session:
            choice = await choose_case(
                session,
                unit_id=unit_id,
                people=[*command.visitors, *command.representatives],
                matter=command.matter,
                case_id=command.case_id,
                new_case=command.new_case,
                day=received_on,
                now=now,
            )
            await session.execute(
                V.insert().values(
                    id=visit_id,
                    unit_id=unit_id,
                    case_id=str(choice.case_id),
                    mode=command.mode.value,
                    received_on=received_on,
                    receiver_name=command.receiver_name,
                    receiver_role=command.receiver_role.value,
                    headcount=command.headcount,
                    crowd=is_crowd(command.headcount, threshold),
                    representatives_count=representatives,
                    repeat=choice.repeat,
                    matter=command.matter,
                    search_folded=fold(f"{command.matter} {command.content}"),
                    content=command.content,
                    received_documents=command.received_documents,
                    warnings=[w.model_dump(mode="json") for w in warnings],
                    visitors=[p.model_dump(mode="json") for p in command.visitors],
                    representatives=[p.model_dump(mode="json") for p in command.representatives],
                    created_by=principal.sub,
                    created_at=now,
                    reply_due_on=deadline_for(RuleCode.RECEPTION_REPLY, received_on).due_on,
                )
            )
            recorded = VisitRecorded(
                visit_id=uuid.UUID(visit_id),
                case_id=choice.case_id,
                unit_code=unit_id,
                mode=command.mode,
                received_on=received_on,
                receiver_role=command.receiver_role,
                headcount=command.headcount,
                crowd=is_crowd(command.headcount, threshold),
                representatives=representatives,
                repeat=choice.repeat,
                matter=command.matter,
                warnings=warnings,
                by=principal.sub,
            )
            facts = [f for f in (choice.opened,) if f is not None]
            facts.append(Fact(recorded, visit_id, unit_id, received_on))
            await emit(session, self._c.units, facts, now=now)
            row = (await session.execute(select(V).where(V.c.id == visit_id))).one()
        self._c.runtime.wake_relay()
        return public_of(row, principal)[0]

    async def reply(self, principal: Principal, command: VisitReply) -> VisitPublic:
        """Record the reply the unit owed; it meets the visit's reply deadline."""
        require_role(principal, *WRITERS)
        today = self._c.clock.today()
        async with transaction(self._c.runtime.db) as session:
            row = (await session.execute(select(V).where(V.c.id == str(command.id)))).first()
            if row is None:
                raise not_found(VISIT, command.id)
            require_scope(self._c.units, principal, row.unit_id)
            if row.replied_on is not None:
                raise ServiceError(
                    ErrorCode.CONFLICT,
                    Message(
                        vi=f"lượt tiếp này đã được trả lời ngày {row.replied_on}",
                        en=f"the visit was replied to on {row.replied_on}",
                    ),
                )
            on = step_day(command.on, row.received_on, today, VISIT)
            await session.execute(
                update(V)
                .where(V.c.id == row.id)
                .values(replied_on=on, reply_summary=command.summary)
            )
            due_on = row.reply_due_on or on
            replied = VisitReplied(
                visit_id=uuid.UUID(row.id),
                unit_code=row.unit_id,
                on=on,
                due_on=due_on,
                on_time=on <= due_on,
                by=principal.sub,
            )
            await emit(
                session,
                self._c.units,
                [Fact(replied, row.id, row.unit_id, on)],
                now=self._c.clock.now(),
            )
            row = (await session.execute(select(V).where(V.c.id == row.id))).one()
        self._c.runtime.wake_relay()
        return public_of(row, principal)[0]

    async def get(self, principal: Principal, request: ById) -> VisitPublic:
        async with transaction(self._c.runtime.db) as session:
            row = (await session.execute(select(V).where(V.c.id == str(request.id)))).first()
            if row is None:
                raise not_found(VISIT, request.id)
            require_scope(self._c.units, principal, row.unit_id)
            public, shown = public_of(row, principal)
            if shown:
                await audit(
                    session,
                    principal,
                    action="read",
                    record_kind="visit",
                    reads=[(row.id, row.unit_id)],
                    now=self._c.clock.now(),
                )
        return public

    async def list(self, principal: Principal, query: VisitQuery) -> Page[Any]:
        unit_id = listing_unit(self._c.units, principal, query.unit_code)
        sort = parse_sort(
            query.sort, {"received_on": SortOption(V.c.received_on, as_date)}, "-received_on"
        )
        statement = select(V)
        scope = facts_scope(self._c.units, unit_id)
        if scope is not None:
            statement = statement.where(V.c.unit_id.in_(sorted(scope)))
        if query.mode:
            statement = statement.where(V.c.mode == query.mode.value)
        if query.crowd is not None:
            statement = statement.where(V.c.crowd.is_(query.crowd))
        if query.received_from:
            statement = statement.where(V.c.received_on >= query.received_from)
        if query.received_to:
            statement = statement.where(V.c.received_on <= query.received_to)
        if query.q and query.q.strip():
            statement = statement.where(search_condition(V.c.search_folded, query.q))
        async with transaction(self._c.runtime.db) as session:
            return await audited_page(
                session,
                principal,
                statement,
                sort=sort,
                id_column=V.c.id,
                query=query,
                record_kind="visit",
                show=public_of,
                now=self._c.clock.now(),
            )

    async def schedule(self, principal: Principal, query: ScheduleQuery) -> ScheduleCompliance:
        unit = unit_in_scope(self._c.units, principal, query.unit_code)
        period = period_of(query.period)
        rule = schedule_rule(unit.level)
        if rule is None:
            raise ServiceError(
                ErrorCode.VALIDATION,
                Message(
                    vi="luật chỉ quy định ngày tiếp công dân cho cấp tỉnh, cấp huyện và cấp xã",
                    en="the law sets reception days for provinces, districts and communes",
                ),
                [
                    ErrorDetail(
                        field="unit_code",
                        reason=Message(
                            vi=f"cấp {unit.level.value} không có lịch tiếp công dân",
                            en=f"{unit.level.value} has no schedule",
                        ),
                    )
                ],
            )
        first, last = period.date_range()
        # A week across the period's edges counts where its Thursday is: read its other days.
        start, end = first - timedelta(days=6), last + timedelta(days=6)
        async with self._c.runtime.db() as session:
            held = (
                await session.scalars(
                    select(V.c.received_on).where(
                        and_(
                            V.c.unit_id == unit.id,
                            V.c.mode.in_(sorted(HEAD_MODES)),
                            V.c.received_on >= start,
                            V.c.received_on <= end,
                        )
                    )
                )
            ).all()
        result = schedule_compliance(rule, period, held, self._c.clock.today())
        return ScheduleCompliance(
            unit_code=unit.id,
            period=period.code,
            required_days=result.required_days,
            held_days=result.held_days,
            kept=result.kept,
            rule=rule.basis,
            held_on=sorted({day for day in held if first <= day <= last}),
            missing_periods=result.missing,
        )
