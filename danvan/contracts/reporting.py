"""Reporting's language: the indicators, the figures views and their queries, the figures a
unit enters by hand or imports, and reporting's own events.

An indicator has a stable code (``petitions.received``), a Vietnamese and an English label,
the area it belongs to, and the dimensions it is broken down by. Counts and sums are stored;
rates and averages are computed from summed numerators and denominators, never averaged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field

from danvan.contracts.envelope import EventPayload
from danvan.contracts.reception import (
    PETITION_CLASS_LABELS,
    RECEPTION_MODE_LABELS,
    SECTOR_LABELS,
    Conclusion,
    DialogueLevel,
    PetitionSource,
)
from danvan.contracts.registry import (
    AWARD_KIND_LABELS,
    FIELD_LABELS,
    RECOGNITION_LEVEL_LABELS,
    ExemplarKind,
    Labels,
)


class Boundaries(StrEnum):
    """Current: pre-2025 facts counted in their successors. Historical: as recorded."""

    CURRENT = "current"
    HISTORICAL = "historical"


class Area(StrEnum):
    MODELS = "models"
    RECEPTION = "reception"
    PETITIONS = "petitions"
    DIALOGUES = "dialogues"
    SUPERVISION = "supervision"


AREA_LABELS: dict[Area, Labels] = {
    Area.MODELS: {"vi": "Mô hình, điển hình “Dân vận khéo”", "en": "“Dân vận khéo” models"},
    Area.RECEPTION: {"vi": "Tiếp công dân", "en": "Citizen reception"},
    Area.PETITIONS: {
        "vi": "Giải quyết khiếu nại, tố cáo, kiến nghị, phản ánh",
        "en": "Complaints, denunciations, recommendations and feedback",
    },
    Area.DIALOGUES: {"vi": "Đối thoại với Nhân dân", "en": "Dialogues with the people"},
    Area.SUPERVISION: {
        "vi": "Giám sát, phản biện xã hội, kiểm tra",
        "en": "Supervision, social critique and inspections",
    },
}


class IndicatorKind(StrEnum):
    COUNT = "count"  # events counted
    SUM = "sum"  # a quantity summed (people, days)
    RATE = "rate"  # numerator / denominator, as a percentage
    AVERAGE = "average"  # numerator / denominator


# ---- dimensions -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Dimension:
    code: str
    labels: Labels
    values: dict[str, Labels]


E = TypeVar("E", bound=StrEnum)


def _enum_values(labels: Mapping[E, Labels]) -> dict[str, Labels]:
    return {str(key): value for key, value in labels.items()}


_SOURCE_LABELS: dict[StrEnum, Labels] = {
    PetitionSource.IN_PERSON: {"vi": "Trực tiếp", "en": "In person"},
    PetitionSource.POST: {"vi": "Qua bưu chính", "en": "By post"},
    PetitionSource.FORWARDED: {"vi": "Cơ quan khác chuyển đến", "en": "Forwarded"},
    PetitionSource.ONLINE: {"vi": "Trực tuyến", "en": "Online"},
}
_CONCLUSION_LABELS: dict[StrEnum, Labels] = {
    Conclusion.UPHELD: {"vi": "Đúng", "en": "Upheld"},
    Conclusion.PARTLY_UPHELD: {"vi": "Đúng một phần", "en": "Partly upheld"},
    Conclusion.REJECTED: {"vi": "Sai", "en": "Rejected"},
}
_DIALOGUE_LEVEL_LABELS: dict[StrEnum, Labels] = {
    DialogueLevel.PROVINCE: {"vi": "Cấp tỉnh", "en": "Province"},
    DialogueLevel.DISTRICT: {"vi": "Cấp huyện", "en": "District"},
    DialogueLevel.COMMUNE: {"vi": "Cấp xã", "en": "Commune"},
}
_EXEMPLAR_KIND_LABELS: dict[StrEnum, Labels] = {
    ExemplarKind.INDIVIDUAL: {"vi": "Cá nhân", "en": "Individual"},
    ExemplarKind.COLLECTIVE: {"vi": "Tập thể", "en": "Collective"},
}

DIMENSIONS: dict[str, Dimension] = {
    d.code: d
    for d in (
        Dimension("field", {"vi": "Lĩnh vực", "en": "Field"}, _enum_values(FIELD_LABELS)),
        Dimension(
            "level",
            {"vi": "Cấp công nhận", "en": "Level of recognition"},
            _enum_values(RECOGNITION_LEVEL_LABELS),
        ),
        Dimension(
            "exemplar_kind",
            {"vi": "Loại điển hình", "en": "Kind"},
            _enum_values(_EXEMPLAR_KIND_LABELS),
        ),
        Dimension(
            "award_kind",
            {"vi": "Hình thức khen thưởng", "en": "Award"},
            _enum_values(AWARD_KIND_LABELS),
        ),
        Dimension(
            "record",
            {"vi": "Đối tượng", "en": "Recipient record"},
            {
                "model": {"vi": "Mô hình", "en": "Model"},
                "exemplar": {"vi": "Điển hình", "en": "Exemplar"},
            },
        ),
        Dimension(
            "mode", {"vi": "Hình thức tiếp", "en": "Mode"}, _enum_values(RECEPTION_MODE_LABELS)
        ),
        Dimension(
            "visit",
            {"vi": "Lần tiếp", "en": "Visit"},
            {
                "first": {"vi": "Lần đầu", "en": "First"},
                "repeat": {"vi": "Tái diễn", "en": "Repeat"},
            },
        ),
        Dimension("class", {"vi": "Loại đơn", "en": "Class"}, _enum_values(PETITION_CLASS_LABELS)),
        Dimension("sector", {"vi": "Lĩnh vực", "en": "Sector"}, _enum_values(SECTOR_LABELS)),
        Dimension("source", {"vi": "Nguồn đơn", "en": "Source"}, _enum_values(_SOURCE_LABELS)),
        Dimension(
            "conclusion", {"vi": "Kết quả", "en": "Conclusion"}, _enum_values(_CONCLUSION_LABELS)
        ),
        Dimension(
            "dialogue_level",
            {"vi": "Cấp đối thoại", "en": "Level"},
            _enum_values(_DIALOGUE_LEVEL_LABELS),
        ),
    )
}

# A breakdown is stored as "<dimension>=<value>"; the total has no dimension.
TOTAL = ""
# The part of a current-boundaries figure that came from a split former unit and was given to
# the successor the conversion data marks as default.
ATTRIBUTED = "attribution=split_default"


def dimension_key(dimension: str, value: str) -> str:
    return f"{dimension}={value}"


# ---- indicators -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Indicator:
    code: str
    area: Area
    kind: IndicatorKind
    labels: Labels
    dimensions: tuple[str, ...] = ()
    # For a rate or an average: the stored indicators it divides.
    numerator: str | None = None
    denominator: str | None = None
    # Entered by a unit for a period (no service records it), not counted from events.
    manual: bool = False
    # Derived from the law and the units in force, not from events.
    derived: bool = False

    @property
    def stored(self) -> bool:
        return self.kind in (IndicatorKind.COUNT, IndicatorKind.SUM) and not self.derived


def _count(
    code: str, area: Area, vi: str, en: str, *dims: str, kind: IndicatorKind = IndicatorKind.COUNT
) -> Indicator:
    return Indicator(code, area, kind, {"vi": vi, "en": en}, tuple(dims))


def _ratio(
    code: str, area: Area, vi: str, en: str, numerator: str, denominator: str, kind: IndicatorKind
) -> Indicator:
    return Indicator(
        code, area, kind, {"vi": vi, "en": en}, numerator=numerator, denominator=denominator
    )


def _manual(code: str, vi: str, en: str) -> Indicator:
    return Indicator(code, Area.SUPERVISION, IndicatorKind.COUNT, {"vi": vi, "en": en}, manual=True)


_M, _R, _P, _D = Area.MODELS, Area.RECEPTION, Area.PETITIONS, Area.DIALOGUES
_SUM, _RATE, _AVG = IndicatorKind.SUM, IndicatorKind.RATE, IndicatorKind.AVERAGE

INDICATORS: dict[str, Indicator] = {
    i.code: i
    for i in (
        _count("models.registered", _M, "Mô hình đăng ký", "Models registered", "field"),
        _count(
            "models.recognised",
            _M,
            "Mô hình được công nhận",
            "Models recognised",
            "field",
            "level",
        ),
        _count(
            "exemplars.registered",
            _M,
            "Điển hình đăng ký",
            "Exemplars registered",
            "field",
            "exemplar_kind",
        ),
        _count(
            "exemplars.recognised",
            _M,
            "Điển hình được công nhận",
            "Exemplars recognised",
            "field",
            "level",
        ),
        _count("awards.granted", _M, "Khen thưởng", "Awards granted", "award_kind", "record"),
        _count("visits.received", _R, "Lượt tiếp công dân", "Visits received", "mode", "visit"),
        _count(
            "visits.people",
            _R,
            "Lượt người được tiếp",
            "Citizens received",
            "mode",
            kind=_SUM,
        ),
        _count(
            "reception.head_days",
            _R,
            "Ngày tiếp định kỳ của người đứng đầu",
            "Head's reception days",
        ),
        Indicator(
            "reception.head_days_required",
            _R,
            IndicatorKind.COUNT,
            {
                "vi": "Ngày tiếp định kỳ theo quy định",
                "en": "Head's reception days the law requires",
            },
            derived=True,
        ),
        _ratio(
            "reception.schedule_rate",
            _R,
            "Tỷ lệ thực hiện lịch tiếp định kỳ",
            "Reception schedule kept",
            "reception.head_days",
            "reception.head_days_required",
            _RATE,
        ),
        _count("crowd.delegations", _R, "Đoàn đông người", "Crowd delegations"),
        _count("crowd.people", _R, "Số người trong đoàn đông người", "People in crowds", kind=_SUM),
        _count("crowd.cases", _R, "Vụ việc đông người", "Crowd cases"),
        _count(
            "petitions.received",
            _P,
            "Đơn thư tiếp nhận",
            "Petitions received",
            "class",
            "sector",
            "source",
        ),
        _count("petitions.accepted", _P, "Vụ việc thụ lý", "Petitions accepted", "class", "sector"),
        _count(
            "petitions.resolved",
            _P,
            "Vụ việc đã giải quyết",
            "Petitions resolved",
            "class",
            "sector",
            "conclusion",
        ),
        _count(
            "petitions.resolved_on_time",
            _P,
            "Giải quyết đúng hạn",
            "Resolved on time",
            "class",
            "sector",
        ),
        _count("petitions.overdue", _P, "Vụ việc quá hạn", "Petitions overdue", "class", "sector"),
        _count(
            "petitions.days_to_resolve",
            _P,
            "Tổng số ngày giải quyết",
            "Days to resolve, summed",
            "class",
            kind=_SUM,
        ),
        _ratio(
            "petitions.resolution_rate",
            _P,
            "Tỷ lệ giải quyết",
            "Resolution rate",
            "petitions.resolved",
            "petitions.accepted",
            _RATE,
        ),
        _ratio(
            "petitions.on_time_rate",
            _P,
            "Tỷ lệ giải quyết đúng hạn",
            "Resolved on time, rate",
            "petitions.resolved_on_time",
            "petitions.resolved",
            _RATE,
        ),
        _ratio(
            "petitions.average_days",
            _P,
            "Số ngày giải quyết bình quân",
            "Average days to resolve",
            "petitions.days_to_resolve",
            "petitions.resolved",
            _AVG,
        ),
        _count(
            "dialogues.held", _D, "Hội nghị đối thoại", "Dialogue conferences", "dialogue_level"
        ),
        _count("dialogues.participants", _D, "Lượt người dự đối thoại", "Participants", kind=_SUM),
        _count(
            "follow_ups.promised",
            _D,
            "Nội dung cam kết sau đối thoại",
            "Follow-ups promised",
            kind=_SUM,
        ),
        _count("follow_ups.done", _D, "Nội dung đã thực hiện", "Follow-ups done"),
        _ratio(
            "follow_ups.done_rate",
            _D,
            "Tỷ lệ thực hiện cam kết",
            "Follow-ups done, rate",
            "follow_ups.done",
            "follow_ups.promised",
            _RATE,
        ),
        _manual("supervision.sessions", "Cuộc giám sát", "Supervision sessions"),
        _manual("critique.sessions", "Hội nghị phản biện xã hội", "Social critique sessions"),
        _manual("inspections.held", "Cuộc kiểm tra", "Inspections"),
    )
}


# What a dashboard shows of each area, for the unit and for each child: a few figures a
# portal can put side by side and rank by; the full set is the unit's figures view.
HEADLINE: dict[Area, tuple[str, ...]] = {
    Area.MODELS: ("models.registered", "models.recognised", "exemplars.recognised"),
    Area.RECEPTION: ("visits.received", "visits.people", "reception.schedule_rate"),
    Area.PETITIONS: (
        "petitions.received",
        "petitions.resolution_rate",
        "petitions.on_time_rate",
        "petitions.overdue",
    ),
    Area.DIALOGUES: ("dialogues.held", "follow_ups.done_rate"),
    Area.SUPERVISION: ("supervision.sessions", "critique.sessions", "inspections.held"),
}


# ---- figures views ----------------------------------------------------------------------------


class FiguresQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_code: str = Field(max_length=20)
    period: str = Field(description="2026, 2026S1, 2026Q3, 202605 or 2026NM", max_length=10)
    basis: str = Field(default="calendar", description="calendar or cutoff (Decree 09/2019)")
    boundaries: Boundaries = Boundaries.CURRENT
    children: bool = Field(default=True, description="include the children's figures")


class Change(BaseModel):
    """This period against the same period of the year before ("so với cùng kỳ")."""

    previous: float | None
    absolute: float | None
    percent: float | None = Field(description="None when the year before had nothing")


class Breakdown(BaseModel):
    dimension: str
    value: str
    labels: Labels
    amount: float | None
    change: Change


class Figure(BaseModel):
    indicator: str
    area: Area
    kind: IndicatorKind
    labels: Labels
    amount: float | None = Field(description="None for a rate whose denominator is zero")
    numerator: float | None = None
    denominator: float | None = None
    change: Change
    imported: float = Field(default=0, description="the part imported from spreadsheets")
    manual: float = Field(default=0, description="the part entered by hand")
    attributed: float = Field(
        default=0,
        description="the part that came from a split former unit, given to its default successor",
    )
    breakdown: list[Breakdown] = Field(default_factory=list)


class ChildFigure(BaseModel):
    """A child unit's figure in a parent's view: the amount and its change, no breakdown
    (a province's view lists over a hundred children and must fit one NATS message)."""

    amount: float | None
    previous: float | None
    percent: float | None


class UnitRow(BaseModel):
    unit_code: str
    name: str
    level: str
    figures: dict[str, ChildFigure] = Field(description="indicator code → figure")


class StreamPosition(BaseModel):
    """How far a view is current: the last event applied from one stream."""

    stream: str
    sequence: int
    event_time: datetime | None
    applied_at: datetime | None


class FiguresView(BaseModel):
    unit_code: str
    name: str
    level: str
    period: str
    period_label: Labels
    basis: str
    boundaries: Boundaries
    start: date
    end: date
    previous_start: date
    previous_end: date
    figures: list[Figure]
    at_this_level: list[Figure] = Field(
        description="what was recorded at the unit itself, not below it"
    )
    children: list[UnitRow]
    current_as_of: list[StreamPosition]


# ---- figures entered by hand or imported ------------------------------------------------------


class FigureSource(StrEnum):
    MANUAL = "manual"
    IMPORTED = "imported"


class FigureEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_code: str = Field(max_length=20)
    period: str = Field(max_length=10)
    indicator: str = Field(max_length=64)
    dimension: str = Field(default=TOTAL, max_length=96, description='"" or "class=complaint"')
    value: int = Field(ge=0, le=10**12)
    note: str = Field(default="", max_length=1000)


class FigureEntries(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "source": "manual",
                    "entries": [
                        {
                            "unit_code": "00097",
                            "period": "2026Q3",
                            "indicator": "supervision.sessions",
                            "value": 4,
                            "note": "Giám sát việc thu gom rác thải tại các tổ dân phố",
                        }
                    ],
                }
            ]
        },
    )

    source: FigureSource = FigureSource.MANUAL
    entries: list[FigureEntry] = Field(min_length=1, max_length=5000)


class FigureEntriesResult(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"saved": 1}]})

    saved: int


class FigureEntered(EventPayload):
    """A figure a unit entered or imported for a period; `previous` is what it replaces."""

    service = "reporting"
    aggregate = "figure"
    verb = "entered"

    unit_code: str
    period: str
    indicator: str
    dimension: str
    source: FigureSource
    value: int
    previous: int
    previous_source: FigureSource | None = Field(
        default=None, description="how the replaced figure was entered, if it was"
    )
    by: str


# ---- rebuilds ---------------------------------------------------------------------------------


class RebuildStatus(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "running": True,
                    "build": 3,
                    "building": 4,
                    "started_at": "2026-12-03T02:00:00Z",
                    "finished_at": None,
                    "applied": 125000,
                    "total": 480000,
                    "error": None,
                    "units": "vietnamadminunits-1.0.4",
                }
            ]
        }
    )

    running: bool
    build: int = Field(description="the build the views are served from")
    building: int | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    applied: int = 0
    total: int = 0
    error: str | None = None
    units: str | None = Field(
        default=None,
        description="the units the served figures are placed with: the package's data and "
        "each reorganisation in effect when they were built (`danvan units list`)",
        examples=["vietnamadminunits-1.0.4+2027-01-01-c6ef339dad7b"],
    )


class RebuildStart(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---- exports ----------------------------------------------------------------------------------


class ExportFormat(StrEnum):
    DOCX = "docx"
    XLSX = "xlsx"


class ExportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_code: str = Field(max_length=20)
    period: str = Field(max_length=10)
    format: ExportFormat
    basis: str = Field(default="calendar", description="calendar or cutoff (Decree 09/2019)")
    boundaries: Boundaries = Boundaries.CURRENT
    language: str = Field(default="vi", pattern="^(vi|en)$")


class ExportFile(BaseModel):
    filename: str
    media_type: str
    content_base64: str
