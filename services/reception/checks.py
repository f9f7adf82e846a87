"""The scheduled check: deadlines that passed become overdue (one event per deadline, however
many times or copies run it), each unit's daily digest is published once, and the personal
data of cases closed longer than the retention period is anonymised, with an audit record."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, distinct, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from danvan.access import facts_scope, listing_unit, require_nation, require_role, unit_in_scope
from danvan.contracts.paging import Page
from danvan.contracts.reception import (
    PETITION_CLASS_LABELS,
    AuditEntry,
    AuditQuery,
    CheckResult,
    ClassDeadlines,
    DeadlineSummary,
    Digest,
    DigestItem,
    DigestPublished,
    DigestQuery,
    Person,
    PetitionClass,
    PetitionOverdue,
    PetitionStatus,
    Sector,
    VisitReplyOverdue,
)
from danvan.contracts.registry import NoArguments
from danvan.contracts.rpc import Principal, Role
from danvan.db import transaction, upsert_insert
from danvan.emit import Fact, emit
from danvan.pagination import SortOption, as_datetime, fetch_page, parse_sort
from services.reception.context import ReceptionContext
from services.reception.domain import masked
from services.reception.petitions import refresh_due
from services.reception.privacy import audit
from services.reception.store import (
    audit_table,
    case_people_table,
    deadlines_table,
    digests_table,
    petitions_table,
    visits_table,
)

D = deadlines_table
P = petitions_table
SYSTEM = Principal(sub="system:retention", unit="VN", roles=(Role.ADMIN,))


class Checks:
    def __init__(self, context: ReceptionContext, retention_days: int) -> None:
        self._c = context
        self._retention = timedelta(days=retention_days)

    async def run(self) -> CheckResult:
        today = self._c.clock.today()
        overdue = await self.mark_overdue(today)
        digests = await self.publish_digests(today)
        anonymised = await self.anonymise(today)
        return CheckResult(overdue_marked=overdue, digests_published=digests, anonymised=anonymised)

    async def run_by_request(self, principal: Principal, _request: NoArguments) -> CheckResult:
        require_role(principal, Role.ADMIN)
        require_nation(principal)
        return await self.run()

    # ---- overdue ---------------------------------------------------------------------------

    async def mark_overdue(self, today: date) -> int:
        marked = await self._mark_petitions_overdue(today)
        marked += await self._mark_replies_overdue(today)
        if marked:
            self._c.runtime.wake_relay()
        return marked

    async def _mark_replies_overdue(self, today: date) -> int:
        V = visits_table
        async with self._c.runtime.db() as session:
            late = (
                await session.scalars(
                    select(V.c.id).where(
                        and_(
                            V.c.replied_on.is_(None),
                            V.c.reply_due_on < today,
                            V.c.reply_overdue_at.is_(None),
                        )
                    )
                )
            ).all()
        marked = 0
        for visit_id in late:
            async with transaction(self._c.runtime.db) as session:
                claimed = await session.execute(
                    update(V)
                    .where(and_(V.c.id == visit_id, V.c.reply_overdue_at.is_(None)))
                    .values(reply_overdue_at=self._c.clock.now())
                )
                if not claimed.rowcount:  # type: ignore[attr-defined]
                    continue
                visit = (await session.execute(select(V).where(V.c.id == visit_id))).one()
                payload = VisitReplyOverdue(
                    visit_id=uuid.UUID(visit.id), unit_code=visit.unit_id, due_on=visit.reply_due_on
                )
                day = visit.reply_due_on + timedelta(days=1)
                fact = Fact(payload, visit.id, visit.unit_id, day)
                await emit(session, self._c.units, [fact], now=self._c.clock.now())
                marked += 1
        return marked

    async def _mark_petitions_overdue(self, today: date) -> int:
        async with self._c.runtime.db() as session:
            passed = (
                await session.execute(
                    select(D.c.id).where(
                        and_(D.c.state == "open", D.c.due_on < today, D.c.overdue_at.is_(None))
                    )
                )
            ).all()
        marked = 0
        for (deadline_id,) in passed:
            marked += await self._mark_one(deadline_id, today)
        return marked

    async def _mark_one(self, deadline_id: int, today: date) -> int:
        async with transaction(self._c.runtime.db) as session:
            # The guard: only the check that sets overdue_at emits the event.
            claimed = await session.execute(
                update(D)
                .where(and_(D.c.id == deadline_id, D.c.overdue_at.is_(None), D.c.state == "open"))
                .values(overdue_at=self._c.clock.now())
            )
            if not claimed.rowcount:  # type: ignore[attr-defined]
                return 0
            deadline = (await session.execute(select(D).where(D.c.id == deadline_id))).one()
            petition = (
                await session.execute(select(P).where(P.c.id == deadline.petition_id))
            ).one()
            await refresh_due(session, petition.id, today)
            payload = PetitionOverdue(
                petition_id=uuid.UUID(petition.id),
                unit_code=petition.unit_id,
                petition_class=PetitionClass(petition.petition_class),
                sector=Sector(petition.sector),
                status=PetitionStatus(petition.status),
                record_version=petition.version,
                on=deadline.due_on + timedelta(days=1),
                by="system:deadlines",
                rule_code=deadline.rule_code,
                due_on=deadline.due_on,
            )
            fact = Fact(payload, petition.id, petition.unit_id, payload.on)
            await emit(session, self._c.units, [fact], now=self._c.clock.now())
        return 1

    # ---- digests ------------------------------------------------------------------------------

    async def digest(self, principal: Principal, query: DigestQuery) -> Digest:
        unit = unit_in_scope(self._c.units, principal, query.unit_code)
        async with self._c.runtime.db() as session:
            return await self._digest_of(session, unit.id, self._c.clock.today())

    async def _digest_of(self, session: AsyncSession, unit_id: str, today: date) -> Digest:
        horizon = today + timedelta(days=self._c.nearly_due_days)
        statement = (
            select(D, P.c.petition_class, P.c.summary)
            .join(P, P.c.id == D.c.petition_id)
            .where(and_(D.c.state == "open", D.c.due_on <= horizon))
            .order_by(D.c.due_on, D.c.id)
        )
        scope = facts_scope(self._c.units, unit_id)
        if scope is not None:
            statement = statement.where(D.c.unit_id.in_(sorted(scope)))
        rows = (await session.execute(statement)).all()
        items = [
            DigestItem(
                petition_id=row.petition_id,
                unit_code=row.unit_id,
                petition_class=row.petition_class,
                summary=row.summary,
                rule_code=row.rule_code,
                due_on=row.due_on,
                days_left=(row.due_on - today).days,
            )
            for row in rows
        ]
        return Digest(
            unit_code=unit_id,
            on=today,
            nearly_due=[i for i in items if i.days_left >= 0],
            overdue=[i for i in items if i.days_left < 0],
        )

    async def deadlines(self, principal: Principal, query: DigestQuery) -> DeadlineSummary:
        unit = unit_in_scope(self._c.units, principal, query.unit_code)
        today = self._c.clock.today()
        overdue = D.c.due_on < today
        statement = (
            select(P.c.petition_class, overdue, func.count(distinct(D.c.petition_id)))
            .join(P, P.c.id == D.c.petition_id)
            .where(
                and_(
                    D.c.state == "open",
                    D.c.due_on <= today + timedelta(days=self._c.nearly_due_days),
                )
            )
            .group_by(P.c.petition_class, overdue)
        )
        scope = facts_scope(self._c.units, unit.id)
        if scope is not None:
            statement = statement.where(D.c.unit_id.in_(sorted(scope)))
        async with self._c.runtime.db() as session:
            counts = {
                (petition_class, bool(late)): count
                for petition_class, late, count in (await session.execute(statement)).all()
            }
        by_class = [
            ClassDeadlines(
                petition_class=kind,
                labels=PETITION_CLASS_LABELS[kind],
                nearly_due=counts.get((kind.value, False), 0),
                overdue=counts.get((kind.value, True), 0),
            )
            for kind in PetitionClass
        ]
        return DeadlineSummary(
            unit_code=unit.id,
            on=today,
            nearly_due=sum(row.nearly_due for row in by_class),
            overdue=sum(row.overdue for row in by_class),
            by_class=by_class,
        )

    async def publish_digests(self, today: date) -> int:
        """Each unit with something nearly due or overdue gets one digest event a day."""
        horizon = today + timedelta(days=self._c.nearly_due_days)
        async with self._c.runtime.db() as session:
            units = (
                await session.scalars(
                    select(D.c.unit_id)
                    .where(and_(D.c.state == "open", D.c.due_on <= horizon))
                    .distinct()
                )
            ).all()
        published = 0
        for unit_id in units:
            async with transaction(self._c.runtime.db) as session:
                insert = upsert_insert(session)
                claimed = await session.execute(
                    insert(digests_table)
                    .values(unit_id=unit_id, on=today, published_at=self._c.clock.now())
                    .on_conflict_do_nothing(index_elements=["unit_id", "on"])
                )
                if not claimed.rowcount:  # type: ignore[attr-defined]
                    continue
                digest = await self._digest_of(session, unit_id, today)
                payload = DigestPublished(
                    unit_code=unit_id,
                    on=today,
                    nearly_due=digest.nearly_due,
                    overdue=digest.overdue,
                )
                fact = Fact(payload, f"{unit_id}/{today}", unit_id, today)
                await emit(session, self._c.units, [fact], now=self._c.clock.now())
                published += 1
        if published:
            self._c.runtime.wake_relay()
        return published

    # ---- retention -------------------------------------------------------------------------------

    async def anonymise(self, today: date) -> int:
        """Closed petitions, and visits, older than the retention period lose the personal
        data they held; the case's matching data goes with them."""
        before = today - self._retention
        now = self._c.clock.now()
        async with transaction(self._c.runtime.db) as session:
            petitions = (
                await session.execute(
                    select(P.c.id, P.c.unit_id, P.c.case_id, P.c.petitioner).where(
                        and_(P.c.closed_on < before, P.c.anonymised_at.is_(None))
                    )
                )
            ).all()
            visits = (
                await session.execute(
                    select(
                        visits_table.c.id,
                        visits_table.c.unit_id,
                        visits_table.c.case_id,
                        visits_table.c.visitors,
                        visits_table.c.representatives,
                    ).where(
                        and_(
                            visits_table.c.received_on < before,
                            visits_table.c.anonymised_at.is_(None),
                        )
                    )
                )
            ).all()
            for row in petitions:
                await session.execute(
                    update(P)
                    .where(P.c.id == row.id)
                    .values(petitioner=_masked(row.petitioner), anonymised_at=now)
                )
            for visit in visits:
                await session.execute(
                    update(visits_table)
                    .where(visits_table.c.id == visit.id)
                    .values(
                        visitors=[_masked(p) for p in visit.visitors],
                        representatives=[_masked(p) for p in visit.representatives],
                        anonymised_at=now,
                    )
                )
            cases = {row.case_id for row in [*petitions, *visits]}
            if cases:
                await session.execute(
                    update(case_people_table)
                    .where(case_people_table.c.case_id.in_(sorted(cases)))
                    .values(name_folded="", id_number=None, commune_id=None)
                )
            await audit(
                session,
                SYSTEM,
                action="anonymised",
                record_kind="petition",
                reads=[(r.id, r.unit_id) for r in petitions],
                now=now,
            )
            await audit(
                session,
                SYSTEM,
                action="anonymised",
                record_kind="visit",
                reads=[(r.id, r.unit_id) for r in visits],
                now=now,
            )
        return len(petitions) + len(visits)

    # ---- the audit trail -------------------------------------------------------------------------

    async def audit_trail(self, principal: Principal, query: AuditQuery) -> Page[Any]:
        require_role(principal, Role.ADMIN)
        unit_id = listing_unit(self._c.units, principal, query.unit_code)
        sort = parse_sort(query.sort, {"at": SortOption(audit_table.c.at, as_datetime)}, "-at")
        statement = select(audit_table)
        scope = facts_scope(self._c.units, unit_id)
        if scope is not None:
            statement = statement.where(audit_table.c.unit_id.in_(sorted(scope)))
        if query.reader:
            statement = statement.where(audit_table.c.reader == query.reader)
        if query.record_id:
            statement = statement.where(audit_table.c.record_id == str(query.record_id))
        async with self._c.runtime.db() as session:
            rows, total, next_cursor = await fetch_page(
                session,
                statement,
                sort=sort,
                id_column=audit_table.c.id,
                limit=query.limit,
                cursor=query.cursor,
            )
        items = [
            AuditEntry(
                id=r.id,
                at=r.at,
                reader=r.reader,
                reader_unit=r.reader_unit,
                action=r.action,
                record_kind=r.record_kind,
                record_id=r.record_id,
                unit_code=r.unit_id,
                fields=r.fields,
            )
            for r in rows
        ]
        return Page[Any](data=items, total=total, next_cursor=next_cursor)


def _masked(person: dict[str, Any]) -> dict[str, Any]:
    return masked(Person.model_validate(person)).model_dump(mode="json")
