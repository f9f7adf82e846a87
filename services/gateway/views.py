"""What the gateway answers with: views composed from the services' data."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from danvan.contracts.reporting import FiguresView
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


class Dashboard(FiguresView):
    unit: UnitRef
    parents: list[UnitRef] = Field(description="from the nation down to the unit's parent")
    warnings: list[str] = Field(default_factory=list)
