"""What the gateway answers with: views composed from the services' data."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from danvan.contracts.registry import FIELD_LABELS, ModelField
from danvan.contracts.reporting import (
    INDICATOR_DIMENSIONS,
    INDICATOR_LABELS,
    TOTAL,
    Boundaries,
    Figures,
    Indicator,
    dimension_key,
)
from danvan.units import Unit


class UnitRef(BaseModel):
    code: str = Field(examples=["00097"])
    name: str = Field(examples=["Phường Hồng Hà"])
    kind: str = Field(examples=["Phường"])
    level: str = Field(examples=["commune"])
    generation: str = Field(examples=["current"])
    parent_code: str | None = Field(examples=["01"])
    valid_from: date | None
    valid_to: date | None

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


class BreakdownItem(BaseModel):
    value: str = Field(examples=["culture_society"])
    label: str = Field(examples=["Văn hóa - xã hội"])
    count: int


class Figure(BaseModel):
    indicator: str = Field(examples=["models.registered"])
    label: str = Field(examples=["Mô hình đăng ký"])
    value: int
    breakdown: dict[str, list[BreakdownItem]] = Field(
        description="counts by dimension (for models: by field)"
    )


class PeriodInfo(BaseModel):
    code: str = Field(examples=["2026"])
    label: str = Field(examples=["Năm 2026"])
    basis: str = Field(examples=["calendar"])
    start: date
    end: date


class ChildRow(BaseModel):
    unit: UnitRef
    figures: list[Figure]


class Dashboard(BaseModel):
    unit: UnitRef
    parents: list[UnitRef] = Field(description="from the nation down to the unit's parent")
    period: PeriodInfo
    boundaries: Boundaries
    figures: list[Figure]
    children: list[ChildRow]
    warnings: list[str] = []


def _value_label(dimension: str, value: str, lang: str) -> str:
    if dimension == "field":
        return FIELD_LABELS[ModelField(value)][lang]
    return value


def figures_view(figures: Figures, lang: str) -> list[Figure]:
    """Every indicator with its total and each breakdown value, zeros included."""
    result = []
    for indicator in Indicator:
        counts = figures.get(indicator.value, {})
        breakdown = {
            dimension: [
                BreakdownItem(
                    value=value,
                    label=_value_label(dimension, value, lang),
                    count=counts.get(dimension_key(dimension, value), 0),
                )
                for value in values
            ]
            for dimension, values in INDICATOR_DIMENSIONS[indicator].items()
        }
        result.append(
            Figure(
                indicator=indicator.value,
                label=INDICATOR_LABELS[indicator][lang],
                value=counts.get(TOTAL, 0),
                breakdown=breakdown,
            )
        )
    return result
