"""The directory of organisations that register work: party committees, departments, the
police, companies, the Fatherland Front and mass organisations, schools; each at a unit."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from danvan.contracts.envelope import EventPayload
from danvan.contracts.paging import PageRequest, SearchFilter, SubtreeFilter, sort_by
from danvan.contracts.registry import NAME_MAX_LENGTH, Labels, Line, UnitCode


class OrganisationKind(StrEnum):
    PARTY_COMMITTEE = "party_committee"
    DEPARTMENT = "department"
    POLICE = "police"
    COMPANY = "company"
    FRONT_OR_MASS_ORGANISATION = "front_or_mass_organisation"
    SCHOOL = "school"


ORGANISATION_KIND_LABELS: dict[OrganisationKind, Labels] = {
    OrganisationKind.PARTY_COMMITTEE: {"vi": "Cấp ủy, tổ chức đảng", "en": "Party committee"},
    OrganisationKind.DEPARTMENT: {"vi": "Sở, ban, ngành", "en": "Department"},
    OrganisationKind.POLICE: {"vi": "Công an", "en": "Police"},
    OrganisationKind.COMPANY: {"vi": "Doanh nghiệp", "en": "Company"},
    OrganisationKind.FRONT_OR_MASS_ORGANISATION: {
        "vi": "Mặt trận Tổ quốc, đoàn thể",
        "en": "Fatherland Front or mass organisation",
    },
    OrganisationKind.SCHOOL: {"vi": "Trường học", "en": "School"},
}


class OrganisationCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"name": "Công an thành phố Hà Nội", "kind": "police", "unit_code": "01"}]
        },
    )

    name: Line = Field(max_length=NAME_MAX_LENGTH)
    kind: OrganisationKind
    unit_code: UnitCode = Field(description="the unit the organisation belongs to")


class OrganisationUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID
    name: Line | None = Field(default=None, max_length=NAME_MAX_LENGTH)
    kind: OrganisationKind | None = None
    active: bool | None = Field(default=None, description="an inactive one takes no new work")


class OrganisationPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "3c2b8f1a-0d4e-4b7a-9f61-2e5d8c7b6a01",
                    "name": "Công an thành phố Hà Nội",
                    "kind": "police",
                    "unit_code": "01",
                    "active": True,
                    "updated_at": "2026-02-10T09:00:00+07:00",
                }
            ]
        }
    )

    id: uuid.UUID
    name: str
    kind: OrganisationKind
    unit_code: str
    active: bool
    updated_at: datetime


class OrganisationQuery(PageRequest):
    model_config = ConfigDict(extra="forbid")

    sort: str | None = sort_by("name", "kind", default="name")
    unit_code: SubtreeFilter = None
    kind: OrganisationKind | None = None
    active: bool | None = None
    q: SearchFilter = None


class OrganisationRegistered(EventPayload):
    service = "registry"
    aggregate = "organisation"
    verb = "registered"

    organisation_id: uuid.UUID
    name: str
    kind: OrganisationKind
    unit_code: str
    by: str


class OrganisationUpdated(EventPayload):
    service = "registry"
    aggregate = "organisation"
    verb = "updated"

    organisation_id: uuid.UUID
    name: str
    kind: OrganisationKind
    unit_code: str
    active: bool
    by: str
