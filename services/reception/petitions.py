"""The rpc handlers of petitions: receiving, each handling step with the deadlines it starts
and meets, one petition with its history and deadlines, and lists."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from danvan.access import (
    facts_scope,
    listing_unit,
    no_unit_with_code,
    require_role,
    require_scope,
    unknown_unit,
)
from danvan.contracts.paging import Page
from danvan.contracts.reception import (
    PETITION_STEP_EVENTS,
    DeadlinePublic,
    PetitionAction,
    PetitionClass,
    PetitionCreate,
    PetitionDetail,
    PetitionHistoryEntry,
    PetitionPublic,
    PetitionQuery,
    PetitionReceived,
    PetitionSource,
    PetitionStatus,
    PetitionStepBody,
    Sector,
)
from danvan.contracts.registry import ById
from danvan.contracts.rpc import WRITERS, ErrorCode, ErrorDetail, Message, Principal, ServiceError
from danvan.db import transaction
from danvan.emit import Fact, emit
from danvan.fact_units import unit_for_fact
from danvan.lifecycle import changed_meanwhile, not_after_today
from danvan.messages import not_found
from danvan.pagination import SortOption, as_date, parse_sort, search_condition
from danvan.text import fold
from services.reception import store
from services.reception.cases import choose_case
from services.reception.context import ReceptionContext
from services.reception.deadlines import Deadline, rule_in_force
from services.reception.domain import (
    CLOSED,
    PETITION,
    OpenDeadline,
    PetitionOutcome,
    PetitionState,
    plan_petition_step,
    receipt_deadlines,
)
from services.reception.privacy import audit, audited_page, people_for

P = store.petitions_table
D = store.deadlines_table


def deadline_row(petition_id: str, unit_id: str, deadline: Deadline) -> dict[str, Any]:
    rule = rule_in_force(deadline.rule_code, deadline.started_on)
    return {
        "petition_id": petition_id,
        "unit_id": unit_id,
        "rule_code": deadline.rule_code.value,
        "basis": deadline.basis,
        "label_vi": rule.label_vi,
        "label_en": rule.label_en,
        "started_on": deadline.started_on,
        "due_on": deadline.due_on,
        "met_on": None,
        "state": "open",
        "overdue_at": None,
    }


async def open_deadlines(session: AsyncSession, petition_id: str) -> Sequence[Row[Any]]:
    result = await session.execute(
        select(D).where(and_(D.c.petition_id == petition_id, D.c.state == "open")).order_by(D.c.id)
    )
    return result.all()


async def refresh_due(session: AsyncSession, petition_id: str, today: date) -> None:
    """Keep the petition's earliest open deadline and its overdue flag with the row."""
    rows = await open_deadlines(session, petition_id)
    next_due = min((r.due_on for r in rows), default=None)
    await session.execute(
        update(P)
        .where(P.c.id == petition_id)
        .values(next_due_on=next_due, overdue=any(r.due_on < today for r in rows))
    )


def state_of(row: Row[Any], deadlines: Sequence[Row[Any]]) -> PetitionState:
    return PetitionState(
        id=uuid.UUID(row.id),
        unit_id=row.unit_id,
        petition_class=PetitionClass(row.petition_class),
        status=PetitionStatus(row.status),
        version=row.version,
        received_on=row.received_on,
        last_step_on=row.last_step_on,
        remote_area=row.remote_area,
        second_instance=row.first_instance_id is not None,
        accepted_on=row.accepted_on,
        complex=row.complex,
        especially_complex=row.especially_complex,
        extensions=row.extensions,
        open_deadlines=tuple(OpenDeadline(d.rule_code, d.due_on, d.started_on) for d in deadlines),
    )


def public_of(row: Row[Any], principal: Principal) -> tuple[PetitionPublic, bool]:
    (petitioner,), shown = people_for(principal, row.unit_id, [row.petitioner])
    public = PetitionPublic(
        id=row.id,
        unit_code=row.unit_id,
        received_on=row.received_on,
        source=row.source,
        forwarded_by=row.forwarded_by,
        petition_class=row.petition_class,
        sector=row.sector,
        status=row.status,
        version=row.version,
        petitioner={**petitioner.model_dump(), "kind": row.petitioner_kind},
        respondent=row.respondent,
        summary=row.summary,
        remote_area=row.remote_area,
        case_id=row.case_id,
        first_instance_id=row.first_instance_id,
        next_due_on=row.next_due_on,
        overdue=row.overdue,
        conclusion=row.conclusion,
        created_by=row.created_by,
        updated_at=row.updated_at,
    )
    return public, shown and not row.anonymised_at


class PetitionHandlers:
    def __init__(self, context: ReceptionContext) -> None:
        self._c = context

    # ---- receiving ---------------------------------------------------------------------------

    def _check_new(self, principal: Principal, command: PetitionCreate) -> tuple[str, date]:
        require_role(principal, *WRITERS)
        today = self._c.clock.today()
        received_on = command.received_on or today
        not_after_today(received_on, today, "received_on")
        unit_id = unit_for_fact(self._c.units, command.unit_code, received_on, field="unit_code")
        require_scope(self._c.units, principal, unit_id)
        address = command.petitioner.address
        if address is not None and address.unit_code not in self._c.units:
            raise ServiceError(
                ErrorCode.VALIDATION,
                unknown_unit(address.unit_code),
                [
                    ErrorDetail(
                        field="petitioner.address.unit_code",
                        reason=no_unit_with_code(address.unit_code),
                    )
                ],
            )
        if command.source is PetitionSource.FORWARDED and not command.forwarded_by:
            raise ServiceError(
                ErrorCode.VALIDATION,
                Message(
                    vi="đơn thư được chuyển đến phải ghi rõ cơ quan đã chuyển",
                    en="a forwarded petition names the body that forwarded it",
                ),
                [
                    ErrorDetail(
                        field="forwarded_by",
                        reason=Message(
                            vi="bắt buộc khi nguồn đơn (source) là forwarded",
                            en="required when source is forwarded",
                        ),
                    )
                ],
            )
        return unit_id, received_on

    async def _first_instance(
        self, session: AsyncSession, command: PetitionCreate
    ) -> Row[Any] | None:
        if command.first_instance_id is None:
            return None
        first = (
            await session.execute(select(P).where(P.c.id == str(command.first_instance_id)))
        ).first()
        if first is None or first.petition_class not in ("complaint", "mixed"):
            raise ServiceError(
                ErrorCode.VALIDATION,
                Message(
                    vi="khiếu nại lần hai phải tiếp theo một khiếu nại lần đầu đã có trong hồ sơ",
                    en="a second-instance complaint follows a first complaint on file",
                ),
                [
                    ErrorDetail(
                        field="first_instance_id",
                        reason=Message(vi="không có khiếu nại này", en="no such complaint"),
                    )
                ],
            )
        if command.petition_class is not PetitionClass.COMPLAINT:
            raise ServiceError(
                ErrorCode.VALIDATION,
                Message(
                    vi="chỉ khiếu nại mới có lần giải quyết thứ hai",
                    en="only a complaint has a second instance",
                ),
                [
                    ErrorDetail(
                        field="petition_class",
                        reason=Message(vi="phải là complaint", en="must be complaint"),
                    )
                ],
            )
        return first

    async def create(self, principal: Principal, command: PetitionCreate) -> PetitionPublic:
        unit_id, received_on = self._check_new(principal, command)
        now = self._c.clock.now()
        petition_id = str(uuid.uuid4())
        async with transaction(self._c.runtime.db) as session:
            first = await self._first_instance(session, command)
            choice = await choose_case(
                session,
                unit_id=unit_id,
                people=[command.petitioner],
                matter=command.summary,
                case_id=uuid.UUID(first.case_id) if first is not None else command.case_id,
                new_case=command.new_case,
                day=received_on,
                now=now,
            )
            deadlines = receipt_deadlines(
                command.petition_class,
                received_on,
                remote_area=command.remote_area,
                settings=self._c.deadlines,
            )
            address = command.petitioner.address
            await session.execute(
                P.insert().values(
                    id=petition_id,
                    unit_id=unit_id,
                    case_id=str(choice.case_id),
                    visit_id=str(command.visit_id) if command.visit_id else None,
                    first_instance_id=first.id if first is not None else None,
                    received_on=received_on,
                    source=command.source.value,
                    forwarded_by=command.forwarded_by,
                    petition_class=command.petition_class.value,
                    sector=command.sector.value,
                    status=PetitionStatus.RECEIVED.value,
                    version=1,
                    petitioner=command.petitioner.model_dump(mode="json", exclude={"kind"}),
                    petitioner_kind=command.petitioner.kind.value,
                    petitioner_unit_id=address.unit_code if address else None,
                    respondent=command.respondent,
                    summary=command.summary,
                    search_folded=fold(f"{command.summary} {command.respondent}"),
                    content=command.content,
                    attachments=[a.model_dump(mode="json") for a in command.attachments],
                    remote_area=command.remote_area,
                    complex=False,
                    especially_complex=False,
                    extensions=0,
                    last_step_on=received_on,
                    next_due_on=min((d.due_on for d in deadlines), default=None),
                    overdue=False,
                    created_by=principal.sub,
                    created_at=now,
                    updated_at=now,
                )
            )
            if deadlines:
                await session.execute(
                    D.insert(), [deadline_row(petition_id, unit_id, d) for d in deadlines]
                )
            if command.visit_id is not None:
                # What the visit raised is now a petition with deadlines of its own: the visit
                # owes no separate reply.
                await session.execute(
                    update(store.visits_table)
                    .where(
                        and_(
                            store.visits_table.c.id == str(command.visit_id),
                            store.visits_table.c.replied_on.is_(None),
                        )
                    )
                    .values(reply_due_on=None)
                )
            await self._history(
                session,
                petition_id,
                1,
                "received",
                PetitionStatus.RECEIVED,
                received_on,
                principal,
                {},
            )
            received = PetitionReceived(
                petition_id=uuid.UUID(petition_id),
                unit_code=unit_id,
                petition_class=command.petition_class,
                sector=command.sector,
                status=PetitionStatus.RECEIVED,
                record_version=1,
                on=received_on,
                by=principal.sub,
                case_id=choice.case_id,
                source=command.source,
                petitioner_kind=command.petitioner.kind,
                petitioner_unit_code=address.unit_code if address else None,
                remote_area=command.remote_area,
                first_instance_id=command.first_instance_id,
                due_on=min((d.due_on for d in deadlines), default=None),
            )
            facts = [f for f in (choice.opened,) if f is not None]
            facts.append(Fact(received, petition_id, unit_id, received_on))
            await emit(session, self._c.units, facts, now=now)
            row = await self._load(session, petition_id)
        self._c.runtime.wake_relay()
        return public_of(row, principal)[0]

    async def _history(
        self,
        session: AsyncSession,
        petition_id: str,
        version: int,
        action: str,
        status: PetitionStatus,
        on: date,
        principal: Principal,
        details: dict[str, Any],
    ) -> None:
        await session.execute(
            store.petition_history_table.insert().values(
                petition_id=petition_id,
                version=version,
                action=action,
                status=status.value,
                on=on,
                by=principal.sub,
                at=self._c.clock.now(),
                details=details,
            )
        )

    async def _load(self, session: AsyncSession, petition_id: str) -> Row[Any]:
        row = (await session.execute(select(P).where(P.c.id == petition_id))).first()
        if row is None:
            raise not_found(PETITION, petition_id)
        return row

    # ---- handling steps ------------------------------------------------------------------------

    def step(self, action: PetitionAction) -> Callable[[Principal, Any], Awaitable[PetitionPublic]]:
        async def handle(principal: Principal, request: Any) -> PetitionPublic:
            return await self._step(action, principal, request)

        return handle

    async def _step(
        self, action: PetitionAction, principal: Principal, request: PetitionStepBody
    ) -> PetitionPublic:
        petition_id = str(request.id)  # type: ignore[attr-defined]
        today = self._c.clock.today()
        async with transaction(self._c.runtime.db) as session:
            row = await self._load(session, petition_id)
            deadlines = await open_deadlines(session, petition_id)
            state = state_of(row, deadlines)
            outcome = plan_petition_step(
                action, request, state, principal, self._c.units, today, self._c.deadlines
            )
            met = await self._settle_deadlines(session, outcome, deadlines)
            await self._save(session, row, outcome)
            if outcome.starts:
                await session.execute(
                    D.insert(), [deadline_row(petition_id, row.unit_id, d) for d in outcome.starts]
                )
            await refresh_due(session, petition_id, today)
            await self._history(
                session,
                petition_id,
                outcome.version,
                action.value,
                outcome.status,
                outcome.on,
                principal,
                outcome.details,
            )
            row = await self._load(session, petition_id)
            fact = self._step_fact(outcome, row, principal, met)
            await emit(session, self._c.units, [fact], now=self._c.clock.now())
        self._c.runtime.wake_relay()
        return public_of(row, principal)[0]

    async def _settle_deadlines(
        self, session: AsyncSession, outcome: PetitionOutcome, deadlines: Sequence[Row[Any]]
    ) -> dict[str, bool]:
        """Mark the deadlines the step meets (on time or late), those it supersedes (an
        extension, a new class), and, on withdrawal, ends the rest. Rule → met on time."""
        met: dict[str, bool] = {}
        for deadline in deadlines:
            if deadline.rule_code in outcome.supersedes:
                state = "superseded"
            elif deadline.rule_code not in outcome.meets:
                continue
            elif outcome.action is PetitionAction.WITHDRAW:
                state = "closed"
            else:
                state = "met" if outcome.on <= deadline.due_on else "missed"
                met[deadline.rule_code] = outcome.on <= deadline.due_on
            await session.execute(
                update(D).where(D.c.id == deadline.id).values(state=state, met_on=outcome.on)
            )
        return met

    async def _save(self, session: AsyncSession, row: Row[Any], outcome: PetitionOutcome) -> None:
        values: dict[str, Any] = {
            "status": outcome.status.value,
            "version": outcome.version,
            "last_step_on": outcome.on,
            "updated_at": self._c.clock.now(),
        }
        for key, value in outcome.updates.items():
            values[key] = value.value if hasattr(value, "value") else value
        if outcome.status in CLOSED or outcome.status is PetitionStatus.CONCLUDED:
            values["closed_on"] = outcome.on
        result = await session.execute(
            update(P).where(and_(P.c.id == row.id, P.c.version == row.version)).values(**values)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            raise changed_meanwhile(PETITION)

    def _step_fact(
        self, outcome: PetitionOutcome, row: Row[Any], principal: Principal, met: dict[str, bool]
    ) -> Fact:
        common: dict[str, Any] = {
            "petition_id": uuid.UUID(row.id),
            "unit_code": row.unit_id,
            "petition_class": PetitionClass(row.petition_class),
            "sector": Sector(row.sector),
            "status": outcome.status,
            "record_version": outcome.version,
            "on": outcome.on,
            "by": principal.sub,
        }
        extra: dict[str, Any] = {}
        on_time = all(met.values())
        if outcome.action is PetitionAction.REJECT:
            extra = {"reason": outcome.details["reason"]}
        elif outcome.action is PetitionAction.FORWARD:
            extra = {
                "to_body": outcome.details["to_body"],
                "dispatch_number": outcome.details["dispatch_number"],
                "on_time": on_time,
            }
        elif outcome.action is PetitionAction.ACCEPT:
            first = outcome.starts[-1] if outcome.starts else None
            extra = {
                "rule_code": first.rule_code.value if first else "",
                "due_on": first.due_on if first else outcome.on,
                "on_time": on_time,
            }
        elif outcome.action is PetitionAction.EXTEND:
            extra = {
                "decision_number": outcome.details["decision_number"],
                "due_on": outcome.starts[0].due_on,
            }
        elif outcome.action is PetitionAction.CONCLUDE:
            accepted_on = row.accepted_on or row.received_on
            extra = {
                "conclusion": outcome.details["conclusion"],
                "decision_number": outcome.details["decision_number"],
                "on_time": on_time,
                "days_to_resolve": (outcome.on - accepted_on).days,
            }
        payload = PETITION_STEP_EVENTS[outcome.action](**common, **extra)
        return Fact(payload, row.id, row.unit_id, outcome.on)

    # ---- queries ---------------------------------------------------------------------------------

    async def get(self, principal: Principal, request: ById) -> PetitionDetail:
        petition_id = str(request.id)
        async with transaction(self._c.runtime.db) as session:
            row = await self._load(session, petition_id)
            require_scope(self._c.units, principal, row.unit_id)
            public, shown = public_of(row, principal)
            deadlines = (
                await session.execute(
                    select(D).where(D.c.petition_id == petition_id).order_by(D.c.id)
                )
            ).all()
            history = (
                await session.execute(
                    select(store.petition_history_table)
                    .where(store.petition_history_table.c.petition_id == petition_id)
                    .order_by(store.petition_history_table.c.version)
                )
            ).all()
            if shown:
                await audit(
                    session,
                    principal,
                    action="read",
                    record_kind="petition",
                    reads=[(row.id, row.unit_id)],
                    now=self._c.clock.now(),
                )
        today = self._c.clock.today()
        return PetitionDetail(
            **public.model_dump(),
            content=row.content,
            attachments=row.attachments,
            deadlines=[
                DeadlinePublic(
                    rule_code=d.rule_code,
                    basis=d.basis,
                    label=d.label_vi,
                    started_on=d.started_on,
                    due_on=d.due_on,
                    met_on=d.met_on,
                    state=d.state,
                    overdue=d.state == "open" and d.due_on < today,
                )
                for d in deadlines
            ],
            history=[
                PetitionHistoryEntry(
                    version=h.version,
                    action=h.action,
                    status=h.status,
                    on=h.on,
                    by=h.by,
                    at=h.at,
                    details=h.details,
                )
                for h in history
            ],
        )

    async def list(self, principal: Principal, query: PetitionQuery) -> Page[Any]:
        unit_id = listing_unit(self._c.units, principal, query.unit_code)
        sort = parse_sort(
            query.sort,
            {
                "received_on": SortOption(P.c.received_on, as_date),
                "next_due_on": SortOption(P.c.next_due_on, as_date),
                "status": SortOption(P.c.status),
            },
            default="-received_on",
        )
        statement = self._query(query, facts_scope(self._c.units, unit_id))
        async with transaction(self._c.runtime.db) as session:
            return await audited_page(
                session,
                principal,
                statement,
                sort=sort,
                id_column=P.c.id,
                query=query,
                record_kind="petition",
                show=public_of,
                now=self._c.clock.now(),
            )

    def _query(self, query: PetitionQuery, unit_ids: frozenset[str] | None) -> Any:
        statement = select(P)
        if unit_ids is not None:
            statement = statement.where(P.c.unit_id.in_(sorted(unit_ids)))
        if query.petition_class:
            statement = statement.where(P.c.petition_class == query.petition_class.value)
        if query.sector:
            statement = statement.where(P.c.sector == query.sector.value)
        if query.status:
            statement = statement.where(P.c.status.in_([s.value for s in query.status]))
        if query.overdue is not None:
            statement = statement.where(P.c.overdue.is_(query.overdue))
        within = query.due_within_days
        if query.nearly_due:
            within = self._c.nearly_due_days
        if within is not None:
            today = self._c.clock.today()
            horizon = today + timedelta(days=within)
            statement = statement.where(and_(P.c.next_due_on >= today, P.c.next_due_on <= horizon))
        if query.received_from:
            statement = statement.where(P.c.received_on >= query.received_from)
        if query.received_to:
            statement = statement.where(P.c.received_on <= query.received_to)
        if query.q and query.q.strip():
            statement = statement.where(search_condition(P.c.search_folded, query.q))
        return statement
