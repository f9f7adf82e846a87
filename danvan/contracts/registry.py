"""The registry's language: "Dân vận khéo" models, their requests, replies and events."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from danvan.contracts.envelope import EventPayload


class ModelField(StrEnum):
    """The four main fields ("lĩnh vực") a model belongs to."""

    ECONOMY = "economy"
    CULTURE_SOCIETY = "culture_society"
    DEFENCE_SECURITY = "defence_security"
    POLITICAL_SYSTEM = "political_system"


FIELD_LABELS: dict[ModelField, dict[str, str]] = {
    ModelField.ECONOMY: {"vi": "Kinh tế", "en": "Economy"},
    ModelField.CULTURE_SOCIETY: {"vi": "Văn hóa - xã hội", "en": "Culture and society"},
    ModelField.DEFENCE_SECURITY: {"vi": "Quốc phòng - an ninh", "en": "Defence and security"},
    ModelField.POLITICAL_SYSTEM: {
        "vi": "Xây dựng hệ thống chính trị",
        "en": "Building the political system",
    },
}

NAME_MAX_LENGTH = 300


class ModelCreate(BaseModel):
    """Register a "Dân vận khéo" model ("mô hình")."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Cổng trường an toàn văn minh",
                    "field": "culture_society",
                    "unit_code": "00097",
                    "registered_on": "2026-03-02",
                }
            ]
        },
    )

    name: str = Field(min_length=1, max_length=NAME_MAX_LENGTH)
    field: ModelField
    unit_code: str = Field(
        min_length=1, max_length=20, description="the unit where it is carried out"
    )
    registered_on: date | None = Field(
        default=None, description="registration date (Vietnam); today when not given"
    )

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, value: str) -> str:
        cleaned = " ".join(value.split())
        if not cleaned:
            raise ValueError("must not be blank")
        return cleaned


class ModelPublic(BaseModel):
    id: uuid.UUID
    name: str
    field: ModelField
    unit_code: str
    registered_on: date
    status: str


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
