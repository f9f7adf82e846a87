"""The reception service's language: citizen reception (visits), petitions and their
handling, cases, dialogue conferences; requests, replies and events.

Events never carry a person's identity (name, ID number, phone, street): a denouncer's
identity is confidential by law, and an event stream is read by systems outside the
handling unit. They carry the person's kind and the unit of their address only.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from danvan.contracts.envelope import EventPayload
from danvan.contracts.paging import PageRequest, SearchFilter, SubtreeFilter, sort_by
from danvan.contracts.registry import (
    NAME_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    Attachment,
    Labels,
    Line,
    Text,
    UnitCode,
)
from danvan.contracts.rpc import DECIDERS, WRITERS, Message, Role

# ---- vocabularies ----------------------------------------------------------------------------


def _recorded(value: Any) -> Any:
    # Visits stored, and their events published, before warnings were bilingual hold the
    # English sentence alone: it stands for both languages.
    return Message(vi=value, en=value) if isinstance(value, str) else value


#: A sentence kept with a record or an event, in both languages (plain English before 2027).
RecordedMessage = Annotated[Message, BeforeValidator(_recorded)]


class ReceptionMode(StrEnum):
    REGULAR = "regular"  # thường xuyên, at the reception office
    PERIODIC = "periodic"  # định kỳ, by the head in person
    PERIODIC_DELEGATED = "periodic_delegated"  # by a deputy the head delegated (until 2026-06-30)
    AD_HOC = "ad_hoc"  # đột xuất
    ONLINE = "online"  # trực tuyến, recognised from 2026-07-01
    DEPUTIES = "deputies"  # by elected deputies


#: The modes in which the head receives citizens in person, counted against the legal schedule
#: (Luật Tiếp công dân, Arts. 12, 13 and 15) by reception and by reporting alike.
HEAD_MODES = frozenset({ReceptionMode.PERIODIC, ReceptionMode.PERIODIC_DELEGATED})


RECEPTION_MODE_LABELS: dict[ReceptionMode, Labels] = {
    ReceptionMode.REGULAR: {"vi": "Tiếp thường xuyên", "en": "Regular reception"},
    ReceptionMode.PERIODIC: {
        "vi": "Tiếp định kỳ của người đứng đầu",
        "en": "Periodic, by the head",
    },
    ReceptionMode.PERIODIC_DELEGATED: {
        "vi": "Tiếp định kỳ (ủy quyền)",
        "en": "Periodic, delegated by the head",
    },
    ReceptionMode.AD_HOC: {"vi": "Tiếp đột xuất", "en": "Ad-hoc reception"},
    ReceptionMode.ONLINE: {"vi": "Tiếp trực tuyến", "en": "Online reception"},
    ReceptionMode.DEPUTIES: {"vi": "Tiếp của đại biểu dân cử", "en": "By elected deputies"},
}


class ReceiverRole(StrEnum):
    HEAD = "head"  # chủ tịch: the head of the unit
    DEPUTY_HEAD = "deputy_head"
    OFFICER = "officer"
    ELECTED_DEPUTY = "elected_deputy"


class PetitionClass(StrEnum):
    COMPLAINT = "complaint"  # khiếu nại
    DENUNCIATION = "denunciation"  # tố cáo
    RECOMMENDATION = "recommendation"  # kiến nghị
    FEEDBACK = "feedback"  # phản ánh
    MIXED = "mixed"  # several contents


PETITION_CLASS_LABELS: dict[PetitionClass, Labels] = {
    PetitionClass.COMPLAINT: {"vi": "Khiếu nại", "en": "Complaint"},
    PetitionClass.DENUNCIATION: {"vi": "Tố cáo", "en": "Denunciation"},
    PetitionClass.RECOMMENDATION: {"vi": "Kiến nghị", "en": "Recommendation"},
    PetitionClass.FEEDBACK: {"vi": "Phản ánh", "en": "Feedback"},
    PetitionClass.MIXED: {"vi": "Nhiều nội dung", "en": "Several contents"},
}


class Sector(StrEnum):
    LAND = "land"
    COMPENSATION = "compensation"  # compensation and land clearance
    SOCIAL_POLICY = "social_policy"
    CORRUPTION = "corruption"
    ADMINISTRATION = "administration"
    JUSTICE = "justice"
    OTHER = "other"


SECTOR_LABELS: dict[Sector, Labels] = {
    Sector.LAND: {"vi": "Đất đai", "en": "Land"},
    Sector.COMPENSATION: {
        "vi": "Bồi thường, giải phóng mặt bằng",
        "en": "Compensation and land clearance",
    },
    Sector.SOCIAL_POLICY: {"vi": "Chính sách xã hội", "en": "Social policy"},
    Sector.CORRUPTION: {"vi": "Tham nhũng, tiêu cực", "en": "Corruption"},
    Sector.ADMINISTRATION: {"vi": "Hành chính", "en": "Administration"},
    Sector.JUSTICE: {"vi": "Tư pháp", "en": "Justice"},
    Sector.OTHER: {"vi": "Khác", "en": "Other"},
}


class PetitionSource(StrEnum):
    IN_PERSON = "in_person"
    POST = "post"
    FORWARDED = "forwarded"  # by another body
    ONLINE = "online"


class PetitionerKind(StrEnum):
    INDIVIDUAL = "individual"
    CROWD = "crowd"
    ORGANISATION = "organisation"


class PetitionStatus(StrEnum):
    RECEIVED = "received"
    CLASSIFIED = "classified"
    NOT_ELIGIBLE = "not_eligible"
    FORWARDED = "forwarded"
    ACCEPTED = "accepted"  # thụ lý
    VERIFYING = "verifying"
    CONCLUDED = "concluded"
    ENFORCED = "enforced"
    WITHDRAWN = "withdrawn"


class Conclusion(StrEnum):
    UPHELD = "upheld"  # đúng
    PARTLY_UPHELD = "partly_upheld"  # đúng một phần
    REJECTED = "rejected"  # sai


class PetitionAction(StrEnum):
    CLASSIFY = "classify"
    REJECT = "reject"  # not eligible
    FORWARD = "forward"
    ACCEPT = "accept"
    VERIFY = "verify"
    EXTEND = "extend"
    CONCLUDE = "conclude"
    ENFORCE = "enforce"
    WITHDRAW = "withdraw"


# Officers record and move a petition along; leaders decide on it (DESIGN.md, Security).
PETITION_ACTION_ROLES: dict[PetitionAction, tuple[Role, ...]] = {
    PetitionAction.CLASSIFY: WRITERS,
    PetitionAction.REJECT: DECIDERS,
    PetitionAction.FORWARD: WRITERS,
    PetitionAction.ACCEPT: DECIDERS,
    PetitionAction.VERIFY: WRITERS,
    PetitionAction.EXTEND: DECIDERS,
    PetitionAction.CONCLUDE: DECIDERS,
    PetitionAction.ENFORCE: DECIDERS,
    PetitionAction.WITHDRAW: WRITERS,
}


# ---- people --------------------------------------------------------------------------------------


class Address(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_code: UnitCode = Field(description="the commune (or other unit) of the address")
    street: Text = Field(default="", max_length=300, description="house number, street, hamlet")


class Person(BaseModel):
    """Someone's identity: personal data, shown only to the handling unit's officers."""

    model_config = ConfigDict(extra="forbid")

    name: Line = Field(max_length=NAME_MAX_LENGTH)
    id_number: str | None = Field(
        default=None, pattern=r"^[0-9]{9,12}$", description="CCCD/CMND number"
    )
    address: Address | None = None
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9 .-]{8,20}$")


class Petitioner(Person):
    kind: PetitionerKind = PetitionerKind.INDIVIDUAL


MASK = "***"


# ---- visits ("lượt tiếp") ------------------------------------------------------------------


class VisitCreate(BaseModel):
    """One reception of one or more citizens about one matter."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "unit_code": "00097",
                    "mode": "periodic",
                    "received_on": "2026-11-16",
                    "receiver_name": "Trần Văn Bình",
                    "receiver_role": "head",
                    "headcount": 12,
                    "visitors": [{"name": "Lê Thị Hoa", "id_number": "001190012345"}],
                    "representatives": [
                        {"name": "Lê Thị Hoa", "id_number": "001190012345"},
                        {"name": "Phạm Văn Nam"},
                    ],
                    "matter": "Bồi thường giải phóng mặt bằng dự án đường vành đai",
                    "content": "Đề nghị xem xét lại đơn giá bồi thường",
                }
            ]
        },
    )

    unit_code: UnitCode = Field(description="the receiving unit")
    mode: ReceptionMode
    received_on: date | None = Field(default=None, description="today when not given")
    receiver_name: Line = Field(max_length=NAME_MAX_LENGTH)
    receiver_role: ReceiverRole
    headcount: int = Field(ge=1, le=10_000)
    visitors: list[Person] = Field(default_factory=list, max_length=200)
    representatives: list[Person] = Field(default_factory=list, max_length=50)
    matter: Line = Field(max_length=500, description="what it is about, in a line")
    content: Text = Field(default="", max_length=TEXT_MAX_LENGTH)
    received_documents: Text = Field(default="", max_length=TEXT_MAX_LENGTH)
    case_id: uuid.UUID | None = Field(
        default=None, description="a repeat visit: the existing case it belongs to"
    )
    new_case: bool = Field(
        default=False, description="open a new case even when a similar one exists"
    )


class VisitPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "7eaf04ab-236c-48be-961e-e8ffd2a459e6",
                    "unit_code": "00097",
                    "mode": "periodic",
                    "received_on": "2026-11-16",
                    "receiver_name": "Trần Văn Bình",
                    "receiver_role": "head",
                    "headcount": 12,
                    "crowd": True,
                    "representatives_count": 2,
                    "repeat": False,
                    "case_id": "cf46850c-8bda-4206-92c7-d174373ff7e9",
                    "matter": "Bồi thường giải phóng mặt bằng dự án đường vành đai",
                    "content": "Đề nghị xem xét lại đơn giá bồi thường",
                    "received_documents": "",
                    "warnings": [],
                    "visitors": [
                        {
                            "name": "Lê Thị Hoa",
                            "id_number": "001190012345",
                            "address": None,
                            "phone": None,
                        }
                    ],
                    "representatives": [
                        {
                            "name": "Lê Thị Hoa",
                            "id_number": "001190012345",
                            "address": None,
                            "phone": None,
                        },
                        {"name": "Phạm Văn Nam", "id_number": None, "address": None, "phone": None},
                    ],
                    "reply_due_on": "2026-12-01",
                    "replied_on": None,
                    "reply_summary": None,
                    "created_by": "can-bo-hong-ha",
                    "created_at": "2026-11-16T09:40:23+07:00",
                }
            ]
        }
    )

    id: uuid.UUID
    unit_code: str
    mode: ReceptionMode
    received_on: date
    receiver_name: str
    receiver_role: ReceiverRole
    headcount: int
    crowd: bool
    representatives_count: int
    repeat: bool
    case_id: uuid.UUID
    matter: str
    content: str
    received_documents: str
    warnings: list[RecordedMessage] = Field(
        description="what the law would have had otherwise, each in Vietnamese and English"
    )
    visitors: list[Person] = Field(description="masked outside the receiving unit")
    representatives: list[Person]
    reply_due_on: date | None = Field(
        default=None, description="the reply the law owes (10 working days)"
    )
    replied_on: date | None = None
    reply_summary: str | None = Field(default=None, description="what the reply answered")
    created_by: str
    created_at: datetime


class VisitReply(BaseModel):
    """The unit's reply to what a visit raised (Luật Tiếp công dân 2013 Art. 28)."""

    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID
    on: date | None = None
    summary: Line = Field(max_length=1000, description="what was answered, in a line")


class VisitQuery(PageRequest):
    model_config = ConfigDict(extra="forbid")

    sort: str | None = sort_by("received_on", default="-received_on")
    unit_code: SubtreeFilter = None
    mode: ReceptionMode | None = None
    crowd: bool | None = None
    received_from: date | None = None
    received_to: date | None = None
    q: SearchFilter = None


class ScheduleQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_code: str = Field(max_length=20)
    period: str = Field(max_length=10, description="2026, 2026Q3, 202605…")


class ScheduleCompliance(BaseModel):
    """Whether the head of a unit kept the reception days the law sets."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "unit_code": "00097",
                    "period": "202611",
                    "required_days": 4,
                    "held_days": 3,
                    "kept": False,
                    "rule": "Luật Tiếp công dân 2013 Art. 15: 1 day a week",
                    "held_on": ["2026-11-02", "2026-11-09", "2026-11-16"],
                    "missing_periods": ["2026-W47"],
                }
            ]
        }
    )

    unit_code: str
    period: str
    required_days: int
    held_days: int
    kept: bool
    rule: str
    held_on: list[date]
    missing_periods: list[str] = Field(description="the weeks or months without a day")


# ---- petitions ("đơn thư") -----------------------------------------------------------------


class PetitionCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "unit_code": "00097",
                    "received_on": "2026-11-16",
                    "source": "in_person",
                    "petition_class": "complaint",
                    "sector": "compensation",
                    "petitioner": {
                        "kind": "crowd",
                        "name": "Nguyễn Văn Hùng và 11 hộ dân",
                        "id_number": "001085067890",
                        "address": {"unit_code": "00097", "street": "Ngõ 12 Âu Cơ"},
                        "phone": "0987654321",
                    },
                    "respondent": "Ban Quản lý dự án đường vành đai",
                    "summary": "Khiếu nại quyết định phê duyệt đơn giá bồi thường",
                }
            ]
        },
    )

    unit_code: UnitCode = Field(description="the unit that received it and handles it")
    received_on: date | None = None
    source: PetitionSource
    forwarded_by: Line | None = Field(
        default=None, max_length=NAME_MAX_LENGTH, description="the body that forwarded it"
    )
    petition_class: PetitionClass
    sector: Sector
    petitioner: Petitioner
    respondent: Text = Field(
        default="", max_length=NAME_MAX_LENGTH, description="the body or person complained about"
    )
    summary: Line = Field(max_length=1000)
    content: Text = Field(default="", max_length=TEXT_MAX_LENGTH)
    attachments: list[Attachment] = Field(default_factory=list, max_length=50)
    remote_area: bool = Field(default=False, description="a remote, hard-to-reach area")
    visit_id: uuid.UUID | None = Field(default=None, description="the visit that brought it")
    case_id: uuid.UUID | None = None
    new_case: bool = False
    first_instance_id: uuid.UUID | None = Field(
        default=None, description="a second-instance complaint: the first complaint"
    )


class PetitionStepBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    on: date | None = Field(default=None, description="the day of the step; today when not given")
    expected_version: int | None = Field(default=None, ge=1)


class ClassifyBody(PetitionStepBody):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"petition_class": "mixed", "sector": "land", "expected_version": 1}]
        },
    )

    petition_class: PetitionClass | None = None
    sector: Sector | None = None


class RejectBody(PetitionStepBody):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reason": "Đơn không ghi tên, địa chỉ người khiếu nại"}]},
    )

    reason: Text = Field(min_length=1, max_length=TEXT_MAX_LENGTH)


class ForwardBody(PetitionStepBody):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"to_body": "Ủy ban nhân dân thành phố Hà Nội", "dispatch_number": "125/PC-UBND"}
            ]
        },
    )

    to_body: Line = Field(max_length=NAME_MAX_LENGTH, description="the competent body")
    dispatch_number: Line = Field(max_length=100, description='e.g. "125/PC-UBND"')


class AcceptBody(PetitionStepBody):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"on": "2026-11-20", "complex": True}]}
    )

    complex: bool = False
    especially_complex: bool = False
    several_places: bool = Field(default=False, description="denunciations: checks at places")


class VerifyBody(PetitionStepBody):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"on": "2026-11-25"}]}
    )


class ExtendBody(PetitionStepBody):
    """A denunciation's resolution extended by a written decision."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"decision_number": "87/QĐ-UBND"}]}
    )

    decision_number: Line = Field(max_length=100)


class ConcludeBody(PetitionStepBody):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "conclusion": "partly_upheld",
                    "decision_number": "312/QĐ-UBND",
                    "remarks": "Điều chỉnh đơn giá bồi thường cho 4 hộ",
                }
            ]
        },
    )

    conclusion: Conclusion
    decision_number: Line = Field(max_length=100)
    remarks: Text = Field(default="", max_length=TEXT_MAX_LENGTH)


class EnforceBody(PetitionStepBody):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"remarks": "Đã chi trả phần bồi thường bổ sung"}]},
    )

    remarks: Text = Field(default="", max_length=TEXT_MAX_LENGTH)


class WithdrawPetitionBody(PetitionStepBody):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"reason": "Người khiếu nại đã được giải thích và rút đơn"}]
        },
    )

    reason: Text = Field(default="", max_length=TEXT_MAX_LENGTH)


PETITION_STEP_BODIES: dict[PetitionAction, type[PetitionStepBody]] = {
    PetitionAction.CLASSIFY: ClassifyBody,
    PetitionAction.REJECT: RejectBody,
    PetitionAction.FORWARD: ForwardBody,
    PetitionAction.ACCEPT: AcceptBody,
    PetitionAction.VERIFY: VerifyBody,
    PetitionAction.EXTEND: ExtendBody,
    PetitionAction.CONCLUDE: ConcludeBody,
    PetitionAction.ENFORCE: EnforceBody,
    PetitionAction.WITHDRAW: WithdrawPetitionBody,
}


PETITION_EXAMPLE: dict[str, Any] = {
    "id": "f209f65b-a801-4eed-bf92-f90397f5a7ac",
    "unit_code": "00097",
    "received_on": "2026-11-16",
    "source": "in_person",
    "forwarded_by": None,
    "petition_class": "complaint",
    "sector": "compensation",
    "status": "accepted",
    "version": 3,
    "petitioner": {
        "name": "Nguyễn Văn Hùng và 11 hộ dân",
        "id_number": "001085067890",
        "address": {"unit_code": "00097", "street": "Ngõ 12 Âu Cơ"},
        "phone": "0987654321",
        "kind": "crowd",
    },
    "respondent": "Ban Quản lý dự án đường vành đai",
    "summary": "Khiếu nại quyết định phê duyệt đơn giá bồi thường",
    "remote_area": False,
    "case_id": "84b9a258-c817-41da-9eb2-b2b62cbb7df7",
    "first_instance_id": None,
    "next_due_on": "2027-01-19",
    "overdue": False,
    "conclusion": None,
    "created_by": "can-bo-hong-ha",
    "updated_at": "2026-11-20T15:12:45+07:00",
}


class DeadlinePublic(BaseModel):
    """A deadline the law set for a step, the rule that set it, and whether it was met."""

    rule_code: str
    basis: str
    label: str
    started_on: date
    due_on: date
    met_on: date | None
    state: str = Field(description="open, met, missed, or superseded by a later step")
    overdue: bool


class PetitionHistoryEntry(BaseModel):
    version: int
    action: str
    status: PetitionStatus
    on: date
    by: str
    at: datetime
    details: dict[str, object] = {}


class PetitionPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [PETITION_EXAMPLE]})

    id: uuid.UUID
    unit_code: str
    received_on: date
    source: PetitionSource
    forwarded_by: str | None
    petition_class: PetitionClass
    sector: Sector
    status: PetitionStatus
    version: int
    petitioner: Petitioner = Field(description="masked outside the handling unit")
    respondent: str
    summary: str
    remote_area: bool
    case_id: uuid.UUID
    first_instance_id: uuid.UUID | None
    next_due_on: date | None
    overdue: bool
    conclusion: Conclusion | None
    created_by: str
    updated_at: datetime


class PetitionDetail(PetitionPublic):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                PETITION_EXAMPLE
                | {
                    "content": "Đề nghị xem xét lại đơn giá bồi thường đất nông nghiệp",
                    "attachments": [],
                    "deadlines": [
                        {
                            "rule_code": "complaint_acceptance",
                            "basis": "Luật Khiếu nại 2011 Arts. 27, 36",
                            "label": "Thụ lý khiếu nại lần đầu, lần hai",
                            "started_on": "2026-11-16",
                            "due_on": "2026-11-26",
                            "met_on": "2026-11-20",
                            "state": "met",
                            "overdue": False,
                        }
                    ],
                    "history": [
                        {
                            "version": 1,
                            "action": "received",
                            "status": "received",
                            "on": "2026-11-16",
                            "by": "can-bo-hong-ha",
                            "at": "2026-11-16T09:45:03+07:00",
                            "details": {},
                        }
                    ],
                }
            ]
        }
    )

    content: str
    attachments: list[Attachment]
    deadlines: list[DeadlinePublic]
    history: list[PetitionHistoryEntry]


class PetitionQuery(PageRequest):
    model_config = ConfigDict(extra="forbid")

    sort: str | None = sort_by("received_on", "next_due_on", "status", default="-received_on")
    unit_code: SubtreeFilter = None
    petition_class: PetitionClass | None = None
    sector: Sector | None = None
    status: list[PetitionStatus] = Field(default_factory=list)
    overdue: bool | None = None
    due_within_days: int | None = Field(
        default=None, ge=0, le=365, description="an open deadline within N days"
    )
    nearly_due: bool | None = Field(
        default=None,
        description="an open deadline within DANVAN_RECEPTION_NEARLY_DUE_DAYS days",
    )
    received_from: date | None = None
    received_to: date | None = None
    q: SearchFilter = None


# ---- dialogue conferences ----------------------------------------------------------------------


class DialogueLevel(StrEnum):
    PROVINCE = "province"
    DISTRICT = "district"
    COMMUNE = "commune"


class FollowUpStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    DROPPED = "dropped"


class FollowUpCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: Line = Field(max_length=1000)
    owner: Line = Field(max_length=NAME_MAX_LENGTH)
    due_on: date


class DialogueCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "unit_code": "00097",
                    "level": "commune",
                    "held_on": "2026-11-10",
                    "chair": "Trần Văn Bình, Chủ tịch UBND phường",
                    "participants": 120,
                    "opinions_raised": 14,
                    "topic": "Chỉnh trang đô thị và trật tự vỉa hè",
                    "follow_ups": [
                        {
                            "description": "Lắp đèn chiếu sáng ngõ 12",
                            "owner": "Phòng Kinh tế, Hạ tầng và Đô thị",
                            "due_on": "2026-12-31",
                        }
                    ],
                }
            ]
        },
    )

    unit_code: UnitCode
    level: DialogueLevel
    held_on: date
    chair: Line = Field(max_length=NAME_MAX_LENGTH)
    participants: int = Field(ge=1, le=100_000)
    opinions_raised: int = Field(ge=0, le=100_000)
    topic: Line = Field(max_length=500)
    follow_ups: list[FollowUpCreate] = Field(default_factory=list, max_length=200)


class FollowUpUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dialogue_id: uuid.UUID
    follow_up_id: uuid.UUID
    status: FollowUpStatus
    on: date | None = None
    remarks: Text = Field(default="", max_length=TEXT_MAX_LENGTH)


class FollowUpPublic(BaseModel):
    id: uuid.UUID
    description: str
    owner: str
    due_on: date
    status: FollowUpStatus
    done_on: date | None
    overdue: bool


class DialoguePublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "06ebb1bb-6e04-4f12-9d39-83925b851b35",
                    "unit_code": "00097",
                    "level": "commune",
                    "held_on": "2026-11-10",
                    "chair": "Trần Văn Bình, Chủ tịch UBND phường",
                    "participants": 120,
                    "opinions_raised": 14,
                    "topic": "Chỉnh trang đô thị và trật tự vỉa hè",
                    "follow_ups": [
                        {
                            "id": "88c0e568-54af-46b4-9221-390ecc910dd1",
                            "description": "Lắp đèn chiếu sáng ngõ 12",
                            "owner": "Phòng Kinh tế, Hạ tầng và Đô thị",
                            "due_on": "2026-12-31",
                            "status": "pending",
                            "done_on": None,
                            "overdue": False,
                        }
                    ],
                }
            ]
        }
    )

    id: uuid.UUID
    unit_code: str
    level: DialogueLevel
    held_on: date
    chair: str
    participants: int
    opinions_raised: int
    topic: str
    follow_ups: list[FollowUpPublic]


class DialogueQuery(PageRequest):
    model_config = ConfigDict(extra="forbid")

    sort: str | None = sort_by("held_on", default="-held_on")
    unit_code: SubtreeFilter = None
    level: DialogueLevel | None = None
    held_from: date | None = None
    held_to: date | None = None
    q: SearchFilter = None


# ---- digest and audit -----------------------------------------------------------------------


class DigestItem(BaseModel):
    petition_id: uuid.UUID
    unit_code: str
    petition_class: PetitionClass
    summary: str
    rule_code: str
    due_on: date
    days_left: int


class Digest(BaseModel):
    """What a unit must act on: petitions nearly due and overdue, on one day."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "unit_code": "00097",
                    "on": "2026-12-03",
                    "nearly_due": [],
                    "overdue": [
                        {
                            "petition_id": "f209f65b-a801-4eed-bf92-f90397f5a7ac",
                            "unit_code": "00097",
                            "petition_class": "complaint",
                            "summary": "Khiếu nại quyết định phê duyệt đơn giá bồi thường",
                            "rule_code": "complaint_acceptance",
                            "due_on": "2026-11-26",
                            "days_left": -7,
                        }
                    ],
                }
            ]
        }
    )

    unit_code: str
    on: date
    nearly_due: list[DigestItem]
    overdue: list[DigestItem]


class DigestQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_code: str = Field(max_length=20)


class ClassDeadlines(BaseModel):
    petition_class: PetitionClass
    labels: Labels
    nearly_due: int
    overdue: int


class DeadlineSummary(BaseModel):
    """How many open petitions of a unit's subtree are nearly due and overdue on a day, by
    class: the digest's counts, without the petitions (no personal data)."""

    unit_code: str
    on: date
    nearly_due: int
    overdue: int
    by_class: list[ClassDeadlines]


class AuditQuery(PageRequest):
    model_config = ConfigDict(extra="forbid")

    sort: str | None = sort_by("at", default="-at")
    unit_code: SubtreeFilter = None
    reader: str | None = Field(default=None, max_length=100, description="who read: a `sub`")
    record_id: uuid.UUID | None = None


class AuditEntry(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "2d7e9f10-3a4b-4c5d-8e6f-7a8b9c0d1e2f",
                    "at": "2026-11-20T15:10:02+07:00",
                    "reader": "can-bo-hong-ha",
                    "reader_unit": "00097",
                    "action": "read",
                    "record_kind": "petition",
                    "record_id": "f209f65b-a801-4eed-bf92-f90397f5a7ac",
                    "unit_code": "00097",
                    "fields": ["name", "id_number", "address", "phone"],
                }
            ]
        }
    )

    id: uuid.UUID
    at: datetime
    reader: str
    reader_unit: str
    action: str = Field(description="read, or anonymised")
    record_kind: str
    record_id: uuid.UUID
    unit_code: str
    fields: list[str]


class CheckResult(BaseModel):
    """What one run of the deadline check did."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"overdue_marked": 7, "digests_published": 3, "anonymised": 0}]
        }
    )

    overdue_marked: int = Field(description="petitions newly marked overdue")
    digests_published: int = Field(description="units whose daily digest was published")
    anonymised: int = Field(description="records whose personal data was anonymised")


# ---- events ------------------------------------------------------------------------------------


class VisitRecorded(EventPayload):
    service = "reception"
    aggregate = "visit"
    verb = "recorded"

    visit_id: uuid.UUID
    case_id: uuid.UUID
    unit_code: str
    mode: ReceptionMode
    received_on: date
    receiver_role: ReceiverRole
    headcount: int
    crowd: bool
    representatives: int
    repeat: bool
    matter: str
    warnings: list[RecordedMessage] = Field(default_factory=list)
    by: str


class VisitReplied(EventPayload):
    service = "reception"
    aggregate = "visit"
    verb = "replied"

    visit_id: uuid.UUID
    unit_code: str
    on: date
    due_on: date
    on_time: bool
    by: str


class VisitReplyOverdue(EventPayload):
    """The reply after a reception is late: emitted once, the day after the due day."""

    service = "reception"
    aggregate = "visit"
    verb = "reply_overdue"

    visit_id: uuid.UUID
    unit_code: str
    due_on: date


class CaseOpened(EventPayload):
    service = "reception"
    aggregate = "case"
    verb = "opened"

    case_id: uuid.UUID
    unit_code: str
    matter: str
    opened_on: date


class PetitionEvent(EventPayload):
    """What every petition event carries (`vn.danvan.reception.petition.<verb>.v1`): the
    petition's state after the step, its record version (one more with each step) and the day
    of the step. Not an event type itself: the concrete classes below are."""

    petition_id: uuid.UUID
    unit_code: str
    petition_class: PetitionClass
    sector: Sector
    status: PetitionStatus
    record_version: int
    on: date
    by: str


class PetitionReceived(PetitionEvent):
    """A petition arrived. No personal data: the petitioner's kind and address unit only."""

    service = "reception"
    aggregate = "petition"
    verb = "received"

    case_id: uuid.UUID
    source: PetitionSource
    petitioner_kind: PetitionerKind
    petitioner_unit_code: str | None
    remote_area: bool
    first_instance_id: uuid.UUID | None
    due_on: date | None


class PetitionClassified(PetitionEvent):
    service = "reception"
    aggregate = "petition"
    verb = "classified"


class PetitionNotEligible(PetitionEvent):
    service = "reception"
    aggregate = "petition"
    verb = "not_eligible"

    reason: str


class PetitionForwarded(PetitionEvent):
    service = "reception"
    aggregate = "petition"
    verb = "forwarded"

    to_body: str
    dispatch_number: str
    on_time: bool


class PetitionAccepted(PetitionEvent):
    service = "reception"
    aggregate = "petition"
    verb = "accepted"

    rule_code: str
    due_on: date
    on_time: bool = Field(description="accepted within the acceptance deadline")


class PetitionVerificationStarted(PetitionEvent):
    service = "reception"
    aggregate = "petition"
    verb = "verification_started"


class PetitionExtended(PetitionEvent):
    service = "reception"
    aggregate = "petition"
    verb = "extended"

    decision_number: str
    due_on: date


class PetitionConcluded(PetitionEvent):
    service = "reception"
    aggregate = "petition"
    verb = "concluded"

    conclusion: Conclusion
    decision_number: str
    on_time: bool
    days_to_resolve: int = Field(description="days from acceptance to conclusion")


class PetitionEnforced(PetitionEvent):
    service = "reception"
    aggregate = "petition"
    verb = "enforced"


class PetitionWithdrawn(PetitionEvent):
    service = "reception"
    aggregate = "petition"
    verb = "withdrawn"


class PetitionOverdue(PetitionEvent):
    """A deadline passed without its step: emitted once, the day after the due day."""

    service = "reception"
    aggregate = "petition"
    verb = "overdue"

    rule_code: str
    due_on: date


PETITION_STEP_EVENTS: dict[PetitionAction, type[PetitionEvent]] = {
    PetitionAction.CLASSIFY: PetitionClassified,
    PetitionAction.REJECT: PetitionNotEligible,
    PetitionAction.FORWARD: PetitionForwarded,
    PetitionAction.ACCEPT: PetitionAccepted,
    PetitionAction.VERIFY: PetitionVerificationStarted,
    PetitionAction.EXTEND: PetitionExtended,
    PetitionAction.CONCLUDE: PetitionConcluded,
    PetitionAction.ENFORCE: PetitionEnforced,
    PetitionAction.WITHDRAW: PetitionWithdrawn,
}


class DialogueHeld(EventPayload):
    service = "reception"
    aggregate = "dialogue"
    verb = "held"

    dialogue_id: uuid.UUID
    unit_code: str
    level: DialogueLevel
    held_on: date
    participants: int
    opinions_raised: int
    follow_ups: int
    by: str


class FollowUpUpdated(EventPayload):
    service = "reception"
    aggregate = "dialogue"
    verb = "follow_up_updated"

    dialogue_id: uuid.UUID
    follow_up_id: uuid.UUID
    unit_code: str
    status: FollowUpStatus
    due_on: date
    on: date
    on_time: bool
    by: str


class DigestPublished(EventPayload):
    """A unit's daily digest for outside notifiers (e-mail, Zalo): no personal data."""

    service = "reception"
    aggregate = "digest"
    verb = "published"

    unit_code: str
    on: date
    nearly_due: list[DigestItem]
    overdue: list[DigestItem]
