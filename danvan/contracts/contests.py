"""Contests ("Hội thi Dân vận khéo"): a contest at a level and in a year, its entries (models
or exemplars) and their results."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from danvan.contracts.envelope import EventPayload
from danvan.contracts.messages import MessageError
from danvan.contracts.paging import PageRequest, SearchFilter, SubtreeFilter, sort_by
from danvan.contracts.registry import (
    NAME_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    Labels,
    Line,
    RecognitionLevel,
    Text,
    UnitCode,
)
from danvan.contracts.rpc import Message


class Prize(StrEnum):
    FIRST = "first"
    SECOND = "second"
    THIRD = "third"
    CONSOLATION = "consolation"
    NONE = "none"


PRIZE_LABELS: dict[Prize, Labels] = {
    Prize.FIRST: {"vi": "Giải Nhất", "en": "First prize"},
    Prize.SECOND: {"vi": "Giải Nhì", "en": "Second prize"},
    Prize.THIRD: {"vi": "Giải Ba", "en": "Third prize"},
    Prize.CONSOLATION: {"vi": "Giải Khuyến khích", "en": "Consolation prize"},
    Prize.NONE: {"vi": "Không đạt giải", "en": "No prize"},
}


class EntryKind(StrEnum):
    MODEL = "model"
    EXEMPLAR = "exemplar"


class ContestCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Hội thi Dân vận khéo phường Hồng Hà năm 2026",
                    "level": "commune",
                    "year": 2026,
                    "unit_code": "00097",
                    "held_on": "2026-10-10",
                }
            ]
        },
    )

    name: Line = Field(max_length=NAME_MAX_LENGTH)
    level: RecognitionLevel
    year: int = Field(ge=1990, le=2100)
    unit_code: UnitCode = Field(description="the organising unit; entries come from its subtree")
    held_on: date | None = None

    @model_validator(mode="after")
    def _held_in_its_year(self) -> ContestCreate:
        if self.held_on is not None and self.held_on.year != self.year:
            raise MessageError(
                Message(
                    vi="ngày tổ chức held_on phải thuộc năm của hội thi",
                    en="held_on must fall in the contest's year",
                )
            )
        return self


class EntryAdd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    contest_id: uuid.UUID
    kind: EntryKind
    record_id: uuid.UUID = Field(description="the model's or the exemplar's id")


class ResultRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    contest_id: uuid.UUID
    entry_id: uuid.UUID
    prize: Prize
    score: float | None = Field(default=None, ge=0, le=100)
    remarks: Text = Field(default="", max_length=TEXT_MAX_LENGTH)


ENTRY_EXAMPLE: dict[str, Any] = {
    "id": "9d1e2f3a-4b5c-4d6e-8f70-a1b2c3d4e5f6",
    "kind": "model",
    "record_id": "0b9e4c1e-6f1a-4f5e-9a53-8d2c1f7e4a10",
    "record_name": "Cổng trường an toàn văn minh",
    "unit_code": "00097",
    "prize": "first",
    "score": 92.5,
    "remarks": "Cách làm hay, lan tỏa rộng",
}
CONTEST_EXAMPLE: dict[str, Any] = {
    "id": "6b7c8d9e-0f1a-4b2c-9d3e-4f5a6b7c8d9e",
    "name": "Hội thi Dân vận khéo phường Hồng Hà năm 2026",
    "level": "commune",
    "year": 2026,
    "unit_code": "00097",
    "held_on": "2026-10-10",
    "created_by": "lanh-dao-hong-ha",
    "created_at": "2026-08-01T08:30:00+07:00",
    "entries": 1,
}


class EntryPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [ENTRY_EXAMPLE]})

    id: uuid.UUID
    kind: EntryKind
    record_id: uuid.UUID
    record_name: str
    unit_code: str
    prize: Prize | None = None
    score: float | None = None
    remarks: str = ""


class ContestPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [CONTEST_EXAMPLE]})

    id: uuid.UUID
    name: str
    level: RecognitionLevel
    year: int
    unit_code: str
    held_on: date | None
    created_by: str
    created_at: datetime
    entries: int


class ContestDetail(ContestPublic):
    model_config = ConfigDict(
        json_schema_extra={"examples": [CONTEST_EXAMPLE | {"results": [ENTRY_EXAMPLE]}]}
    )

    results: list[EntryPublic]


class ContestQuery(PageRequest):
    model_config = ConfigDict(extra="forbid")

    sort: str | None = sort_by("year", "name", default="-year")
    unit_code: SubtreeFilter = None
    year: int | None = Field(default=None, ge=1990, le=2100)
    level: RecognitionLevel | None = None
    q: SearchFilter = None


class ContestCreated(EventPayload):
    service = "registry"
    aggregate = "contest"
    verb = "created"

    contest_id: uuid.UUID
    name: str
    level: RecognitionLevel
    year: int
    unit_code: str
    held_on: date | None
    by: str


class ContestEntryAdded(EventPayload):
    service = "registry"
    aggregate = "contest"
    verb = "entry_added"

    contest_id: uuid.UUID
    entry_id: uuid.UUID
    kind: EntryKind
    record_id: uuid.UUID
    unit_code: str
    by: str


class ContestResultRecorded(EventPayload):
    service = "registry"
    aggregate = "contest"
    verb = "result_recorded"

    contest_id: uuid.UUID
    entry_id: uuid.UUID
    kind: EntryKind
    record_id: uuid.UUID
    unit_code: str
    prize: Prize
    score: float | None
    by: str
