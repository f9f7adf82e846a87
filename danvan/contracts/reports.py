"""Periodic reports: what a unit submits to its parent for a period, the parent's review, the
concerns of the monthly report on the people's situation, and the completeness and timeliness
of a parent's children. Requests, replies and events.

A report is one per unit, period and kind. Its figures are frozen at submission; its
narrative states the results, the limitations ("hạn chế") and the key tasks ahead ("nhiệm vụ
trọng tâm"). The parent returns it with a comment or approves it; an approved report is locked.

Events carry no free text: a narrative, a concern or a reviewer's comment may name people, and
the event streams are read by systems outside the units concerned.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from danvan.contracts.envelope import EventPayload
from danvan.contracts.messages import NOT_BLANK, MessageError
from danvan.contracts.paging import PageRequest, SubtreeFilter, sort_by
from danvan.contracts.registry import TEXT_MAX_LENGTH, Labels, Line, Text, UnitCode
from danvan.contracts.rpc import Message, Role

# A review runs to tens of pages: the narrative parts get more room than a record's text. The
# limits together keep a report's reply within one NATS message (1 MB by default).
REPORT_TEXT_MAX_LENGTH = 20_000
TOPIC_MAX_LENGTH = 300
CONCERN_MAX_LENGTH = 2_000
MAX_CONCERNS = 50
# A concern that arises in more units than this is the reporting unit's own: name that unit.
MAX_CONCERN_UNITS = 50
PERIOD_PATTERN = r"^[0-9]{4}(S[12]|Q[1-4]|0[1-9]|1[0-2]|NM)?$"
PeriodCode = Annotated[
    str,
    Field(
        pattern=PERIOD_PATTERN,
        max_length=10,
        description="2026 (year), 2026S1 (half), 2026Q3 (quarter), 202605 (month), 2026NM",
        examples=["2026"],
    ),
]

# ---- vocabularies ----------------------------------------------------------------------------


class ReportKind(StrEnum):
    WORK = "work"  # the periodic review of mass-mobilisation work, for any period
    PEOPLE_SITUATION = "people_situation"  # monthly: "báo cáo phản ánh tình hình Nhân dân"


REPORT_KIND_LABELS: dict[ReportKind, Labels] = {
    ReportKind.WORK: {
        "vi": "Báo cáo công tác dân vận",
        "en": "Report on mass-mobilisation work",
    },
    ReportKind.PEOPLE_SITUATION: {
        "vi": "Báo cáo phản ánh tình hình Nhân dân",
        "en": "Monthly report on the people's situation",
    },
}


class ReportStatus(StrEnum):
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"  # locked: nothing changes it


REPORT_STATUS_LABELS: dict[ReportStatus, Labels] = {
    ReportStatus.SUBMITTED: {"vi": "Đã gửi, chờ duyệt", "en": "Submitted, awaiting review"},
    ReportStatus.RETURNED: {"vi": "Bị trả lại", "en": "Returned"},
    ReportStatus.APPROVED: {"vi": "Đã duyệt", "en": "Approved"},
}


class ReportAction(StrEnum):
    """A step of a report's review; each is an rpc action and gives one event."""

    SUBMIT = "submit"
    RETURN = "return"
    APPROVE = "approve"


REPORT_ACTION_LABELS: dict[ReportAction, Labels] = {
    ReportAction.SUBMIT: {"vi": "Gửi báo cáo", "en": "Submitted"},
    ReportAction.RETURN: {"vi": "Trả lại để hoàn chỉnh", "en": "Returned for completion"},
    ReportAction.APPROVE: {"vi": "Phê duyệt", "en": "Approved"},
}

# Officers and leaders of a unit submit its report; leaders of the parent (or above) review it.
REPORT_ACTION_ROLES: dict[ReportAction, tuple[Role, ...]] = {
    ReportAction.SUBMIT: (Role.OFFICER, Role.LEADER, Role.ADMIN),
    ReportAction.RETURN: (Role.LEADER, Role.ADMIN),
    ReportAction.APPROVE: (Role.LEADER, Role.ADMIN),
}


class ChildStatus(StrEnum):
    """Where one expected unit stands in a completeness view."""

    NOT_SUBMITTED = "not_submitted"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"


CHILD_STATUS_LABELS: dict[ChildStatus, Labels] = {
    ChildStatus.NOT_SUBMITTED: {"vi": "Chưa gửi", "en": "Not submitted"},
    ChildStatus.SUBMITTED: {"vi": "Đã gửi, chờ duyệt", "en": "Submitted, awaiting review"},
    ChildStatus.RETURNED: {"vi": "Bị trả lại", "en": "Returned"},
    ChildStatus.APPROVED: {"vi": "Đã duyệt", "en": "Approved"},
}


# ---- requests --------------------------------------------------------------------------------


def _not_blank(value: str) -> str:
    if not value:
        raise MessageError(NOT_BLANK)
    return value


# Text whose paragraphs are kept as written, but which must say something.
RequiredText = Annotated[Text, AfterValidator(_not_blank)]


def _distinct(codes: list[str]) -> list[str]:
    """Each unit once, in the order given."""
    return list(dict.fromkeys(codes))


class Concern(BaseModel):
    """A concern the people raised ("tâm tư, nguyện vọng"), where it arises, and whether it is
    a hot spot ("điểm nóng")."""

    model_config = ConfigDict(extra="forbid")

    topic: Line = Field(max_length=TOPIC_MAX_LENGTH, examples=["Bồi thường giải phóng mặt bằng"])
    description: Text = Field(default="", max_length=CONCERN_MAX_LENGTH)
    unit_codes: Annotated[list[UnitCode], AfterValidator(_distinct)] = Field(
        min_length=1,
        max_length=MAX_CONCERN_UNITS,
        description="the units of the reporting unit's subtree where it arises",
    )
    hot_spot: bool = Field(default=False, description="a hot spot (điểm nóng)")


class ReportSubmit(BaseModel):
    """A unit's report for a period, sent to its parent. Sending it again after a return makes
    a new version of the same report."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "unit_code": "00097",
                    "period": "2026",
                    "kind": "work",
                    "number": "15-BC/BDV",
                    "place": "Hà Nội",
                    "results": "Tổ chức 12 hội nghị đối thoại; 66 mô hình đăng ký…",
                    "limitations": "Một số tổ dân vận hoạt động chưa thường xuyên…",
                    "tasks": "8 nhóm nhiệm vụ, giải pháp trọng tâm năm 2027…",
                }
            ]
        },
    )

    unit_code: UnitCode = Field(description="the reporting unit, in force on the period's end")
    period: PeriodCode
    kind: ReportKind = ReportKind.WORK
    number: Line | None = Field(
        default=None, max_length=50, description='the document number, e.g. "15-BC/BDVTU"'
    )
    place: Line | None = Field(default=None, max_length=200, examples=["Hà Nội"])
    results: RequiredText = Field(max_length=REPORT_TEXT_MAX_LENGTH)
    limitations: Text = Field(default="", max_length=REPORT_TEXT_MAX_LENGTH)
    tasks: Text = Field(
        default="", max_length=REPORT_TEXT_MAX_LENGTH, description="key tasks ahead"
    )
    concerns: list[Concern] = Field(
        default_factory=list,
        max_length=MAX_CONCERNS,
        description="only in a people_situation report",
    )
    expected_version: int | None = Field(
        default=None, ge=1, description="when sending again: refused with 409 if it moved on"
    )

    @field_validator("concerns")
    @classmethod
    def _concerns_belong_to_people_situation(
        cls, value: list[Concern], info: ValidationInfo
    ) -> list[Concern]:
        if value and info.data.get("kind") is not ReportKind.PEOPLE_SITUATION:
            raise MessageError(
                Message(
                    vi="chỉ báo cáo loại people_situation mới có mục concerns",
                    en="only a people_situation report carries concerns",
                )
            )
        return value


class _Target(BaseModel):
    id: uuid.UUID = Field(description="the report's id")


class ReturnBody(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "comment": "Bổ sung số liệu đối thoại quý IV và kết quả thực hiện Kết luận 120",
                    "expected_version": 1,
                }
            ]
        },
    )

    comment: RequiredText = Field(
        max_length=TEXT_MAX_LENGTH, description="what the unit must complete"
    )
    expected_version: int | None = Field(
        default=None, ge=1, description="refused with 409 when the report has moved on"
    )


class ApproveBody(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"comment": "Đồng ý", "expected_version": 2}]},
    )

    comment: Text = Field(default="", max_length=TEXT_MAX_LENGTH)
    expected_version: int | None = Field(
        default=None, ge=1, description="refused with 409 when the report has moved on"
    )


class ReportReturn(_Target, ReturnBody):
    pass


class ReportApprove(_Target, ApproveBody):
    pass


REPORT_REVIEW_BODIES: dict[ReportAction, type[BaseModel]] = {
    ReportAction.RETURN: ReturnBody,
    ReportAction.APPROVE: ApproveBody,
}


class ReportQuery(PageRequest):
    model_config = ConfigDict(extra="forbid")

    sort: str | None = sort_by(
        "submitted_at", "period", "due_on", "status", default="-submitted_at"
    )
    unit_code: SubtreeFilter = None
    period: PeriodCode | None = None
    kind: ReportKind | None = None
    status: list[ReportStatus] = Field(default_factory=list)


class CompletenessQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_code: UnitCode = Field(description="the parent whose children are expected to report")
    period: PeriodCode
    kind: ReportKind = ReportKind.WORK


class ConcernsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_code: UnitCode = Field(description="every concern of this unit's whole subtree")
    period: PeriodCode = Field(description="a month: 202605")


# ---- replies ---------------------------------------------------------------------------------


class UnitName(BaseModel):
    code: str = Field(examples=["00097"])
    name: str = Field(
        description="with its parents up to the province", examples=["Phường Hồng Hà, Hà Nội"]
    )


class ConcernPublic(BaseModel):
    topic: str
    description: str
    hot_spot: bool
    units: list[UnitName]


WORK_LABEL = {"vi": "Báo cáo công tác dân vận", "en": "Report on mass-mobilisation work"}
YEAR_2026 = {"vi": "Năm 2026", "en": "Year 2026"}
REPORT_EXAMPLE: dict[str, Any] = {
    "id": "4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8",
    "unit_code": "00097",
    "unit_name": "Phường Hồng Hà, Thành phố Hà Nội",
    "parent_code": "01",
    "kind": "work",
    "kind_label": WORK_LABEL,
    "period": "2026",
    "period_label": YEAR_2026,
    "status": "approved",
    "status_label": {"vi": "Đã duyệt", "en": "Approved"},
    "version": 2,
    "submission": 1,
    "number": "15-BC/BDV",
    "place": "Hà Nội",
    "due_on": "2026-12-20",
    "first_submitted_at": "2026-12-10T16:05:00+07:00",
    "submitted_at": "2026-12-10T16:05:00+07:00",
    "submitted_by": "can-bo-hong-ha",
    "on_time": True,
    "reviewed_at": "2026-12-14T09:30:00+07:00",
    "reviewed_by": "lanh-dao-ha-noi",
    "concerns_count": 0,
    "hot_spots_count": 0,
}
COMPLETENESS_EXAMPLE: dict[str, Any] = {
    "unit_code": "01",
    "unit_name": "Thành phố Hà Nội",
    "period": "2026",
    "period_label": YEAR_2026,
    "kind": "work",
    "kind_label": WORK_LABEL,
    "as_of": "2026-12-21",
    "due_on": "2026-12-20",
    "expected_from": [{"code": "01", "name": "Thành phố Hà Nội"}],
    "expected": 126,
    "submitted": 118,
    "on_time": 111,
    "approved": 97,
    "returned": 4,
    "submitted_rate": 93.7,
    "on_time_rate": 88.1,
    "rows": [
        {
            "unit_code": "00097",
            "unit_name": "Phường Hồng Hà",
            "level": "commune",
            "status": "approved",
            "status_label": {"vi": "Đã duyệt", "en": "Approved"},
            "due_on": "2026-12-20",
            "submitted_at": "2026-12-10T16:05:00+07:00",
            "on_time": True,
            "overdue": False,
            "report_id": "4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8",
            "version": 2,
        }
    ],
}


class ReportPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [REPORT_EXAMPLE]})

    id: uuid.UUID
    unit_code: str
    unit_name: str
    parent_code: str = Field(description="the unit the report is sent to")
    kind: ReportKind
    kind_label: Labels
    period: str
    period_label: Labels
    status: ReportStatus
    status_label: Labels
    version: int = Field(description="moves on with every step: send it as expected_version")
    submission: int = Field(description="how many times it was submitted (1 + resubmissions)")
    number: str | None
    place: str | None
    due_on: date
    first_submitted_at: datetime
    submitted_at: datetime = Field(description="the latest submission")
    submitted_by: str
    on_time: bool = Field(description="whether the first submission met the due date")
    reviewed_at: datetime | None
    reviewed_by: str | None
    concerns_count: int
    hot_spots_count: int


class ReportHistoryEntry(BaseModel):
    version: int
    action: ReportAction
    action_label: Labels
    status: ReportStatus
    submission: int
    by: str
    at: datetime
    comment: str | None


class ReportDetail(ReportPublic):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                REPORT_EXAMPLE
                | {
                    "results": "Tổ chức 12 hội nghị đối thoại; 66 mô hình đăng ký…",
                    "limitations": "Một số tổ dân vận hoạt động chưa thường xuyên…",
                    "tasks": "8 nhóm nhiệm vụ, giải pháp trọng tâm năm 2027…",
                    "review_comment": "Đồng ý",
                    "figures": {"unit_code": "00097", "period": "2026", "figures": []},
                    "concerns": [],
                    "history": [
                        {
                            "version": 1,
                            "action": "submit",
                            "action_label": {"vi": "Gửi báo cáo", "en": "Submitted"},
                            "status": "submitted",
                            "submission": 1,
                            "by": "can-bo-hong-ha",
                            "at": "2026-12-10T16:05:00+07:00",
                            "comment": None,
                        },
                        {
                            "version": 2,
                            "action": "approve",
                            "action_label": {"vi": "Phê duyệt", "en": "Approved"},
                            "status": "approved",
                            "submission": 1,
                            "by": "lanh-dao-ha-noi",
                            "at": "2026-12-14T09:30:00+07:00",
                            "comment": "Đồng ý",
                        },
                    ],
                }
            ]
        }
    )

    results: str
    limitations: str
    tasks: str
    review_comment: str | None = Field(description="the latest review's comment")
    figures: dict[str, Any] | None = Field(
        description="the figures view as it stood at the latest submission, kept as sent; "
        "without its children's rows, which are kept but outgrow one message for a province"
    )
    concerns: list[ConcernPublic]
    history: list[ReportHistoryEntry]


class CompletenessRow(BaseModel):
    unit_code: str
    unit_name: str
    level: str
    status: ChildStatus
    status_label: Labels
    due_on: date
    submitted_at: datetime | None = Field(description="the first submission")
    on_time: bool | None = Field(description="None until it is submitted")
    overdue: bool = Field(description="not submitted and past the due date")
    report_id: uuid.UUID | None
    version: int | None


class Completeness(BaseModel):
    """How many of a parent's children reported for a period, and on time ("29/29")."""

    model_config = ConfigDict(json_schema_extra={"examples": [COMPLETENESS_EXAMPLE]})

    unit_code: str
    unit_name: str
    period: str
    period_label: Labels
    kind: ReportKind
    kind_label: Labels
    as_of: date
    due_on: date
    expected_from: list[UnitName] = Field(
        description="the parent as it stood in the period: Hà Nội in 2024 is the former city"
    )
    expected: int = Field(description="children in force on the period's last day")
    submitted: int
    on_time: int
    approved: int
    returned: int
    submitted_rate: float | None = Field(description="percent of expected; None if none expected")
    on_time_rate: float | None = Field(description="percent of expected; None if none expected")
    rows: list[CompletenessRow]


class ConcernItem(BaseModel):
    report_id: uuid.UUID
    report_status: ReportStatus
    report_status_label: Labels
    reporting_unit: UnitName
    topic: str
    description: str
    hot_spot: bool
    units: list[UnitName]


class ConcernsView(BaseModel):
    """Every concern raised in a unit's whole subtree in a month: hot spots first."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "unit_code": "01",
                    "unit_name": "Thành phố Hà Nội",
                    "period": "202611",
                    "period_label": {"vi": "Tháng 11/2026", "en": "November 2026"},
                    "count": 1,
                    "hot_spots": 1,
                    "concerns": [
                        {
                            "report_id": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
                            "report_status": "submitted",
                            "report_status_label": {
                                "vi": "Đã gửi, chờ duyệt",
                                "en": "Submitted, awaiting review",
                            },
                            "reporting_unit": {
                                "code": "00097",
                                "name": "Phường Hồng Hà, Thành phố Hà Nội",
                            },
                            "topic": "Bồi thường giải phóng mặt bằng",
                            "description": "12 hộ chưa đồng thuận đơn giá bồi thường",
                            "hot_spot": True,
                            "units": [
                                {"code": "00097", "name": "Phường Hồng Hà, Thành phố Hà Nội"}
                            ],
                        }
                    ],
                }
            ]
        }
    )

    unit_code: str
    unit_name: str
    period: str
    period_label: Labels
    count: int
    hot_spots: int
    concerns: list[ConcernItem]


# ---- events ----------------------------------------------------------------------------------


class _ReportEvent(EventPayload):
    """Every report event says whose report, for which period, where it stands, and who."""

    report_id: uuid.UUID
    unit_code: str
    parent_code: str
    kind: ReportKind
    period: str
    status: ReportStatus
    record_version: int = Field(description="the report's version after this step")
    submission: int
    due_on: date
    on: date
    by: str


class ReportSubmitted(_ReportEvent):
    """A unit submitted its report for a period (again, after a return, when submission > 1)."""

    service = "reporting"
    aggregate = "report"
    verb = "submitted"

    on_time: bool = Field(description="whether the first submission met the due date")
    concerns: int
    hot_spots: int


class ReportReturned(_ReportEvent):
    """The parent returned a report for completion (the comment stays in the service)."""

    service = "reporting"
    aggregate = "report"
    verb = "returned"


class ReportApproved(_ReportEvent):
    """The parent approved a report: it is locked."""

    service = "reporting"
    aggregate = "report"
    verb = "approved"


REPORT_EVENTS: dict[ReportAction, type[_ReportEvent]] = {
    ReportAction.SUBMIT: ReportSubmitted,
    ReportAction.RETURN: ReportReturned,
    ReportAction.APPROVE: ReportApproved,
}
