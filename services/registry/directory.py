"""The directory of organisations per unit; admins manage it, everyone in scope reads it."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.engine import Row

from danvan.access import facts_scope, listing_unit, require_role, require_scope
from danvan.clock import Clock
from danvan.contracts.organisations import (
    OrganisationCreate,
    OrganisationPublic,
    OrganisationQuery,
    OrganisationRegistered,
    OrganisationUpdate,
    OrganisationUpdated,
)
from danvan.contracts.paging import Page
from danvan.contracts.registry import ById
from danvan.contracts.rpc import Message, Principal, Role
from danvan.db import transaction
from danvan.emit import Fact, emit
from danvan.fact_units import unit_for_fact
from danvan.messages import not_found
from danvan.pagination import SortOption, fetch_page, parse_sort
from danvan.service import ServiceRuntime
from danvan.text import fold, sort_string
from danvan.units import UnitTree
from services.registry import store

_SORTS = {
    "name": SortOption(store.organisations_table.c.name_sort),
    "kind": SortOption(store.organisations_table.c.kind),
}

ORGANISATION = Message(vi="tổ chức", en="organisation")


def public_of(row: Row[Any]) -> OrganisationPublic:
    return OrganisationPublic(
        id=row.id,
        name=row.name,
        kind=row.kind,
        unit_code=row.unit_id,
        active=row.active,
        updated_at=row.updated_at,
    )


class OrganisationHandlers:
    def __init__(self, runtime: ServiceRuntime, units: UnitTree, clock: Clock) -> None:
        self._runtime = runtime
        self._units = units
        self._clock = clock

    async def create(self, principal: Principal, command: OrganisationCreate) -> OrganisationPublic:
        require_role(principal, Role.ADMIN)
        today = self._clock.today()
        unit_id = unit_for_fact(self._units, command.unit_code, today, field="unit_code")
        require_scope(self._units, principal, unit_id)
        org_id = uuid.uuid4()
        now = self._clock.now()
        values = {
            "id": str(org_id),
            "name": command.name,
            "name_folded": fold(command.name),
            "name_sort": sort_string(command.name),
            "kind": command.kind.value,
            "unit_id": unit_id,
            "active": True,
            "created_by": principal.sub,
            "created_at": now,
            "updated_at": now,
        }
        payload = OrganisationRegistered(
            organisation_id=org_id,
            name=command.name,
            kind=command.kind,
            unit_code=unit_id,
            by=principal.sub,
        )
        async with transaction(self._runtime.db) as session:
            await store.insert_organisation(session, values)
            await emit(session, self._units, [Fact(payload, str(org_id), unit_id, today)], now=now)
            row = await store.get_organisation(session, org_id)
        self._runtime.wake_relay()
        assert row is not None
        return public_of(row)

    async def update(self, principal: Principal, command: OrganisationUpdate) -> OrganisationPublic:
        require_role(principal, Role.ADMIN)
        async with transaction(self._runtime.db) as session:
            row = await self._load(session, command.id)
            require_scope(self._units, principal, row.unit_id)
            changes: dict[str, Any] = {}
            if command.name is not None:
                changes.update(
                    name=command.name,
                    name_folded=fold(command.name),
                    name_sort=sort_string(command.name),
                )
            if command.kind is not None:
                changes["kind"] = command.kind.value
            if command.active is not None:
                changes["active"] = command.active
            now = self._clock.now()
            await store.update_organisation(session, row.id, {**changes, "updated_at": now})
            row = await self._load(session, command.id)
            payload = OrganisationUpdated(
                organisation_id=command.id,
                name=row.name,
                kind=row.kind,
                unit_code=row.unit_id,
                active=row.active,
                by=principal.sub,
            )
            fact = Fact(payload, row.id, row.unit_id, self._clock.today())
            await emit(session, self._units, [fact], now=now)
        self._runtime.wake_relay()
        return public_of(row)

    async def _load(self, session: Any, org_id: uuid.UUID) -> Row[Any]:
        row = await store.get_organisation(session, org_id)
        if row is None:
            raise not_found(ORGANISATION, org_id)
        return row

    async def get(self, principal: Principal, request: ById) -> OrganisationPublic:
        async with self._runtime.db() as session:
            row = await self._load(session, request.id)
        require_scope(self._units, principal, row.unit_id)
        return public_of(row)

    async def list(self, principal: Principal, query: OrganisationQuery) -> Page[Any]:
        unit_id = listing_unit(self._units, principal, query.unit_code)
        sort = parse_sort(query.sort, _SORTS, default="name")
        statement = store.organisation_query(
            unit_ids=facts_scope(self._units, unit_id),
            kind=query.kind,
            active=query.active,
            q=query.q,
        )
        async with self._runtime.db() as session:
            rows, total, next_cursor = await fetch_page(
                session,
                statement,
                sort=sort,
                id_column=store.organisations_table.c.id,
                limit=query.limit,
                cursor=query.cursor,
            )
        return Page[Any](data=[public_of(r) for r in rows], total=total, next_cursor=next_cursor)
