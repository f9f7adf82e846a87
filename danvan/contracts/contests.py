"""Contests ("Hội thi Dân vận khéo"): a contest at a level and in a year, its entries (models
or exemplars) and their results."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from danvan.contracts.envelope import EventPayload
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
from danvan.messages import MessageError


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


class EntryPublic(BaseModel):
    id: uuid.UUID
    kind: EntryKind
    record_id: uuid.UUID
    record_name: str
    unit_code: str
    prize: Prize | None = None
    score: float | None = None
    remarks: str = ""


class ContestPublic(BaseModel):
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
