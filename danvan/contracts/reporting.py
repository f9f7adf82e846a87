"""Reporting's language: indicators, dashboard queries and their figures."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Boundaries(StrEnum):
    """Current: pre-2025 facts counted in their successors. Historical: as recorded."""

    CURRENT = "current"
    HISTORICAL = "historical"


class Indicator(StrEnum):
    MODELS_REGISTERED = "models.registered"


INDICATOR_LABELS: dict[Indicator, dict[str, str]] = {
    Indicator.MODELS_REGISTERED: {"vi": "Mô hình đăng ký", "en": "Models registered"},
}

# A figure's breakdown is stored as "<dimension>=<value>"; the total has no dimension.
TOTAL = ""


def dimension_key(dimension: str, value: str) -> str:
    return f"{dimension}={value}"


class DashboardQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_code: str
    period: str = Field(description="2026, 2026S1, 2026Q3, 202605 or 2026NM")
    basis: str = Field(default="calendar", description="calendar or cutoff (Decree 09/2019)")
    boundaries: Boundaries = Boundaries.CURRENT


# indicator code → dimension key ("" for the total) → count
Figures = dict[str, dict[str, int]]


class UnitFigures(BaseModel):
    unit_code: str
    figures: Figures


class DashboardFigures(BaseModel):
    unit: UnitFigures
    children: list[UnitFigures]
    start: date
    end: date


def _field_values() -> list[str]:
    from danvan.contracts.registry import ModelField

    return [field.value for field in ModelField]


# The breakdowns each indicator is kept by, with every value a view should list (zeros too).
INDICATOR_DIMENSIONS: dict[Indicator, dict[str, list[str]]] = {
    Indicator.MODELS_REGISTERED: {"field": _field_values()},
}
