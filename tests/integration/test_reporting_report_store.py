"""Periodic reports on real databases (SQLite and PostgreSQL), through the reporting service's
report handlers with a clock the test moves and a figures reader of the test's own: submitting,
returning, sending again, approving and the lock; versions; lists; completeness and
timeliness over stored reports; the concerns of a subtree; the events written with each step;
and the rpc subjects answering with the one reply shape."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from faststream.nats import TestNatsBroker
from sqlalchemy import select

from danvan.bus import call, rpc_subject
from danvan.clock import VIETNAM, FixedClock
from danvan.config import Settings
from danvan.contracts.registry import ById
from danvan.contracts.reporting import Boundaries, FiguresQuery, FiguresView
from danvan.contracts.reports import (
    ApproveBody,
    ChildStatus,
    CompletenessQuery,
    ConcernsQuery,
    ReportApprove,
    ReportDetail,
    ReportKind,
    ReportQuery,
    ReportReturn,
    ReportStatus,
    ReportSubmit,
)
from danvan.contracts.rpc import ErrorCode, Principal, Role, ServiceError
from danvan.migrate import upgrade
from danvan.outbox import outbox_table
from danvan.service import ServiceRuntime
from danvan.units import UnitTree, load_units
from services.reporting.report_handlers import ReportHandlers, register_reports
from services.reporting.report_store import reports_table
from tests.conftest import MakeDatabase

NOW = datetime(2026, 9, 18, 9, 0, tzinfo=VIETNAM)  # two days before Q3's reports are due
HA_NOI, OLD_HA_NOI = "01", "old-01"
HONG_HA, BA_DINH, BACH_MAI = "00097", "00004", "00292"
TAY_HO_DISTRICT, BA_DINH_DISTRICT = "old-003", "old-001"

UNITS = load_units()


class RecordingFigures:
    """Answers every figures query with a view whose first figure says which answer it is."""

    def __init__(self) -> None:
        self.queries: list[FiguresQuery] = []
        self.answer = "first"

    async def view(self, query: FiguresQuery) -> FiguresView:
        self.queries.append(query)
        return FiguresView.model_validate(
            {
                "unit_code": query.unit_code,
                "name": UNITS.get(query.unit_code).name,
                "level": UNITS.get(query.unit_code).level.value,
                "period": query.period,
                "period_label": {"vi": query.period, "en": query.period},
                "basis": query.basis,
                "boundaries": query.boundaries,
                "start": "2026-06-15",
                "end": "2026-09-14",
                "previous_start": "2025-06-15",
                "previous_end": "2025-09-14",
                "figures": [],
                "at_this_level": [],
                "children": [
                    {
                        "unit_code": HONG_HA,
                        "name": "Phường Hồng Hà",
                        "level": "commune",
                        "figures": {},
                    }
                ],
                "current_as_of": [
                    {"stream": self.answer, "sequence": 1, "event_time": None, "applied_at": None}
                ],
            }
        )


@dataclass
class Reporting:
    handlers: ReportHandlers
    runtime: ServiceRuntime
    clock: FixedClock
    figures: RecordingFigures
    units: UnitTree = field(default_factory=lambda: UNITS)

    async def submit(self, unit: str, principal_unit: str | None = None, **body: Any) -> Any:
        command = ReportSubmit.model_validate({"unit_code": unit, "period": "2026Q3", **body})
        principal = person(principal_unit or unit)
        return await self.handlers.submit(principal, command)

    async def outbox_subjects(self) -> list[str]:
        async with self.runtime.db() as session:
            rows = await session.execute(
                select(outbox_table.c.subject).order_by(outbox_table.c.position)
            )
            return [subject for (subject,) in rows]


def person(unit: str, role: Role = Role.OFFICER) -> Principal:
    return Principal(sub=f"{role.value}-{unit}", unit=unit, roles=(role,))


LEADER = person(HA_NOI, Role.LEADER)
RESULTS = "Tổ chức 3 hội nghị đối thoại; 12 mô hình “Dân vận khéo” đăng ký."


@pytest.fixture
async def reporting(make_database: MakeDatabase, tmp_path: Path) -> AsyncIterator[Reporting]:
    url = await make_database("reporting")
    await upgrade("reporting", url)
    settings = Settings(home=tmp_path, reporting_database_url=url)
    runtime = ServiceRuntime.create("reporting", settings)
    clock = FixedClock(NOW)
    figures = RecordingFigures()
    handlers = ReportHandlers(
        runtime, UNITS, figures, clock, due_days=settings.reporting_report_due_days
    )
    try:
        yield Reporting(handlers, runtime, clock, figures)
    finally:
        assert runtime.engine is not None
        await runtime.engine.dispose()


async def refused(coroutine: Any, code: ErrorCode) -> str:
    with pytest.raises(ServiceError) as error:
        await coroutine
    assert error.value.code is code, error.value.message
    return error.value.message.en


def returning(report: ReportDetail, comment: str = "Bổ sung số liệu so với cùng kỳ") -> Any:
    return ReportReturn(id=report.id, comment=comment, expected_version=report.version)


def approving(report: ReportDetail) -> ReportApprove:
    return ReportApprove(id=report.id, expected_version=report.version)


# ---- the review ---------------------------------------------------------------------------------


async def test_a_report_goes_up_comes_back_goes_up_again_and_is_approved(
    reporting: Reporting,
) -> None:
    sent = await reporting.submit(HONG_HA, results=RESULTS, number="15-BC/BDV", place="Hà Nội")
    assert (sent.status, sent.version, sent.submission) == (ReportStatus.SUBMITTED, 1, 1)
    assert (sent.parent_code, sent.due_on, sent.on_time) == (HA_NOI, date(2026, 9, 20), True)
    assert sent.status_label == {"vi": "Đã gửi, chờ duyệt", "en": "Submitted, awaiting review"}
    assert sent.period_label["vi"] == "Quý III/2026"

    reporting.clock.advance(timedelta(days=1))
    back = await reporting.handlers.return_(LEADER, returning(sent))
    assert (back.status, back.version, back.review_comment) == (
        ReportStatus.RETURNED,
        2,
        "Bổ sung số liệu so với cùng kỳ",
    )

    reporting.clock.advance(timedelta(days=10))  # past the due date
    again = await reporting.submit(HONG_HA, results=RESULTS + " Tăng 20% so với cùng kỳ.")
    assert (again.status, again.version, again.submission) == (ReportStatus.SUBMITTED, 3, 2)
    assert again.id == sent.id
    # Sent again after the due date, in answer to the return: still on time.
    assert again.on_time is True
    assert again.first_submitted_at == sent.first_submitted_at
    assert again.submitted_at > sent.submitted_at

    done = await reporting.handlers.approve(LEADER, approving(again))
    assert (done.status, done.version) == (ReportStatus.APPROVED, 4)
    assert [(h.version, h.action.value, h.by) for h in done.history] == [
        (1, "submit", "officer-00097"),
        (2, "return", "leader-01"),
        (3, "submit", "officer-00097"),
        (4, "approve", "leader-01"),
    ]
    assert done.history[1].comment == "Bổ sung số liệu so với cùng kỳ"
    assert done.results.endswith("Tăng 20% so với cùng kỳ.")
    assert await reporting.outbox_subjects() == [
        "evt.reporting.report.submitted.01",
        "evt.reporting.report.returned.01",
        "evt.reporting.report.submitted.01",
        "evt.reporting.report.approved.01",
    ]


async def test_an_approved_report_cannot_be_returned(reporting: Reporting) -> None:
    sent = await reporting.submit(HONG_HA, results=RESULTS)
    done = await reporting.handlers.approve(LEADER, approving(sent))
    message = await refused(reporting.handlers.return_(LEADER, returning(done)), ErrorCode.CONFLICT)
    assert "locked" in message
    await refused(reporting.submit(HONG_HA, results="Sửa lại"), ErrorCode.CONFLICT)
    await refused(
        reporting.handlers.approve(person("VN", Role.ADMIN), approving(done)), ErrorCode.CONFLICT
    )
    unchanged = await reporting.handlers.get(LEADER, ById(id=done.id))
    assert (unchanged.status, unchanged.version, unchanged.results) == (
        ReportStatus.APPROVED,
        2,
        RESULTS,
    )
    assert len(await reporting.outbox_subjects()) == 2  # refused steps wrote no event


async def test_a_step_on_a_stale_version_is_refused_and_changes_nothing(
    reporting: Reporting,
) -> None:
    sent = await reporting.submit(HONG_HA, results=RESULTS)
    await reporting.handlers.return_(LEADER, returning(sent))
    again = await reporting.submit(HONG_HA, results=RESULTS, expected_version=2)
    stale = ReportApprove(id=sent.id, expected_version=2)
    assert "version 3, not 2" in await refused(
        reporting.handlers.approve(LEADER, stale), ErrorCode.CONFLICT
    )
    await reporting.handlers.return_(LEADER, returning(again))
    await refused(reporting.submit(HONG_HA, results="Sửa", expected_version=3), ErrorCode.CONFLICT)
    current = await reporting.handlers.get(LEADER, ById(id=sent.id))
    assert (current.status, current.version, current.results) == (
        ReportStatus.RETURNED,
        4,
        RESULTS,
    )


async def test_two_reviews_at_once_move_the_report_once(reporting: Reporting) -> None:
    sent = await reporting.submit(HONG_HA, results=RESULTS)
    results = await asyncio.gather(
        reporting.handlers.return_(LEADER, ReportReturn(id=sent.id, comment="Thiếu số liệu")),
        reporting.handlers.approve(LEADER, ReportApprove(id=sent.id)),
        return_exceptions=True,
    )
    moved = [r for r in results if isinstance(r, ReportDetail)]
    conflicts = [r for r in results if isinstance(r, ServiceError)]
    assert len(moved) == 1, results
    assert [c.code for c in conflicts] == [ErrorCode.CONFLICT]
    current = await reporting.handlers.get(LEADER, ById(id=sent.id))
    assert (current.status, current.version) == (moved[0].status, 2)


async def test_two_first_submissions_at_once_make_one_report(reporting: Reporting) -> None:
    results = await asyncio.gather(
        reporting.submit(HONG_HA, results="Lần một"),
        reporting.submit(HONG_HA, results="Lần hai"),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["ReportDetail", "ServiceError"], results
    assert [r.code for r in results if isinstance(r, ServiceError)] == [ErrorCode.CONFLICT]
    page = await reporting.handlers.list(LEADER, ReportQuery())
    assert page.total == 1


async def test_only_the_parent_or_above_reviews(reporting: Reporting) -> None:
    sent = await reporting.submit(HONG_HA, results=RESULTS)
    own_leader = person(HONG_HA, Role.LEADER)
    await refused(reporting.handlers.approve(own_leader, approving(sent)), ErrorCode.FORBIDDEN)
    await refused(
        reporting.handlers.approve(person(HA_NOI, Role.OFFICER), approving(sent)),
        ErrorCode.FORBIDDEN,
    )
    await refused(
        reporting.handlers.approve(LEADER, ReportApprove(id=uuid.uuid4())), ErrorCode.NOT_FOUND
    )


# ---- what is kept -------------------------------------------------------------------------------


async def test_the_figures_are_frozen_at_each_submission(reporting: Reporting) -> None:
    sent = await reporting.submit(HONG_HA, results=RESULTS)
    reporting.figures.answer = "later"
    kept = await reporting.handlers.get(LEADER, ById(id=sent.id))
    assert kept.figures is not None
    assert kept.figures["current_as_of"][0]["stream"] == "first"
    await reporting.handlers.return_(LEADER, returning(kept))
    again = await reporting.submit(HONG_HA, results=RESULTS)
    assert again.figures is not None
    assert again.figures["current_as_of"][0]["stream"] == "later"
    asked = reporting.figures.queries[0]
    assert (asked.unit_code, asked.period, asked.basis, asked.children) == (
        HONG_HA,
        "2026Q3",
        "cutoff",
        True,
    )
    assert asked.boundaries is Boundaries.CURRENT
    # The children's rows are kept, not sent: a province's outgrow one NATS message.
    assert "children" not in again.figures
    async with reporting.runtime.db() as session:
        stored = await session.scalar(
            select(reports_table.c.figures).where(reports_table.c.id == str(again.id))
        )
    assert stored is not None
    assert stored["children"][0]["unit_code"] == HONG_HA


async def test_a_former_districts_report_keeps_the_figures_as_recorded(
    reporting: Reporting,
) -> None:
    sent = await reporting.submit(TAY_HO_DISTRICT, HA_NOI, period="2024", results=RESULTS)
    assert (sent.parent_code, sent.due_on, sent.on_time) == (
        OLD_HA_NOI,
        date(2024, 12, 20),
        False,
    )
    assert reporting.figures.queries[-1].boundaries is Boundaries.HISTORICAL
    # The event's subject carries today's province: one filter follows Hà Nội's history.
    assert await reporting.outbox_subjects() == ["evt.reporting.report.submitted.01"]


async def test_submitting_writes_no_personal_text_into_the_event(reporting: Reporting) -> None:
    await reporting.submit(
        HONG_HA,
        kind="people_situation",
        period="202609",
        results="Ông Nguyễn Văn A phản ánh",
        concerns=[{"topic": "Hộ ông Nguyễn Văn A", "unit_codes": [HONG_HA], "hot_spot": True}],
    )
    async with reporting.runtime.db() as session:
        (body,) = (await session.execute(select(outbox_table.c.body))).scalars()
    event = json.loads(body)
    assert "Nguyễn Văn A" not in json.dumps(event, ensure_ascii=False)
    assert (event["data"]["concerns"], event["data"]["hot_spots"]) == (1, 1)
    assert event["type"] == "vn.danvan.reporting.report.submitted.v1"


# ---- reading ------------------------------------------------------------------------------------


async def test_a_parent_reads_its_childrens_reports_but_a_child_not_its_parents(
    reporting: Reporting,
) -> None:
    commune = await reporting.submit(HONG_HA, results=RESULTS)
    city = await reporting.submit(HA_NOI, results=RESULTS)
    assert city.parent_code == "VN"
    viewer = person(HA_NOI, Role.VIEWER)
    assert (await reporting.handlers.get(viewer, ById(id=commune.id))).id == commune.id
    await refused(
        reporting.handlers.get(person(HONG_HA, Role.VIEWER), ById(id=city.id)),
        ErrorCode.FORBIDDEN,
    )
    own = await reporting.handlers.list(person(HONG_HA), ReportQuery())
    assert [r.id for r in own.data] == [commune.id]
    await refused(
        reporting.handlers.list(person(HONG_HA), ReportQuery(unit_code=HA_NOI)),
        ErrorCode.FORBIDDEN,
    )


async def test_lists_page_with_a_cursor_and_a_total(reporting: Reporting) -> None:
    communes = [u.id for u in UNITS.children(HA_NOI)][:5]
    for minutes, unit in enumerate(communes):
        reporting.clock.advance(timedelta(minutes=minutes))
        await reporting.submit(unit, results=RESULTS)
    first = await reporting.handlers.approve(
        LEADER, ReportApprove(id=(await reporting.handlers.list(LEADER, ReportQuery())).data[0].id)
    )
    seen: list[uuid.UUID] = []
    cursor: str | None = None
    pages = 0
    while True:
        page = await reporting.handlers.list(LEADER, ReportQuery(limit=2, cursor=cursor))
        assert page.total == 5
        seen.extend(r.id for r in page.data)
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert pages == 3
    assert len(set(seen)) == 5
    # The latest submission first by default.
    assert seen[0] == first.id
    approved = await reporting.handlers.list(
        LEADER, ReportQuery(status=[ReportStatus.APPROVED], kind=ReportKind.WORK, period="2026Q3")
    )
    assert [r.id for r in approved.data] == [first.id]
    by_period = await reporting.handlers.list(LEADER, ReportQuery(sort="period", period="2026Q2"))
    assert by_period.total == 0


# ---- completeness -------------------------------------------------------------------------------


async def test_completeness_counts_only_the_units_in_force_in_the_period(
    reporting: Reporting,
) -> None:
    await reporting.submit(TAY_HO_DISTRICT, HA_NOI, period="2024", results=RESULTS)
    await reporting.submit(BA_DINH_DISTRICT, HA_NOI, period="2024", results=RESULTS)
    await reporting.submit(HONG_HA, results=RESULTS)

    in_2024 = await reporting.handlers.completeness(
        LEADER, CompletenessQuery(unit_code=HA_NOI, period="2024")
    )
    assert [u.code for u in in_2024.expected_from] == [OLD_HA_NOI]
    assert (in_2024.expected, in_2024.submitted, in_2024.on_time) == (30, 2, 0)
    assert in_2024.submitted_rate == 6.6  # 2 of 30, rounded down

    in_q3 = await reporting.handlers.completeness(
        LEADER, CompletenessQuery(unit_code=HA_NOI, period="2026Q3")
    )
    assert (in_q3.expected, in_q3.submitted, in_q3.on_time) == (126, 1, 1)
    assert {r.unit_code for r in in_q3.rows if r.status is not ChildStatus.NOT_SUBMITTED} == {
        HONG_HA
    }


async def test_completeness_follows_each_childs_first_submission(reporting: Reporting) -> None:
    on_time = await reporting.submit(HONG_HA, results=RESULTS)
    reporting.clock.advance(timedelta(days=5))  # 23 September: past the 20th
    late = await reporting.submit(BA_DINH, results=RESULTS)
    await reporting.handlers.return_(LEADER, returning(on_time))
    await reporting.submit(HONG_HA, results=RESULTS)  # sent again, late, after the return
    await reporting.handlers.approve(LEADER, approving(late))

    view = await reporting.handlers.completeness(
        LEADER, CompletenessQuery(unit_code=HA_NOI, period="2026Q3")
    )
    rows = {row.unit_code: row for row in view.rows}
    assert (rows[HONG_HA].status, rows[HONG_HA].on_time) == (ChildStatus.SUBMITTED, True)
    assert (rows[BA_DINH].status, rows[BA_DINH].on_time) == (ChildStatus.APPROVED, False)
    assert (rows[BACH_MAI].status, rows[BACH_MAI].overdue) == (ChildStatus.NOT_SUBMITTED, True)
    assert (view.submitted, view.on_time, view.approved) == (2, 1, 1)
    assert view.on_time_rate is not None
    assert view.submitted_rate is not None
    assert view.on_time_rate <= view.submitted_rate <= 100
    kinds = await reporting.handlers.completeness(
        LEADER,
        CompletenessQuery(unit_code=HA_NOI, period="202609", kind=ReportKind.PEOPLE_SITUATION),
    )
    assert kinds.submitted == 0  # a work report is not the people's-situation report


async def test_a_child_cannot_see_its_parents_completeness(reporting: Reporting) -> None:
    await refused(
        reporting.handlers.completeness(
            person(HONG_HA, Role.LEADER), CompletenessQuery(unit_code=HA_NOI, period="2026")
        ),
        ErrorCode.FORBIDDEN,
    )


# ---- concerns -----------------------------------------------------------------------------------


async def test_a_parent_sees_the_concerns_of_its_whole_subtree_hot_spots_first(
    reporting: Reporting,
) -> None:
    month = {"kind": "people_situation", "period": "202609", "results": "Tình hình ổn định."}
    await reporting.submit(
        HONG_HA,
        **month,
        concerns=[
            {"topic": "Tiếng ồn karaoke", "unit_codes": [HONG_HA]},
            {
                "topic": "Bồi thường GPMB đường Vành đai 2",
                "unit_codes": [HONG_HA],
                "hot_spot": True,
            },
        ],
    )
    ba_dinh = await reporting.submit(
        BA_DINH, **month, concerns=[{"topic": "Giá điện", "unit_codes": [BA_DINH]}]
    )
    await reporting.handlers.return_(LEADER, returning(ba_dinh))
    await reporting.submit(
        HA_NOI,
        **month,
        concerns=[{"topic": "Ngập úng", "unit_codes": [HONG_HA, BA_DINH]}],
    )

    city = await reporting.handlers.concerns(
        LEADER, ConcernsQuery(unit_code=HA_NOI, period="202609")
    )
    assert [(c.reporting_unit.code, c.topic) for c in city.concerns] == [
        (HONG_HA, "Bồi thường GPMB đường Vành đai 2"),
        (BA_DINH, "Giá điện"),  # Phường Ba Đình
        (HA_NOI, "Ngập úng"),  # Thành phố Hà Nội
        (HONG_HA, "Tiếng ồn karaoke"),  # Phường Hồng Hà
    ]
    assert (city.count, city.hot_spots) == (4, 1)
    assert city.concerns[1].report_status is ReportStatus.RETURNED
    assert [u.code for u in city.concerns[2].units] == [HONG_HA, BA_DINH]
    commune = await reporting.handlers.concerns(
        person(HONG_HA, Role.VIEWER), ConcernsQuery(unit_code=HONG_HA, period="202609")
    )
    assert {c.topic for c in commune.concerns} == {
        "Tiếng ồn karaoke",
        "Bồi thường GPMB đường Vành đai 2",
    }
    other_month = await reporting.handlers.concerns(
        LEADER, ConcernsQuery(unit_code=HA_NOI, period="202608")
    )
    assert other_month.count == 0


async def test_sending_again_replaces_the_concerns(reporting: Reporting) -> None:
    month = {"kind": "people_situation", "period": "202609", "results": "Tình hình ổn định."}
    sent = await reporting.submit(
        HONG_HA, **month, concerns=[{"topic": "Cũ", "unit_codes": [HONG_HA], "hot_spot": True}]
    )
    await reporting.handlers.return_(LEADER, returning(sent))
    again = await reporting.submit(
        HONG_HA, **month, concerns=[{"topic": "Mới", "unit_codes": [HONG_HA]}]
    )
    assert [c.topic for c in again.concerns] == ["Mới"]
    assert (again.concerns_count, again.hot_spots_count) == (1, 0)


# ---- the rpc subjects ---------------------------------------------------------------------------


async def test_the_rpc_subjects_answer_with_the_one_reply_shape(reporting: Reporting) -> None:
    broker = reporting.runtime.broker
    register_reports(reporting.runtime, UNITS, reporting.figures, reporting.clock)
    async with TestNatsBroker(broker) as test_broker:
        body = ReportSubmit(unit_code=HONG_HA, period="2026Q3", results=RESULTS)
        subject = rpc_subject("reporting", "reports", "submit")
        sent = ReportDetail.model_validate(
            await call(test_broker, subject, person(HONG_HA), body, timeout=5)
        )
        approve = rpc_subject("reporting", "reports", "approve")
        data = {"id": str(sent.id), **ApproveBody().model_dump()}
        with pytest.raises(ServiceError) as error:
            await call(test_broker, approve, person(HONG_HA, Role.LEADER), data, timeout=5)
        assert error.value.code is ErrorCode.FORBIDDEN
        with pytest.raises(ServiceError) as invalid:
            await call(test_broker, subject, person(HONG_HA), {"unit_code": HONG_HA}, timeout=5)
        assert invalid.value.code is ErrorCode.VALIDATION
        completeness = rpc_subject("reporting", "reports", "completeness")
        query = CompletenessQuery(unit_code=HA_NOI, period="2026Q3")
        view = await call(test_broker, completeness, LEADER, query, timeout=5)
        assert (view["expected"], view["submitted"]) == (126, 1)
