"""What the gateway answers with: views composed from the services' data."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from danvan.contracts.reception import DeadlineSummary
from danvan.contracts.registry import Labels, Pipeline
from danvan.contracts.reporting import Area, Boundaries, ChildFigure, Figure, FiguresView
from danvan.contracts.reports import Completeness
from danvan.contracts.rpc import ErrorCode
from danvan.units import Unit
from services.gateway.view_examples import DASHBOARD_EXAMPLE, UNIT_FIGURES_EXAMPLE


class UnitRef(BaseModel):
    """An administrative unit: its id and name, and where and when it stands."""

    code: str = Field(
        description="the unit's id: the GSO code for a unit in force (`00097`), `old-` and the "
        "code for one that ceased on 2025-07-01 (`old-00097` was another place)",
        examples=["00097"],
    )
    name: str = Field(description="the official name, with its kind", examples=["Phường Hồng Hà"])
    kind: str = Field(
        description="Quốc gia, Tỉnh, Thành phố, Quận, Huyện, Thị xã, Phường, Xã, Thị trấn, Đặc khu",
        examples=["Phường"],
    )
    level: str = Field(description="nation, province, district or commune", examples=["commune"])
    generation: str = Field(
        description="current: in force; legacy: ceased (on 2025-07-01 or in a later "
        "reorganisation)",
        examples=["current"],
    )
    parent_code: str | None = Field(
        description="the id of the unit it belongs to; null for the nation", examples=["01"]
    )
    valid_from: date | None = Field(
        description="the first day in force; null when older than the data", examples=["2025-07-01"]
    )
    valid_to: date | None = Field(
        description="the first day no longer in force; null while in force", examples=[None]
    )

    @classmethod
    def of(cls, unit: Unit) -> UnitRef:
        return cls(
            code=unit.id,
            name=unit.name,
            kind=unit.kind,
            level=unit.level.value,
            generation=unit.generation.value,
            parent_code=unit.parent_id,
            valid_from=unit.valid_from,
            valid_to=unit.valid_to,
        )


class AreaRef(BaseModel):
    area: Area
    labels: Labels
    indicators: list[str] = Field(
        description="the area's headline indicators, in the order a portal shows them",
        examples=[["models.registered", "models.recognised", "exemplars.recognised"]],
    )


class ChildRow(BaseModel):
    """A child's headline figures, for a drill-down table, and its rank among its siblings."""

    unit_code: str = Field(examples=["00097"])
    name: str = Field(examples=["Phường Hồng Hà"])
    level: str = Field(examples=["commune"])
    figures: dict[str, ChildFigure] = Field(description="indicator code → figure")
    ranks: dict[str, int] = Field(
        description="indicator code → 1 for the highest amount among the children (equal "
        "amounts share a rank); absent where the amount is null",
        examples=[{"models.registered": 1}],
    )


class StreamFreshness(BaseModel):
    stream: str = Field(examples=["REGISTRY"])
    applied_sequence: int = Field(description="the last event of the stream the figures hold")
    last_sequence: int | None = Field(
        description="the stream's last event when the view was made; null if not known"
    )
    pending: int | None = Field(description="events not yet in the figures; null if not known")
    last_event_time: datetime | None = Field(description="when the last applied event happened")


class PartFreshness(BaseModel):
    """How current one part of a view is."""

    part: str = Field(examples=["figures"])
    service: str = Field(examples=["reporting"])
    answered: bool
    as_of: datetime | None = Field(description="when the part was read; null when missing")
    streams: list[StreamFreshness] = Field(
        default_factory=list, description="for the figures: how far each source stream is applied"
    )


class ViewWarning(BaseModel):
    """A part of the view that is missing, and why."""

    part: str = Field(examples=["pipeline"])
    service: str = Field(examples=["registry"])
    code: ErrorCode = Field(examples=["unavailable"])
    message: str = Field(examples=["dịch vụ registry không chạy: thiếu phần pipeline"])


class Dashboard(BaseModel):
    """Everything a portal shows of one unit for one period, in one response."""

    model_config = ConfigDict(json_schema_extra={"examples": [DASHBOARD_EXAMPLE]})

    unit: UnitRef
    level: str = Field(examples=["province"])
    parents: list[UnitRef] = Field(description="from the nation down to the unit's parent")
    period: str = Field(examples=["2026"])
    period_label: Labels
    basis: str = Field(examples=["calendar"])
    boundaries: Boundaries
    start: date
    end: date
    previous_start: date
    previous_end: date
    areas: list[AreaRef]
    figures: list[Figure] = Field(
        description="the headline figures of every area, each with its breakdowns and its "
        "change against the same period of the year before"
    )
    children: list[ChildRow] = Field(description="the children in force, by name")
    completeness: Completeness | None = Field(
        description="the children's work reports for the period; null when missing"
    )
    pipeline: Pipeline | None = Field(
        description="models and exemplars of the subtree by status, now; null when missing"
    )
    deadlines: DeadlineSummary | None = Field(
        description="open petitions nearly due and overdue today; null when missing"
    )
    freshness: list[PartFreshness]
    warnings: list[ViewWarning] = Field(
        default_factory=list, description="the parts that are missing, and why; empty when whole"
    )


class UnitFigures(FiguresView):
    """Every indicator of a unit for a period, with breakdowns, what was recorded at its own
    level, and every child's figures: the detail behind a dashboard."""

    model_config = ConfigDict(json_schema_extra={"examples": [UNIT_FIGURES_EXAMPLE]})

    unit: UnitRef
    parents: list[UnitRef] = Field(description="from the nation down to the unit's parent")
