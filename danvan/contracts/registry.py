"""The registry's language: "Dân vận khéo" models and exemplars, their lifecycle, awards,
the organisations that register them and the contests they enter: requests, replies, events.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from danvan.contracts.envelope import EventPayload
from danvan.contracts.messages import NOT_BLANK, MessageError
from danvan.contracts.paging import PageRequest, SearchFilter, SubtreeFilter, sort_by
from danvan.contracts.rpc import DECIDERS, WRITERS, Message, Role

Labels = dict[str, str]


def unknown_details(names: set[str]) -> Message:
    listed = ", ".join(sorted(names))
    return Message(vi=f"không có các thông tin: {listed}", en=f"unknown details: {listed}")


def _clean_line(value: str) -> str:
    """One line of text: inner runs of spaces collapsed; blank refused."""
    cleaned = " ".join(value.split())
    if not cleaned:
        raise MessageError(NOT_BLANK)
    return cleaned


def _clean_text(value: str) -> str:
    return value.strip()


Line = Annotated[str, AfterValidator(_clean_line)]
Text = Annotated[str, AfterValidator(_clean_text)]
NAME_MAX_LENGTH = 300
TEXT_MAX_LENGTH = 10_000
UnitCode = Annotated[str, Field(min_length=1, max_length=20)]


class ModelField(StrEnum):
    """The four main fields ("lĩnh vực") a model or exemplar belongs to."""

    ECONOMY = "economy"
    CULTURE_SOCIETY = "culture_society"
    DEFENCE_SECURITY = "defence_security"
    POLITICAL_SYSTEM = "political_system"


FIELD_LABELS: dict[ModelField, Labels] = {
    ModelField.ECONOMY: {"vi": "Kinh tế", "en": "Economy"},
    ModelField.CULTURE_SOCIETY: {"vi": "Văn hóa - xã hội", "en": "Culture and society"},
    ModelField.DEFENCE_SECURITY: {"vi": "Quốc phòng - an ninh", "en": "Defence and security"},
    ModelField.POLITICAL_SYSTEM: {
        "vi": "Xây dựng hệ thống chính trị",
        "en": "Building the political system",
    },
}

# Topics ("chuyên đề") cut across the fields; configuration adds more (DANVAN_REGISTRY_TOPICS).
DEFAULT_TOPICS: dict[str, Labels] = {
    "land_clearance": {"vi": "Giải phóng mặt bằng", "en": "Land clearance"},
    "new_rural_areas": {"vi": "Xây dựng nông thôn mới", "en": "New rural areas"},
    "civilised_urban_areas": {"vi": "Đô thị văn minh", "en": "Civilised urban areas"},
    "religious_communities": {"vi": "Đồng bào có đạo", "en": "Religious communities"},
    "ethnic_minorities": {"vi": "Đồng bào dân tộc thiểu số", "en": "Ethnic minorities"},
    "administrative_reform": {"vi": "Cải cách hành chính", "en": "Administrative reform"},
    "digital_transformation": {"vi": "Chuyển đổi số", "en": "Digital transformation"},
}
TopicCode = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")]


class Status(StrEnum):
    """Where a model or exemplar is in its life, from registration to recognition."""

    REGISTERED = "registered"
    IMPLEMENTING = "implementing"
    APPRAISED = "appraised"
    EVALUATED = "evaluated"
    RECOGNISED = "recognised"
    NOT_RECOGNISED = "not_recognised"
    WITHDRAWN = "withdrawn"


STATUS_LABELS: dict[Status, Labels] = {
    Status.REGISTERED: {"vi": "Đăng ký", "en": "Registered"},
    Status.IMPLEMENTING: {"vi": "Đang triển khai", "en": "Implementing"},
    Status.APPRAISED: {"vi": "Đã khảo sát, thẩm định", "en": "Appraised"},
    Status.EVALUATED: {"vi": "Đã bình xét", "en": "Evaluated"},
    Status.RECOGNISED: {"vi": "Được công nhận", "en": "Recognised"},
    Status.NOT_RECOGNISED: {"vi": "Không được công nhận", "en": "Not recognised"},
    Status.WITHDRAWN: {"vi": "Đã rút", "en": "Withdrawn"},
}


class Action(StrEnum):
    """A step of the lifecycle; each is an rpc action and an event verb."""

    START = "start"
    APPRAISE = "appraise"
    EVALUATE = "evaluate"
    RECOGNISE = "recognise"
    NOT_RECOGNISE = "not_recognise"
    WITHDRAW = "withdraw"


# Who may take each step: officers record, leaders decide (DESIGN.md, Security).
ACTION_ROLES: dict[Action, tuple[Role, ...]] = {
    Action.START: WRITERS,
    Action.APPRAISE: DECIDERS,
    Action.EVALUATE: DECIDERS,
    Action.RECOGNISE: DECIDERS,
    Action.NOT_RECOGNISE: DECIDERS,
    Action.WITHDRAW: WRITERS,
}


class RecognitionLevel(StrEnum):
    """The level that recognises: city/province, district (until 2025-06-30), commune."""

    PROVINCE = "province"
    DISTRICT = "district"
    COMMUNE = "commune"


RECOGNITION_LEVEL_LABELS: dict[RecognitionLevel, Labels] = {
    RecognitionLevel.PROVINCE: {"vi": "Cấp tỉnh, thành phố", "en": "Province or city"},
    RecognitionLevel.DISTRICT: {"vi": "Cấp huyện", "en": "District"},
    RecognitionLevel.COMMUNE: {"vi": "Cấp xã", "en": "Commune"},
}


class AwardKind(StrEnum):
    CERTIFICATE_OF_MERIT = "certificate_of_merit"
    STATE_ORDER = "state_order"
    COMMEMORATIVE_MEDAL = "commemorative_medal"
    CERTIFICATE = "certificate"


AWARD_KIND_LABELS: dict[AwardKind, Labels] = {
    AwardKind.CERTIFICATE_OF_MERIT: {"vi": "Bằng khen", "en": "Certificate of merit"},
    AwardKind.STATE_ORDER: {"vi": "Huân chương", "en": "State order"},
    AwardKind.COMMEMORATIVE_MEDAL: {"vi": "Kỷ niệm chương", "en": "Commemorative medal"},
    AwardKind.CERTIFICATE: {"vi": "Giấy khen", "en": "Certificate"},
}


class RecipientKind(StrEnum):
    COLLECTIVE = "collective"
    INDIVIDUAL = "individual"


class Attachment(BaseModel):
    """A document kept elsewhere, by reference."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = Field(max_length=2000, pattern=r"^https?://\S+$")
    title: Line = Field(max_length=NAME_MAX_LENGTH)


class Award(BaseModel):
    """A "khen thưởng" carried by a recognition, to a collective or an individual."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: AwardKind
    title: Line = Field(
        max_length=NAME_MAX_LENGTH,
        description='e.g. "Bằng khen của Ban Thường vụ Thành ủy", "Huân chương Lao động hạng Ba"',
    )
    recipient_kind: RecipientKind
    recipient_name: Line = Field(max_length=NAME_MAX_LENGTH)
    granting_body: Line = Field(max_length=NAME_MAX_LENGTH)


# ---- models and exemplars: registration and details ----------------------------------------


class ModelDetails(BaseModel):
    """What a unit states about a model ("mô hình"); every field of an update is optional."""

    model_config = ConfigDict(extra="forbid")

    name: Line = Field(max_length=NAME_MAX_LENGTH)
    description: Text = Field(default="", max_length=TEXT_MAX_LENGTH)
    field: ModelField
    topics: list[TopicCode] = Field(default_factory=list, max_length=20)
    organisation_id: uuid.UUID | None = Field(
        default=None, description="the registering organisation, from the directory"
    )
    unit_code: UnitCode = Field(description="the unit where it is carried out, any level")
    locality: Text = Field(
        default="", max_length=200, description='a village or residential group ("thôn", "tổ")'
    )
    target_group: Text = Field(default="", max_length=TEXT_MAX_LENGTH)
    objectives: Text = Field(default="", max_length=TEXT_MAX_LENGTH)
    criteria: list[Line] = Field(
        default_factory=list, max_length=50, description="measurable criteria"
    )
    implementing_forces: Text = Field(default="", max_length=TEXT_MAX_LENGTH)
    start_date: date | None = None
    planned_evaluation_date: date | None = None
    attachments: list[Attachment] = Field(default_factory=list, max_length=50)

    @field_validator("topics")
    @classmethod
    def _distinct_topics(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))

    @field_validator("planned_evaluation_date")
    @classmethod
    def _evaluated_after_start(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("start_date")
        if value is not None and start is not None and value < start:
            raise MessageError(
                Message(
                    vi=f"không được trước ngày bắt đầu start_date ({start})",
                    en=f"must not be before start_date ({start})",
                )
            )
        return value


class ModelCreate(ModelDetails):
    """Register a "Dân vận khéo" model at a unit."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Cổng trường an toàn văn minh",
                    "field": "culture_society",
                    "topics": ["civilised_urban_areas"],
                    "unit_code": "00097",
                    "locality": "Tổ dân phố số 5",
                    "target_group": "Học sinh, phụ huynh",
                    "criteria": ["Không còn hàng quán lấn chiếm cổng trường"],
                    "start_date": "2026-03-02",
                    "planned_evaluation_date": "2026-10-01",
                    "registered_on": "2026-03-02",
                }
            ]
        },
    )

    registered_on: date | None = Field(
        default=None, description="registration date (Vietnam); today when not given"
    )


class ExemplarKind(StrEnum):
    INDIVIDUAL = "individual"
    COLLECTIVE = "collective"


class ExemplarDetails(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: ExemplarKind
    name: Line = Field(max_length=NAME_MAX_LENGTH, description="the person or the collective")
    field: ModelField
    unit_code: UnitCode
    organisation_id: uuid.UUID | None = None
    achievement: Text = Field(min_length=1, max_length=TEXT_MAX_LENGTH)
    attachments: list[Attachment] = Field(default_factory=list, max_length=50)


class ExemplarCreate(ExemplarDetails):
    """Register an exemplar ("điển hình"): a person or a collective."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "individual",
                    "name": "Nguyễn Thị Lan",
                    "field": "economy",
                    "unit_code": "00097",
                    "achievement": "Vận động 40 hộ hiến đất mở rộng ngõ",
                }
            ]
        },
    )

    registered_on: date | None = None


class _Target(BaseModel):
    id: uuid.UUID = Field(description="the model's or the exemplar's id")


class ModelChangesBody(BaseModel):
    """Change some details of a model; the other details stay. `expected_version` guards
    against overwriting a change someone made meanwhile."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"expected_version": 1, "changes": {"target_group": "Hộ kinh doanh"}}]
        },
    )

    expected_version: int | None = Field(
        default=None, ge=1, description="refused with 409 when the model has moved on"
    )
    changes: dict[str, Any] = Field(min_length=1)

    @field_validator("changes")
    @classmethod
    def _known_fields(cls, value: dict[str, Any]) -> dict[str, Any]:
        unknown = set(value) - set(ModelDetails.model_fields)
        if unknown:
            raise MessageError(unknown_details(unknown))
        return value


class ModelUpdate(_Target, ModelChangesBody):
    pass


class ExemplarChangesBody(BaseModel):
    """Change some details of an exemplar; the other details stay."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "expected_version": 2,
                    "changes": {"achievement": "Vận động 52 hộ hiến đất mở rộng ngõ 12"},
                }
            ]
        },
    )

    expected_version: int | None = Field(default=None, ge=1)
    changes: dict[str, Any] = Field(min_length=1)

    @field_validator("changes")
    @classmethod
    def _known_fields(cls, value: dict[str, Any]) -> dict[str, Any]:
        unknown = set(value) - set(ExemplarDetails.model_fields) - {"kind"}
        if unknown:
            raise MessageError(unknown_details(unknown))
        return value


class ExemplarUpdate(_Target, ExemplarChangesBody):
    pass


# ---- lifecycle steps ------------------------------------------------------------------------


class StepBody(BaseModel):
    """A step of the lifecycle, dated in Vietnam; the record it moves is named apart."""

    model_config = ConfigDict(extra="forbid")

    on: date | None = Field(default=None, description="the day of the step; today when not given")
    expected_version: int | None = Field(
        default=None, ge=1, description="refused with 409 when the record has moved on"
    )


class StartBody(StepBody):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"on": "2026-03-16"}]}
    )


class AppraiseBody(StepBody):
    """The survey and appraisal ("khảo sát, thẩm định")."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "on": "2026-09-20",
                    "appraiser": "Ban Dân vận Quận ủy Tây Hồ",
                    "findings": "Cổng trường thông thoáng vào giờ tan học; phụ huynh đồng tình",
                    "score": 87.5,
                    "expected_version": 2,
                }
            ]
        },
    )

    appraiser: Line = Field(max_length=NAME_MAX_LENGTH, description="who surveyed")
    findings: Text = Field(min_length=1, max_length=TEXT_MAX_LENGTH)
    score: float = Field(ge=0, le=100)


class EvaluateBody(StepBody):
    """The result of "bình xét": proposed for recognition or not."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "on": "2026-10-01",
                    "proposed": True,
                    "remarks": "Đề nghị công nhận mô hình Dân vận khéo cấp thành phố",
                }
            ]
        },
    )

    proposed: bool
    remarks: Text = Field(default="", max_length=TEXT_MAX_LENGTH)


class RecogniseBody(StepBody):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "level": "province",
                    "decision_number": "1234/QĐ-UBND",
                    "on": "2026-10-15",
                    "awards": [
                        {
                            "kind": "certificate_of_merit",
                            "title": "Bằng khen của Ủy ban nhân dân Thành phố",
                            "recipient_kind": "collective",
                            "recipient_name": "Chi bộ Tổ dân phố số 5",
                            "granting_body": "Ủy ban nhân dân thành phố Hà Nội",
                        }
                    ],
                }
            ]
        },
    )

    level: RecognitionLevel
    decision_number: Line = Field(max_length=100, description='e.g. "1234/QĐ-UBND"')
    awards: list[Award] = Field(default_factory=list, max_length=20)


class NotRecogniseBody(StepBody):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"on": "2026-10-15", "reason": "Chưa duy trì đủ 6 tháng"}]},
    )

    reason: Text = Field(min_length=1, max_length=TEXT_MAX_LENGTH)


class WithdrawBody(StepBody):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"reason": "Đơn vị sáp nhập, mô hình chuyển sang phường mới"}]
        },
    )

    reason: Text = Field(min_length=1, max_length=TEXT_MAX_LENGTH)


# The rpc requests: a step's body and the record it moves.
class Step(_Target, StepBody):
    pass


class StartImplementing(_Target, StartBody):
    pass


class Appraise(_Target, AppraiseBody):
    pass


class Evaluate(_Target, EvaluateBody):
    pass


class Recognise(_Target, RecogniseBody):
    pass


class NotRecognise(_Target, NotRecogniseBody):
    pass


class Withdraw(_Target, WithdrawBody):
    pass


STEP_BODIES: dict[Action, type[StepBody]] = {
    Action.START: StartBody,
    Action.APPRAISE: AppraiseBody,
    Action.EVALUATE: EvaluateBody,
    Action.RECOGNISE: RecogniseBody,
    Action.NOT_RECOGNISE: NotRecogniseBody,
    Action.WITHDRAW: WithdrawBody,
}
STEP_REQUESTS: dict[Action, type[StepBody]] = {
    Action.START: StartImplementing,
    Action.APPRAISE: Appraise,
    Action.EVALUATE: Evaluate,
    Action.RECOGNISE: Recognise,
    Action.NOT_RECOGNISE: NotRecognise,
    Action.WITHDRAW: Withdraw,
}


class ById(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID


class NoArguments(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---- replies ---------------------------------------------------------------------------------

# Examples for the OpenAPI document: one model's life in Phường Hồng Hà (Hà Nội).
MODEL_EXAMPLE: dict[str, Any] = {
    "id": "0b9e4c1e-6f1a-4f5e-9a53-8d2c1f7e4a10",
    "name": "Cổng trường an toàn văn minh",
    "field": "culture_society",
    "unit_code": "00097",
    "registered_on": "2026-03-02",
    "status": "recognised",
    "version": 5,
    "description": "Giữ trật tự, an toàn giao thông trước cổng các trường học của phường",
    "topics": ["civilised_urban_areas"],
    "organisation_id": None,
    "locality": "Tổ dân phố số 5",
    "target_group": "Học sinh, phụ huynh",
    "objectives": "Không còn ùn tắc giờ tan học",
    "criteria": ["Không còn hàng quán lấn chiếm cổng trường"],
    "implementing_forces": "Đoàn Thanh niên, Hội Phụ nữ, Công an phường",
    "start_date": "2026-03-02",
    "planned_evaluation_date": "2026-10-01",
    "attachments": [
        {"url": "https://hongha.hanoi.gov.vn/ke-hoach-05.pdf", "title": "Kế hoạch số 05/KH-UBND"}
    ],
    "recognition_level": "province",
    "recognised_on": "2026-10-15",
    "created_by": "can-bo-hong-ha",
    "updated_at": "2026-10-15T10:24:31+07:00",
}
AWARD_EXAMPLE: dict[str, Any] = {
    "kind": "certificate_of_merit",
    "title": "Bằng khen của Ủy ban nhân dân Thành phố",
    "recipient_kind": "collective",
    "recipient_name": "Chi bộ Tổ dân phố số 5",
    "granting_body": "Ủy ban nhân dân thành phố Hà Nội",
}
HISTORY_EXAMPLE: list[dict[str, Any]] = [
    {
        "version": 1,
        "action": "registered",
        "status": "registered",
        "on": "2026-03-02",
        "by": "can-bo-hong-ha",
        "at": "2026-03-02T08:15:02+07:00",
        "details": {},
    },
    {
        "version": 5,
        "action": "recognise",
        "status": "recognised",
        "on": "2026-10-15",
        "by": "lanh-dao-ha-noi",
        "at": "2026-10-15T10:24:31+07:00",
        "details": {
            "level": "province",
            "decision_number": "1234/QĐ-UBND",
            "awards": [AWARD_EXAMPLE],
        },
    },
]
EXEMPLAR_EXAMPLE: dict[str, Any] = {
    "id": "5f0c7f7e-2d3b-4b61-8e0c-1a9d3f6b2c44",
    "kind": "individual",
    "name": "Nguyễn Thị Lan",
    "field": "economy",
    "unit_code": "00097",
    "organisation_id": None,
    "achievement": "Vận động 40 hộ hiến đất mở rộng ngõ 12",
    "attachments": [],
    "registered_on": "2026-04-06",
    "status": "registered",
    "version": 1,
    "recognition_level": None,
    "recognised_on": None,
    "created_by": "can-bo-hong-ha",
    "updated_at": "2026-04-06T14:02:10+07:00",
}


class ModelPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [MODEL_EXAMPLE]})

    id: uuid.UUID
    name: str
    field: ModelField
    unit_code: str
    registered_on: date
    status: Status
    version: int = 1
    description: str = ""
    topics: list[str] = []
    organisation_id: uuid.UUID | None = None
    locality: str = ""
    target_group: str = ""
    objectives: str = ""
    criteria: list[str] = []
    implementing_forces: str = ""
    start_date: date | None = None
    planned_evaluation_date: date | None = None
    attachments: list[Attachment] = []
    recognition_level: RecognitionLevel | None = None
    recognised_on: date | None = None
    created_by: str = ""
    updated_at: datetime | None = None


class ExemplarPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [EXEMPLAR_EXAMPLE]})

    id: uuid.UUID
    kind: ExemplarKind
    name: str
    field: ModelField
    unit_code: str
    organisation_id: uuid.UUID | None = None
    achievement: str
    attachments: list[Attachment] = []
    registered_on: date
    status: Status
    version: int
    recognition_level: RecognitionLevel | None = None
    recognised_on: date | None = None
    created_by: str
    updated_at: datetime | None = None


class HistoryEntry(BaseModel):
    """One step in a record's life: who did what, when, and what they stated."""

    version: int
    action: str = Field(description="registered, updated, or a lifecycle action")
    status: Status
    on: date
    by: str
    at: datetime
    details: dict[str, Any] = {}


class AwardPublic(BaseModel):
    """An award as granted: what, to whom, by whom, with the recognition that carried it."""

    kind: AwardKind
    title: str
    recipient_kind: RecipientKind
    recipient_name: str
    granting_body: str
    level: RecognitionLevel
    decision_number: str
    decided_on: date


class ModelDetail(ModelPublic):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                MODEL_EXAMPLE
                | {
                    "history": HISTORY_EXAMPLE,
                    "awards": [
                        AWARD_EXAMPLE
                        | {
                            "level": "province",
                            "decision_number": "1234/QĐ-UBND",
                            "decided_on": "2026-10-15",
                        }
                    ],
                }
            ]
        }
    )

    history: list[HistoryEntry]
    awards: list[AwardPublic]


class ExemplarDetail(ExemplarPublic):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                EXEMPLAR_EXAMPLE
                | {
                    "history": [HISTORY_EXAMPLE[0] | {"on": "2026-04-06"}],
                    "awards": [],
                }
            ]
        }
    )

    history: list[HistoryEntry]
    awards: list[AwardPublic]


# ---- queries ---------------------------------------------------------------------------------


class RecordQuery(PageRequest):
    """Filters shared by the lists of models and exemplars."""

    model_config = ConfigDict(extra="forbid")

    sort: str | None = sort_by(
        "registered_on", "name", "updated_at", "status", default="-registered_on"
    )
    unit_code: SubtreeFilter = None
    field: ModelField | None = None
    status: list[Status] = Field(default_factory=list)
    year: int | None = Field(default=None, ge=1990, le=2100, description="year of registration")
    organisation_id: uuid.UUID | None = None
    recognised: bool | None = None
    q: SearchFilter = None


class ModelQuery(RecordQuery):
    topic: str | None = Field(default=None, max_length=40)


class ExemplarQuery(RecordQuery):
    kind: ExemplarKind | None = None


class PipelineQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_code: str = Field(max_length=20)


class StatusCount(BaseModel):
    status: Status
    labels: Labels
    count: int


class Pipeline(BaseModel):
    """How many models and exemplars of a unit's subtree stand at each step of their life,
    now: what the period's figures (flows) do not show."""

    unit_code: str
    models: list[StatusCount]
    exemplars: list[StatusCount]


# ---- events ----------------------------------------------------------------------------------


class FieldChange(BaseModel):
    model_config = ConfigDict(frozen=True)

    old: Any
    new: Any


class _RecordEvent(EventPayload):
    """Every registry lifecycle event says where the record is, in which field, and who."""

    unit_code: str
    field: ModelField
    status: Status
    record_version: int = Field(description="the record's version after this step")
    on: date
    by: str


class ModelRegistered(EventPayload):
    service = "registry"
    aggregate = "model"
    verb = "registered"

    model_id: uuid.UUID
    name: str
    field: ModelField
    unit_code: str
    registered_on: date
    registered_by: str
    topics: list[str] = Field(default_factory=list)
    organisation_id: uuid.UUID | None = None
    locality: str = ""
    start_date: date | None = None
    planned_evaluation_date: date | None = None


class ModelUpdated(_RecordEvent):
    service = "registry"
    aggregate = "model"
    verb = "updated"

    model_id: uuid.UUID
    changes: dict[str, FieldChange]


class _Started(_RecordEvent):
    pass


class _Appraised(_RecordEvent):
    appraiser: str
    findings: str
    score: float


class _Evaluated(_RecordEvent):
    proposed: bool
    remarks: str = ""


class _Recognised(_RecordEvent):
    level: RecognitionLevel
    decision_number: str
    awards: list[Award] = Field(default_factory=list)


class _NotRecognised(_RecordEvent):
    reason: str


class _Withdrawn(_RecordEvent):
    reason: str


class ModelStarted(_Started):
    service = "registry"
    aggregate = "model"
    verb = "started"
    model_id: uuid.UUID


class ModelAppraised(_Appraised):
    service = "registry"
    aggregate = "model"
    verb = "appraised"
    model_id: uuid.UUID


class ModelEvaluated(_Evaluated):
    service = "registry"
    aggregate = "model"
    verb = "evaluated"
    model_id: uuid.UUID


class ModelRecognised(_Recognised):
    service = "registry"
    aggregate = "model"
    verb = "recognised"
    model_id: uuid.UUID


class ModelNotRecognised(_NotRecognised):
    service = "registry"
    aggregate = "model"
    verb = "not_recognised"
    model_id: uuid.UUID


class ModelWithdrawn(_Withdrawn):
    service = "registry"
    aggregate = "model"
    verb = "withdrawn"
    model_id: uuid.UUID


class ExemplarRegistered(EventPayload):
    service = "registry"
    aggregate = "exemplar"
    verb = "registered"

    exemplar_id: uuid.UUID
    kind: ExemplarKind
    name: str
    field: ModelField
    unit_code: str
    registered_on: date
    registered_by: str
    organisation_id: uuid.UUID | None = None


class ExemplarUpdated(_RecordEvent):
    service = "registry"
    aggregate = "exemplar"
    verb = "updated"

    exemplar_id: uuid.UUID
    changes: dict[str, FieldChange]


class ExemplarStarted(_Started):
    service = "registry"
    aggregate = "exemplar"
    verb = "started"
    exemplar_id: uuid.UUID


class ExemplarAppraised(_Appraised):
    service = "registry"
    aggregate = "exemplar"
    verb = "appraised"
    exemplar_id: uuid.UUID


class ExemplarEvaluated(_Evaluated):
    service = "registry"
    aggregate = "exemplar"
    verb = "evaluated"
    exemplar_id: uuid.UUID


class ExemplarRecognised(_Recognised):
    service = "registry"
    aggregate = "exemplar"
    verb = "recognised"
    exemplar_id: uuid.UUID


class ExemplarNotRecognised(_NotRecognised):
    service = "registry"
    aggregate = "exemplar"
    verb = "not_recognised"
    exemplar_id: uuid.UUID


class ExemplarWithdrawn(_Withdrawn):
    service = "registry"
    aggregate = "exemplar"
    verb = "withdrawn"
    exemplar_id: uuid.UUID


MODEL_STEP_EVENTS: dict[Action, type[_RecordEvent]] = {
    Action.START: ModelStarted,
    Action.APPRAISE: ModelAppraised,
    Action.EVALUATE: ModelEvaluated,
    Action.RECOGNISE: ModelRecognised,
    Action.NOT_RECOGNISE: ModelNotRecognised,
    Action.WITHDRAW: ModelWithdrawn,
}
EXEMPLAR_STEP_EVENTS: dict[Action, type[_RecordEvent]] = {
    Action.START: ExemplarStarted,
    Action.APPRAISE: ExemplarAppraised,
    Action.EVALUATE: ExemplarEvaluated,
    Action.RECOGNISE: ExemplarRecognised,
    Action.NOT_RECOGNISE: ExemplarNotRecognised,
    Action.WITHDRAW: ExemplarWithdrawn,
}


# ---- bulk registration from a spreadsheet ----------------------------------------------------

IMPORT_CHUNK_ROWS = 500
# The commit's reply lists every new id (about 40 bytes each) and must fit one NATS message
# (1 MB by default): 20,000 rows is about 800 kB.
MAX_IMPORT_ROWS = 20_000


class ImportBegin(BaseModel):
    """Start staging a spreadsheet: its header row, checked before any data row."""

    model_config = ConfigDict(extra="forbid")

    columns: list[str] = Field(min_length=1, max_length=100)
    file_name: str = Field(default="", max_length=300)


class ImportRow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    row: int = Field(ge=2, description="the row number a person sees (header is row 1)")
    values: dict[str, str]


class ImportRows(BaseModel):
    model_config = ConfigDict(extra="forbid")

    import_id: uuid.UUID
    rows: list[ImportRow] = Field(min_length=1, max_length=IMPORT_CHUNK_ROWS)


class ImportStarted(BaseModel):
    import_id: uuid.UUID
    columns: dict[str, str] = Field(description="each column of the file and the detail it fills")


class ImportProgress(BaseModel):
    staged: int
    errors: int


class ImportResult(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "registered": 2,
                    "ids": [
                        "0b9e4c1e-6f1a-4f5e-9a53-8d2c1f7e4a10",
                        "7a4f6a2e-9c1d-4e0b-b6a5-3f2e1d0c9b88",
                    ],
                }
            ]
        }
    )

    registered: int
    ids: list[uuid.UUID] = Field(description="the new models' ids, in the file's row order")


class ImportCommit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    import_id: uuid.UUID
