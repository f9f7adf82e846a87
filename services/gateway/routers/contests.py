"""Contests ("Hội thi Dân vận khéo"), their entries and results."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from danvan.access import require_role, require_scope
from danvan.contracts.contests import (
    ContestCreate,
    ContestDetail,
    ContestPublic,
    ContestQuery,
    EntryKind,
    EntryPublic,
    Prize,
)
from danvan.contracts.registry import TEXT_MAX_LENGTH, Text
from danvan.contracts.rpc import DECIDERS, WRITERS
from services.gateway.deps import CurrentPrincipal, ServicesDep, UnitsDep
from services.gateway.lists import add_list_route
from services.gateway.openapi import ERROR_RESPONSES

router = APIRouter(prefix="/api/v1/contests", tags=["contests"])


class EntryBody(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"kind": "model", "record_id": "0b9e4c1e-6f1a-4f5e-9a53-8d2c1f7e4a10"}]
        },
    )

    kind: EntryKind
    record_id: uuid.UUID


class ResultBody(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"prize": "first", "score": 92.5, "remarks": "Cách làm hay, lan tỏa rộng"}]
        },
    )

    prize: Prize
    score: float | None = Field(default=None, ge=0, le=100)
    remarks: Text = Field(default="", max_length=TEXT_MAX_LENGTH)


@router.post("", status_code=201, responses=ERROR_RESPONSES)
async def create_contest(
    body: ContestCreate, principal: CurrentPrincipal, services: ServicesDep, units: UnitsDep
) -> ContestDetail:
    """Organise a contest at a level, in a year (leaders)."""
    require_role(principal, *DECIDERS)
    if body.unit_code in units:
        require_scope(units, principal, body.unit_code)
    data = await services.ask("registry", "contests", "create", principal, body)
    return ContestDetail.model_validate(data)


add_list_route(
    router,
    "",
    service="registry",
    resource="contests",
    query_type=ContestQuery,
    item_type=ContestPublic,
    name="list_contests",
    summary="Contests organised in a unit's subtree, newest year first",
    description="Contests organised in a unit's subtree, newest year first (`sort`: year or "
    "name), by year, level or words of the name.",
)


@router.get("/{contest_id}", responses=ERROR_RESPONSES)
async def get_contest(
    contest_id: uuid.UUID, principal: CurrentPrincipal, services: ServicesDep
) -> ContestDetail:
    """A contest with every entry and its result."""
    data = await services.ask("registry", "contests", "get", principal, {"id": str(contest_id)})
    return ContestDetail.model_validate(data)


@router.post("/{contest_id}/entries", status_code=201, responses=ERROR_RESPONSES)
async def add_entry(
    contest_id: uuid.UUID, body: EntryBody, principal: CurrentPrincipal, services: ServicesDep
) -> EntryPublic:
    """Enter a model or an exemplar of the organising unit's subtree."""
    require_role(principal, *WRITERS)
    data = {"contest_id": str(contest_id), **body.model_dump(mode="json")}
    return EntryPublic.model_validate(
        await services.ask("registry", "contests", "add_entry", principal, data)
    )


@router.put("/{contest_id}/entries/{entry_id}/result", responses=ERROR_RESPONSES)
async def record_result(
    contest_id: uuid.UUID,
    entry_id: uuid.UUID,
    body: ResultBody,
    principal: CurrentPrincipal,
    services: ServicesDep,
) -> EntryPublic:
    """Record (or correct) an entry's result (leaders)."""
    require_role(principal, *DECIDERS)
    data = {
        "contest_id": str(contest_id),
        "entry_id": str(entry_id),
        **body.model_dump(mode="json"),
    }
    return EntryPublic.model_validate(
        await services.ask("registry", "contests", "record_result", principal, data)
    )
