"""Periodic reports' rules, without I/O: the review's state machine, who may take each step,
what a submission must name, the due date and the on-time rule, and the completeness of a
parent's children for a period. Handlers load state, ask these functions, store the outcome.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from danvan.access import in_scope, require_role, require_scope
from danvan.clock import local_date
from danvan.contracts.reports import (
    CHILD_STATUS_LABELS,
    REPORT_ACTION_ROLES,
    REPORT_KIND_LABELS,
    ChildStatus,
    Completeness,
    CompletenessRow,
    Concern,
    ConcernItem,
    ReportAction,
    ReportKind,
    ReportStatus,
    ReportSubmit,
    UnitName,
)
from danvan.contracts.rpc import ErrorCode, ErrorDetail, Message, Principal, ServiceError
from danvan.fact_units import unit_for_fact
from danvan.lifecycle import check_version, invalid, period_of, refuse_transition
from danvan.periods import Basis, Period, PeriodKind
from danvan.text import SortKey, sort_key
from danvan.units import Unit, UnitTree

NOUN = Message(vi="báo cáo", en="report")

# ---- the state machine ------------------------------------------------------------------------

# None: no report yet for the unit, period and kind.
TRANSITIONS: dict[ReportAction, tuple[frozenset[ReportStatus | None], ReportStatus]] = {
    ReportAction.SUBMIT: (frozenset({None, ReportStatus.RETURNED}), ReportStatus.SUBMITTED),
    ReportAction.RETURN: (frozenset({ReportStatus.SUBMITTED}), ReportStatus.RETURNED),
    ReportAction.APPROVE: (frozenset({ReportStatus.SUBMITTED}), ReportStatus.APPROVED),
}


def allowed_actions(status: ReportStatus | None) -> list[ReportAction]:
    return [action for action, (sources, _) in TRANSITIONS.items() if status in sources]


def next_status(action: ReportAction, status: ReportStatus | None) -> ReportStatus:
    """The status `action` leads to; a 409 naming the steps allowed now when it may not."""
    sources, target = TRANSITIONS[action]
    if status is ReportStatus.APPROVED:
        raise ServiceError(
            ErrorCode.CONFLICT,
            Message(
                vi=f"không thể thực hiện thao tác {action.value} với báo cáo đã được duyệt: "
                "báo cáo đã khóa; các thao tác được phép lúc này: không có",
                en=f"cannot {action.value} an approved report: it is locked; allowed now: none",
            ),
        )
    if status not in sources:
        allowed = [a.value for a in allowed_actions(status)]
        if status is None:
            names = ", ".join(allowed)
            raise ServiceError(
                ErrorCode.CONFLICT,
                Message(
                    vi=f"không thể thực hiện thao tác {action.value} với báo cáo chưa được gửi; "
                    f"các thao tác được phép lúc này: {names}",
                    en=f"cannot {action.value} a report that is not submitted; "
                    f"allowed now: {names}",
                ),
            )
        raise refuse_transition(NOUN, action.value, status.value, allowed)
    return target


@dataclass(frozen=True, slots=True)
class ReportState:
    """What the rules need to know of a stored report."""

    id: uuid.UUID
    unit_id: str
    parent_id: str
    status: ReportStatus
    version: int
    submission: int
    first_submitted_at: datetime


@dataclass(frozen=True, slots=True)
class StepPlan:
    action: ReportAction
    status: ReportStatus
    version: int
    submission: int


def plan_submit(state: ReportState | None, expected_version: int | None) -> StepPlan:
    """A first submission (no state yet) or a new version after a return. Who may submit is
    checked with what the submission names (`check_submission`)."""
    action = ReportAction.SUBMIT
    if state is None:
        return StepPlan(action, next_status(action, None), version=1, submission=1)
    # The state first: "it is locked" tells more than "it moved on" about an approved report.
    status = next_status(action, state.status)
    check_version(NOUN, state.version, expected_version)
    return StepPlan(action, status, state.version + 1, state.submission + 1)


def plan_review(
    action: ReportAction,
    state: ReportState,
    principal: Principal,
    units: UnitTree,
    expected_version: int | None,
) -> StepPlan:
    """Returning or approving; raises 403 or 409 when refused."""
    require_role(principal, *REPORT_ACTION_ROLES[action])
    require_reviewer(principal, units, state)
    status = next_status(action, state.status)
    check_version(NOUN, state.version, expected_version)
    return StepPlan(action, status, state.version + 1, state.submission)


def require_reviewer(principal: Principal, units: UnitTree, state: ReportState) -> None:
    """The unit a report is sent to, or a unit above it, reviews it: never the reporting unit
    itself, whose scope does not reach its parent."""
    if not in_scope(units, principal, state.parent_id):
        raise ServiceError(
            ErrorCode.FORBIDDEN,
            Message(
                vi=f"chỉ đơn vị nhận báo cáo ({state.parent_id}) hoặc đơn vị cấp trên của đơn vị "
                "đó mới được xem xét báo cáo",
                en=f"only the unit the report is sent to ({state.parent_id}) or a unit above it "
                "reviews it",
            ),
        )


# ---- periods, due dates, on time --------------------------------------------------------------


def report_period(kind: ReportKind, code: str, field: str = "period") -> Period:
    """The period a report covers; the people's situation is reported monthly."""
    period = period_of(code, field)
    if kind is ReportKind.PEOPLE_SITUATION and period.kind is not PeriodKind.MONTH:
        raise invalid(
            field,
            Message(
                vi=f"báo cáo loại {kind.value} là báo cáo tháng: hãy ghi một tháng, ví dụ 202605",
                en=f"a {kind.value} report is monthly: give a month such as 202605",
            ),
        )
    return period


def last_day(period: Period) -> date:
    """The day that decides which units a period's reports come from: the calendar's last."""
    return period.date_range(Basis.CALENDAR)[1]


def due_date(period: Period, due_days: int) -> date:
    """The period's data close on the 14th of its last month (Decree 09/2019 Art. 12); the
    report is due `due_days` later."""
    return period.date_range(Basis.CUTOFF)[1] + timedelta(days=due_days)


def on_time(first_submitted_at: datetime, due_on: date) -> bool:
    """On time when the *first* submission fell on or before the due date, in Vietnam: a
    resubmission after a return answers the parent's comment, it does not make a report that
    arrived on time late."""
    return local_date(first_submitted_at) <= due_on


# ---- what a submission names ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Submission:
    unit_id: str
    parent_id: str
    kind: ReportKind
    period: Period
    due_on: date
    # The units where each concern arises, as ids, in the order of `ReportSubmit.concerns`.
    concern_units: tuple[tuple[str, ...], ...]


def check_submission(
    command: ReportSubmit, principal: Principal, units: UnitTree, today: date, due_days: int
) -> Submission:
    """The unit reporting, its parent and the period; raises 403 or 422 when refused.

    The unit must be in force on the period's last day: that is the set its parent expects
    (see `completeness`), so a district that ceased on 2025-07-01 does not report for 2025.
    """
    require_role(principal, *REPORT_ACTION_ROLES[ReportAction.SUBMIT])
    period = report_period(command.kind, command.period)
    end = last_day(period)
    unit_id = unit_for_fact(units, command.unit_code, end, field="unit_code")
    require_scope(units, principal, unit_id)
    parent = units.parent(unit_id)
    if parent is None:
        raise invalid(
            "unit_code",
            Message(
                vi=f"{unit_id} không có đơn vị cấp trên để gửi báo cáo",
                en=f"{unit_id} has no parent to report to",
            ),
        )
    # Data start on the cut-off day, so a report may go up as soon as its data can exist.
    start = period.date_range(Basis.CUTOFF)[0]
    if today < start:
        raise invalid(
            "period",
            Message(
                vi=f"kỳ {period.code} chưa bắt đầu: số liệu của kỳ tính từ ngày {start}",
                en=f"the period {period.code} has not begun: its data start {start}",
            ),
        )
    concern_units = check_concerns(units, unit_id, end, command.concerns)
    return Submission(
        unit_id, parent.id, command.kind, period, due_date(period, due_days), concern_units
    )


def check_concerns(
    units: UnitTree, unit_id: str, day: date, concerns: Sequence[Concern]
) -> tuple[tuple[str, ...], ...]:
    """Each concern's units: in force on `day` and within the reporting unit. Every unit that
    is not is named, in one 422."""
    problems: list[ErrorDetail] = []
    resolved: list[tuple[str, ...]] = []
    for i, concern in enumerate(concerns):
        ids: list[str] = []
        for j, code in enumerate(concern.unit_codes):
            field = f"concerns.{i}.unit_codes.{j}"
            try:
                found = unit_for_fact(units, code, day, field=field)
            except ServiceError as error:
                problems.extend(error.details)
                continue
            if not units.is_within(found, unit_id):
                inner, outer = units.display_name(found), units.display_name(unit_id)
                reason = Message(
                    vi=f"{inner} không thuộc {outer}", en=f"{inner} is not within {outer}"
                )
                problems.append(ErrorDetail(field=field, reason=reason))
                continue
            ids.append(found)
        resolved.append(tuple(ids))
    if problems:
        raise ServiceError(
            ErrorCode.VALIDATION,
            Message(
                vi="một vấn đề nêu ra có đơn vị nằm ngoài đơn vị báo cáo",
                en="a concern names a unit outside the reporting unit",
            ),
            problems,
        )
    return tuple(resolved)


# ---- completeness -----------------------------------------------------------------------------


def parents_on(units: UnitTree, unit_id: str, day: date) -> tuple[Unit, ...]:
    """The unit as it stood on `day`: itself if in force; else the units of its level in force
    then, across every reorganisation in between. Hà Nội (`01`) in 2024 is the former city
    `old-01`; today's Bắc Ninh (`24`) in 2024 is the former Bắc Giang and Bắc Ninh; the former
    Hà Nội in 2026 is `01`. A former district has no counterpart since: nothing."""
    unit = units.get(unit_id)
    if unit.in_force_on(day):
        return (unit,)
    forward = unit.valid_to is not None and day >= unit.valid_to
    found: list[Unit] = []
    seen = {unit_id}
    frontier = [unit_id]
    while frontier:
        edges = units.successors(frontier[0]) if forward else units.predecessors(frontier[0])
        frontier = frontier[1:]
        for edge in edges:
            other = units.get(edge.successor_id if forward else edge.predecessor_id)
            if other.id in seen:
                continue
            seen.add(other.id)
            if not other.in_force_on(day):
                frontier.append(other.id)
            elif other.level is unit.level:
                found.append(other)
    return tuple(found)


def expected_children(
    units: UnitTree, unit_id: str, period: Period
) -> tuple[tuple[Unit, ...], tuple[Unit, ...]]:
    """The parent(s) as they stood at the period's end, and their children in force then."""
    day = last_day(period)
    parents = parents_on(units, unit_id, day)
    children = tuple(
        child for parent in parents for child in units.children(parent.id) if child.in_force_on(day)
    )
    return parents, children


@dataclass(frozen=True, slots=True)
class FiledReport:
    """A stored report as completeness sees it."""

    report_id: uuid.UUID
    unit_id: str
    status: ReportStatus
    version: int
    first_submitted_at: datetime
    # As set at the first submission: a later change of the setting moves no goalposts.
    due_on: date


def rate(part: int, whole: int) -> float | None:
    """A percentage rounded *down* to 0.1, so that 100 means all of them (2,998 of 2,999 is
    99.9, not a rounded-up 100); None when nothing is expected."""
    if whole == 0:
        return None
    return min(part, whole) * 1000 // whole / 10


def unit_name(units: UnitTree, unit_id: str) -> UnitName:
    """A unit with its parents; a stored id the tree no longer knows shows as itself."""
    name = units.display_name(unit_id) if unit_id in units else unit_id
    return UnitName(code=unit_id, name=name)


def completeness(
    units: UnitTree,
    unit_id: str,
    period: Period,
    kind: ReportKind,
    filed: Iterable[FiledReport],
    *,
    today: date,
    due_days: int,
) -> Completeness:
    """Expected, submitted, on time and approved among the children in force in the period.

    A report from a unit outside the expected set (one that was not in force on the period's
    last day) is not counted, so no count exceeds the expected and no rate exceeds 100. A
    returned report counts as submitted: it arrived, and its first arrival decides on time.
    """
    parents, children = expected_children(units, unit_id, period)
    due_on = due_date(period, due_days)
    by_unit = {report.unit_id: report for report in filed}
    rows = [_row(child, by_unit.get(child.id), due_on, today) for child in children]
    submitted = [row for row in rows if row.status is not ChildStatus.NOT_SUBMITTED]
    on_time_count = sum(1 for row in rows if row.on_time)
    return Completeness(
        unit_code=unit_id,
        unit_name=units.display_name(unit_id),
        period=period.code,
        period_label={"vi": period.label("vi"), "en": period.label("en")},
        kind=kind,
        kind_label=REPORT_KIND_LABELS[kind],
        as_of=today,
        due_on=due_on,
        expected_from=[unit_name(units, parent.id) for parent in parents],
        expected=len(rows),
        submitted=len(submitted),
        on_time=on_time_count,
        approved=sum(1 for row in rows if row.status is ChildStatus.APPROVED),
        returned=sum(1 for row in rows if row.status is ChildStatus.RETURNED),
        submitted_rate=rate(len(submitted), len(rows)),
        on_time_rate=rate(on_time_count, len(rows)),
        rows=rows,
    )


def _row(child: Unit, report: FiledReport | None, due_on: date, today: date) -> CompletenessRow:
    if report is None:
        status = ChildStatus.NOT_SUBMITTED
        return CompletenessRow(
            unit_code=child.id,
            unit_name=child.name,
            level=child.level.value,
            status=status,
            status_label=CHILD_STATUS_LABELS[status],
            due_on=due_on,
            submitted_at=None,
            on_time=None,
            overdue=today > due_on,
            report_id=None,
            version=None,
        )
    status = ChildStatus(report.status.value)
    return CompletenessRow(
        unit_code=child.id,
        unit_name=child.name,
        level=child.level.value,
        status=status,
        status_label=CHILD_STATUS_LABELS[status],
        due_on=report.due_on,
        submitted_at=report.first_submitted_at,
        on_time=on_time(report.first_submitted_at, report.due_on),
        overdue=False,
        report_id=report.report_id,
        version=report.version,
    )


# ---- the concerns of a subtree ----------------------------------------------------------------


def unit_order(units: UnitTree, unit_id: str) -> tuple[SortKey, SortKey, str]:
    """Vietnamese dictionary order of a unit's short name, then its full name."""
    unit = units.get(unit_id)
    return sort_key(unit.short_name), sort_key(unit.name), unit.id


def order_concerns(units: UnitTree, items: Sequence[ConcernItem]) -> list[ConcernItem]:
    """Hot spots first, then by reporting unit in Vietnamese order; a unit's concerns keep the
    order its report gave them (the sort is stable)."""
    return sorted(
        items, key=lambda item: (not item.hot_spot, unit_order(units, item.reporting_unit.code))
    )
