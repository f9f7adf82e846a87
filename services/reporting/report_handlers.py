"""The rpc handlers of periodic reports: submitting (again), returning, approving, one report
with its history, lists, the completeness of a parent's children and the concerns of a
subtree. Every write stores its change, its history entry and its event in one transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from danvan.access import facts_scope, listing_unit, require_scope
from danvan.bus import register_rpc, rpc_subject
from danvan.clock import Clock
from danvan.contracts.envelope import EventPayload
from danvan.contracts.paging import Page
from danvan.contracts.registry import ById, Labels
from danvan.contracts.reporting import Boundaries, FiguresQuery, FiguresView
from danvan.contracts.reports import (
    REPORT_ACTION_LABELS,
    REPORT_EVENTS,
    REPORT_KIND_LABELS,
    REPORT_STATUS_LABELS,
    Completeness,
    CompletenessQuery,
    ConcernItem,
    ConcernPublic,
    ConcernsQuery,
    ConcernsView,
    ReportAction,
    ReportApprove,
    ReportDetail,
    ReportHistoryEntry,
    ReportKind,
    ReportPublic,
    ReportQuery,
    ReportReturn,
    ReportStatus,
    ReportSubmit,
    ReportSubmitted,
)
from danvan.contracts.rpc import ErrorCode, Message, Principal, ServiceError
from danvan.db import transaction
from danvan.emit import Fact, emit
from danvan.lifecycle import changed_meanwhile
from danvan.messages import not_found
from danvan.periods import Period
from danvan.service import ServiceRuntime
from danvan.timeutil import as_utc, as_utc_or_none
from danvan.units import UnitTree
from services.reporting import report_store as store
from services.reporting.reports import (
    NOUN,
    FiledReport,
    ReportState,
    StepPlan,
    Submission,
    check_submission,
    completeness,
    expected_children,
    last_day,
    on_time,
    order_concerns,
    plan_review,
    plan_submit,
    report_period,
    unit_name,
)

SERVICE = "reporting"
RESOURCE = "reports"


class FiguresReader(Protocol):
    """The figures view of a unit for a period, as the dashboard shows it."""

    async def view(self, query: FiguresQuery) -> FiguresView: ...


def _labels(period: Period) -> Labels:
    return {"vi": period.label("vi"), "en": period.label("en")}


def state_of(row: Row[Any]) -> ReportState:
    return ReportState(
        id=uuid.UUID(row.id),
        unit_id=row.unit_id,
        parent_id=row.parent_id,
        status=ReportStatus(row.status),
        version=row.version,
        submission=row.submission,
        first_submitted_at=as_utc(row.first_submitted_at),
    )


def _without_children(figures: dict[str, Any] | None) -> dict[str, Any] | None:
    """The frozen view without its children's rows: a province's are 1.3 to 1.8 MB, and a
    reply must fit one NATS message (1 MB by default). The stored view keeps them."""
    if figures is None:
        return None
    return {key: value for key, value in figures.items() if key != "children"}


def public_fields(units: UnitTree, row: Row[Any]) -> dict[str, Any]:
    kind, status = ReportKind(row.kind), ReportStatus(row.status)
    return {
        "id": uuid.UUID(row.id),
        "unit_code": row.unit_id,
        "unit_name": unit_name(units, row.unit_id).name,
        "parent_code": row.parent_id,
        "kind": kind,
        "kind_label": REPORT_KIND_LABELS[kind],
        "period": row.period,
        "period_label": _labels(Period.parse(row.period)),
        "status": status,
        "status_label": REPORT_STATUS_LABELS[status],
        "version": row.version,
        "submission": row.submission,
        "number": row.number,
        "place": row.place,
        "due_on": row.due_on,
        "first_submitted_at": as_utc(row.first_submitted_at),
        "submitted_at": as_utc(row.submitted_at),
        "submitted_by": row.submitted_by,
        "on_time": row.on_time,
        "reviewed_at": as_utc_or_none(row.reviewed_at),
        "reviewed_by": row.reviewed_by,
        "concerns_count": row.concerns_count,
        "hot_spots_count": row.hot_spots_count,
    }


class ReportHandlers:
    def __init__(
        self,
        runtime: ServiceRuntime,
        units: UnitTree,
        figures: FiguresReader,
        clock: Clock,
        *,
        due_days: int,
    ) -> None:
        self._runtime = runtime
        self._units = units
        self._figures = figures
        self._clock = clock
        self._due_days = due_days

    # ---- submitting ------------------------------------------------------------------------------

    async def submit(self, principal: Principal, command: ReportSubmit) -> ReportDetail:
        """A first submission, or a new version of a returned report."""
        submission = check_submission(
            command, principal, self._units, self._clock.today(), self._due_days
        )
        # Refuse before asking for the figures; the write below checks again under its guard.
        async with self._runtime.db() as session:
            existing = await self._find(session, submission)
        plan_submit(state_of(existing) if existing else None, command.expected_version)
        figures = await self._figures.view(self._figures_query(submission))
        try:
            async with transaction(self._runtime.db) as session:
                report_id = await self._store_submission(
                    session, principal, command, submission, figures
                )
                detail = await self._detail(session, report_id)
        except IntegrityError as error:  # another first submission of the same report won
            raise ServiceError(
                ErrorCode.CONFLICT,
                Message(
                    vi="báo cáo này vừa được người khác gửi: hãy tải lại rồi thử lại",
                    en="this report was submitted meanwhile: reload it and try again",
                ),
            ) from error
        self._runtime.wake_relay()
        return detail

    def _figures_query(self, submission: Submission) -> FiguresQuery:
        # A former unit has no figures in today's boundaries: its report shows them as recorded.
        legacy = self._units.get(submission.unit_id).is_legacy
        return FiguresQuery(
            unit_code=submission.unit_id,
            period=submission.period.code,
            basis="cutoff",
            boundaries=Boundaries.HISTORICAL if legacy else Boundaries.CURRENT,
            children=True,
        )

    async def _find(self, session: AsyncSession, submission: Submission) -> Row[Any] | None:
        return await store.find_report(
            session, submission.unit_id, submission.period.code, submission.kind
        )

    async def _store_submission(
        self,
        session: AsyncSession,
        principal: Principal,
        command: ReportSubmit,
        submission: Submission,
        figures: FiguresView,
    ) -> str:
        row = await self._find(session, submission)
        plan = plan_submit(state_of(row) if row else None, command.expected_version)
        now = as_utc(self._clock.now())
        values = {
            "status": plan.status.value,
            "version": plan.version,
            "submission": plan.submission,
            "number": command.number,
            "place": command.place,
            "results": command.results,
            "limitations": command.limitations,
            "tasks": command.tasks,
            "figures": figures.model_dump(mode="json"),
            "concerns_count": len(command.concerns),
            "hot_spots_count": sum(1 for concern in command.concerns if concern.hot_spot),
            "submitted_at": now,
            "submitted_by": principal.sub,
            "updated_at": now,
        }
        if row is None:
            report_id = str(uuid.uuid4())
            await store.insert_report(
                session, {**values, **self._first_values(report_id, submission, now)}
            )
        else:
            report_id = row.id
            await self._update(session, row, values)
        concerns = [
            {
                "topic": concern.topic,
                "description": concern.description,
                "unit_ids": list(unit_ids),
                "hot_spot": concern.hot_spot,
            }
            for concern, unit_ids in zip(command.concerns, submission.concern_units, strict=True)
        ]
        await store.replace_concerns(session, report_id, concerns)
        await self._record(session, await self._load(session, report_id), plan, principal, None)
        return report_id

    def _first_values(
        self, report_id: str, submission: Submission, now: datetime
    ) -> dict[str, Any]:
        """What the first submission settles for good: whose report, for what, due when."""
        return {
            "id": report_id,
            "unit_id": submission.unit_id,
            "parent_id": submission.parent_id,
            "kind": submission.kind.value,
            "period": submission.period.code,
            "period_end": last_day(submission.period),
            "due_on": submission.due_on,
            "on_time": on_time(now, submission.due_on),
            "first_submitted_at": now,
            "created_at": now,
        }

    async def _update(self, session: AsyncSession, row: Row[Any], values: dict[str, Any]) -> None:
        if not await store.update_report(session, row.id, row.version, values):
            raise changed_meanwhile(NOUN)

    async def _record(
        self,
        session: AsyncSession,
        row: Row[Any],
        plan: StepPlan,
        principal: Principal,
        comment: str | None,
    ) -> None:
        """The step's history entry and its event, in the caller's transaction."""
        at = as_utc(self._clock.now())
        await store.insert_history(
            session,
            {
                "report_id": row.id,
                "version": plan.version,
                "action": plan.action.value,
                "status": plan.status.value,
                "submission": plan.submission,
                "by": principal.sub,
                "at": at,
                "comment": comment,
            },
        )
        today = self._clock.today()
        common: dict[str, Any] = {
            "report_id": uuid.UUID(row.id),
            "unit_code": row.unit_id,
            "parent_code": row.parent_id,
            "kind": ReportKind(row.kind),
            "period": row.period,
            "status": plan.status,
            "record_version": plan.version,
            "submission": plan.submission,
            "due_on": row.due_on,
            "on": today,
            "by": principal.sub,
        }
        payload: EventPayload
        if plan.action is ReportAction.SUBMIT:
            payload = ReportSubmitted(
                **common,
                on_time=row.on_time,
                concerns=row.concerns_count,
                hot_spots=row.hot_spots_count,
            )
        else:
            payload = REPORT_EVENTS[plan.action](**common)
        await emit(session, self._units, [Fact(payload, row.id, row.unit_id, today)], now=at)

    # ---- reviewing -------------------------------------------------------------------------------

    async def return_(self, principal: Principal, command: ReportReturn) -> ReportDetail:
        return await self._review(ReportAction.RETURN, principal, command)

    async def approve(self, principal: Principal, command: ReportApprove) -> ReportDetail:
        return await self._review(ReportAction.APPROVE, principal, command)

    async def _review(
        self, action: ReportAction, principal: Principal, command: ReportReturn | ReportApprove
    ) -> ReportDetail:
        comment = command.comment or None
        async with transaction(self._runtime.db) as session:
            row = await self._load(session, command.id)
            plan = plan_review(
                action, state_of(row), principal, self._units, command.expected_version
            )
            now = as_utc(self._clock.now())
            values = {
                "status": plan.status.value,
                "version": plan.version,
                "reviewed_at": now,
                "reviewed_by": principal.sub,
                "review_comment": comment,
                "updated_at": now,
            }
            await self._update(session, row, values)
            await self._record(session, row, plan, principal, comment)
            detail = await self._detail(session, row.id)
        self._runtime.wake_relay()
        return detail

    # ---- reading ---------------------------------------------------------------------------------

    async def _load(self, session: AsyncSession, report_id: uuid.UUID | str) -> Row[Any]:
        row = await store.get_report(session, report_id)
        if row is None:
            raise not_found(NOUN, report_id)
        return row

    async def _detail(self, session: AsyncSession, report_id: str) -> ReportDetail:
        row = await self._load(session, report_id)
        concerns = await store.concerns_of(session, report_id)
        history = await store.history_of(session, report_id)
        return ReportDetail(
            **public_fields(self._units, row),
            results=row.results,
            limitations=row.limitations,
            tasks=row.tasks,
            review_comment=row.review_comment,
            figures=_without_children(row.figures),
            concerns=[
                ConcernPublic(
                    topic=c.topic,
                    description=c.description,
                    hot_spot=c.hot_spot,
                    units=[unit_name(self._units, unit_id) for unit_id in c.unit_ids],
                )
                for c in concerns
            ],
            history=[
                ReportHistoryEntry(
                    version=h.version,
                    action=ReportAction(h.action),
                    action_label=REPORT_ACTION_LABELS[ReportAction(h.action)],
                    status=ReportStatus(h.status),
                    submission=h.submission,
                    by=h.by,
                    at=as_utc(h.at),
                    comment=h.comment,
                )
                for h in history
            ],
        )

    async def get(self, principal: Principal, request: ById) -> ReportDetail:
        """A unit reads its own reports and its subtree's, never its parent's."""
        async with self._runtime.db() as session:
            row = await self._load(session, request.id)
            require_scope(self._units, principal, row.unit_id)
            return await self._detail(session, row.id)

    async def list(self, principal: Principal, query: ReportQuery) -> Page[ReportPublic]:
        unit_id = listing_unit(self._units, principal, query.unit_code)
        statement = store.list_query(
            facts_scope(self._units, unit_id),
            period=query.period,
            kind=query.kind,
            statuses=query.status,
        )
        async with self._runtime.db() as session:
            rows, total, next_cursor = await store.list_reports(
                session, statement, sort=query.sort, limit=query.limit, cursor=query.cursor
            )
        return Page[ReportPublic](
            data=[ReportPublic(**public_fields(self._units, row)) for row in rows],
            total=total,
            next_cursor=next_cursor,
        )

    async def completeness(self, principal: Principal, query: CompletenessQuery) -> Completeness:
        unit_id = listing_unit(self._units, principal, query.unit_code)
        period = report_period(query.kind, query.period)
        _, children = expected_children(self._units, unit_id, period)
        async with self._runtime.db() as session:
            rows = await store.filed_reports(
                session, [child.id for child in children], period.code, query.kind
            )
        filed = [
            FiledReport(
                report_id=uuid.UUID(row.id),
                unit_id=row.unit_id,
                status=ReportStatus(row.status),
                version=row.version,
                first_submitted_at=as_utc(row.first_submitted_at),
                due_on=row.due_on,
            )
            for row in rows
        ]
        return completeness(
            self._units,
            unit_id,
            period,
            query.kind,
            filed,
            today=self._clock.today(),
            due_days=self._due_days,
        )

    async def concerns(self, principal: Principal, query: ConcernsQuery) -> ConcernsView:
        unit_id = listing_unit(self._units, principal, query.unit_code)
        period = report_period(ReportKind.PEOPLE_SITUATION, query.period)
        async with self._runtime.db() as session:
            rows = await store.subtree_concerns(
                session, facts_scope(self._units, unit_id), period.code
            )
        items = order_concerns(self._units, [self._concern_item(row) for row in rows])
        return ConcernsView(
            unit_code=unit_id,
            unit_name=unit_name(self._units, unit_id).name,
            period=period.code,
            period_label=_labels(period),
            count=len(items),
            hot_spots=sum(1 for item in items if item.hot_spot),
            concerns=items,
        )

    def _concern_item(self, row: Row[Any]) -> ConcernItem:
        status = ReportStatus(row.report_status)
        return ConcernItem(
            report_id=uuid.UUID(row.report_id),
            report_status=status,
            report_status_label=REPORT_STATUS_LABELS[status],
            reporting_unit=unit_name(self._units, row.reporting_unit_id),
            topic=row.topic,
            description=row.description,
            hot_spot=row.hot_spot,
            units=[unit_name(self._units, unit_id) for unit_id in row.unit_ids],
        )


Handler = Callable[[Principal, Any], Awaitable[Any]]


def register_reports(
    runtime: ServiceRuntime, units: UnitTree, figures: FiguresReader, clock: Clock
) -> None:
    """Answer `rpc.reporting.reports.<action>` for every action of periodic reports."""
    handlers = ReportHandlers(
        runtime, units, figures, clock, due_days=runtime.settings.reporting_report_due_days
    )
    routes: Sequence[tuple[str, type[BaseModel], Handler]] = (
        ("submit", ReportSubmit, handlers.submit),
        ("return", ReportReturn, handlers.return_),
        ("approve", ReportApprove, handlers.approve),
        ("get", ById, handlers.get),
        ("list", ReportQuery, handlers.list),
        ("completeness", CompletenessQuery, handlers.completeness),
        ("concerns", ConcernsQuery, handlers.concerns),
    )
    for action, request_type, handler in routes:
        register_rpc(
            runtime.broker,
            rpc_subject(SERVICE, RESOURCE, action),
            queue=SERVICE,
            request_type=request_type,
            handler=handler,
        )
