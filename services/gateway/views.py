"""What the gateway answers with: views composed from the services' data."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from danvan.contracts.reporting import FiguresView
from danvan.units import Unit


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


class Dashboard(FiguresView):
    unit: UnitRef
    parents: list[UnitRef] = Field(description="from the nation down to the unit's parent")
    warnings: list[str] = Field(default_factory=list)
