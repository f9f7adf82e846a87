"""The rpc handlers of models and exemplars: registration, versioned updates, the lifecycle,
one record with its history, and lists. Models and exemplars share all of it; a `RecordKind`
says what differs."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from danvan.access import facts_scope, listing_unit, require_scope
from danvan.clock import Clock
from danvan.contracts.paging import Page
from danvan.contracts.registry import (
    EXEMPLAR_STEP_EVENTS,
    MODEL_STEP_EVENTS,
    Action,
    Award,
    AwardPublic,
    ById,
    ExemplarCreate,
    ExemplarDetail,
    ExemplarDetails,
    ExemplarPublic,
    ExemplarQuery,
    ExemplarRegistered,
    ExemplarUpdated,
    HistoryEntry,
    ModelCreate,
    ModelDetail,
    ModelDetails,
    ModelPublic,
    ModelQuery,
    ModelRegistered,
    ModelUpdated,
    RecordQuery,
    Status,
    Step,
)
from danvan.contracts.rpc import ErrorCode, ErrorDetail, Message, Principal, ServiceError
from danvan.db import transaction
from danvan.emit import Fact, emit
from danvan.lifecycle import changed_meanwhile, check_version
from danvan.messages import not_found
from danvan.pagination import SortOption, as_date, as_datetime, fetch_page, parse_sort
from danvan.service import ServiceRuntime
from danvan.text import fold, sort_string
from danvan.units import UnitTree
from services.registry import store
from services.registry.domain import (
    RECORD_NOUNS,
    RecordState,
    StepOutcome,
    check_registration,
    check_topics,
    check_unit_in_force_on,
    check_update,
    merge_details,
    plan_step,
)

Details = ModelDetails | ExemplarDetails

NO_ORGANISATION = Message(vi="không có tổ chức này", en="no such organisation")
INACTIVE_ORGANISATION = Message(vi="tổ chức đã ngừng hoạt động", en="inactive organisation")


@dataclass(frozen=True, slots=True)
class RecordKind:
    name: str  # "model" or "exemplar": the events' aggregate and the history's kind
    noun: Message  # what people read: "mô hình" / "model"
    details: type[ModelDetails] | type[ExemplarDetails]
    step_events: Mapping[Action, type[Any]]
    updated_event: type[ModelUpdated] | type[ExemplarUpdated]
    id_field: str  # "model_id" or "exemplar_id" in the events
    search_fields: tuple[str, ...]


MODELS = RecordKind(
    name=store.MODEL,
    noun=RECORD_NOUNS[store.MODEL],
    details=ModelDetails,
    step_events=MODEL_STEP_EVENTS,
    updated_event=ModelUpdated,
    id_field="model_id",
    search_fields=("name", "description", "locality", "target_group", "objectives"),
)
EXEMPLARS = RecordKind(
    name=store.EXEMPLAR,
    noun=RECORD_NOUNS[store.EXEMPLAR],
    details=ExemplarDetails,
    step_events=EXEMPLAR_STEP_EVENTS,
    updated_event=ExemplarUpdated,
    id_field="exemplar_id",
    search_fields=("name", "achievement"),
)


def search_text(kind: RecordKind, details: Details) -> str:
    values = details.model_dump()
    return fold(" ".join(str(values.get(name) or "") for name in kind.search_fields))


def row_values(kind: RecordKind, details: Details) -> dict[str, Any]:
    """The columns that follow from a record's details."""
    values: dict[str, Any] = {
        "name": details.name,
        "name_folded": fold(details.name),
        "name_sort": sort_string(details.name),
        "search_folded": search_text(kind, details),
        "field": details.field.value,
        "unit_id": details.unit_code,
        "organisation_id": str(details.organisation_id) if details.organisation_id else None,
        "details": details.model_dump(mode="json"),
    }
    if isinstance(details, ModelDetails):
        values["topics_text"] = "|" + "".join(f"{t}|" for t in details.topics)
    else:
        values["kind"] = details.kind.value
    return values


def details_of(kind: RecordKind, row: Row[Any]) -> Details:
    stored = dict(row.details or {})
    stored.update(name=row.name, field=row.field, unit_code=row.unit_id)
    stored["organisation_id"] = row.organisation_id
    if kind is EXEMPLARS:
        stored["kind"] = row.kind
    return kind.details.model_validate(stored)


def state_of(kind: RecordKind, row: Row[Any]) -> RecordState:
    return RecordState(
        id=uuid.UUID(row.id),
        noun=kind.noun,
        unit_id=row.unit_id,
        status=Status(row.status),
        version=row.version,
        registered_on=row.registered_on,
        last_step_on=row.last_step_on or row.registered_on,
        proposed=row.proposed,
    )


def public_of(kind: RecordKind, row: Row[Any]) -> ModelPublic | ExemplarPublic:
    details = details_of(kind, row).model_dump()
    meta = {
        "id": row.id,
        "registered_on": row.registered_on,
        "status": row.status,
        "version": row.version,
        "recognition_level": row.recognition_level,
        "recognised_on": row.recognised_on,
        "created_by": row.created_by,
        "updated_at": row.updated_at,
    }
    if kind is MODELS:
        return ModelPublic.model_validate({**details, **meta})
    return ExemplarPublic.model_validate({**details, **meta})


def sorts_for(kind: RecordKind) -> dict[str, SortOption]:
    table = store.RECORD_TABLES[kind.name]
    return {
        "registered_on": SortOption(table.c.registered_on, as_date),
        "name": SortOption(table.c.name_sort),
        "updated_at": SortOption(table.c.updated_at, as_datetime),
        "status": SortOption(table.c.status),
    }


class RecordHandlers:
    def __init__(
        self,
        runtime: ServiceRuntime,
        units: UnitTree,
        clock: Clock,
        kind: RecordKind,
        topics: Mapping[str, Any],
    ) -> None:
        self.runtime = runtime
        self.units = units
        self.clock = clock
        self._kind = kind
        self._topics = topics

    # ---- registration ------------------------------------------------------------------------

    async def check_new(
        self,
        session: AsyncSession,
        principal: Principal,
        command: ModelCreate | ExemplarCreate,
        *,
        field_prefix: str = "",
        organisations: dict[str, Row[Any] | None] | None = None,
    ) -> tuple[Details, date]:
        """The details to store and the registration date; raises when the record may not be
        registered. `organisations` caches directory look-ups across the rows of an import."""
        today = self.clock.today()
        registered_on = command.registered_on or today
        unit_id = check_registration(
            principal,
            self.units,
            command.unit_code,
            registered_on,
            today,
            field_prefix=field_prefix,
        )
        details = self._kind.details.model_validate(
            {**command.model_dump(exclude={"registered_on"}), "unit_code": unit_id}
        )
        if isinstance(details, ModelDetails):
            check_topics(details.topics, self._topics, field=f"{field_prefix}topics")
            check_unit_in_force_on(
                self.units, unit_id, details.start_date, f"{field_prefix}start_date"
            )
        await self._check_organisation(
            session, details.organisation_id, field_prefix, organisations
        )
        return details, registered_on

    async def _check_organisation(
        self,
        session: AsyncSession,
        organisation_id: uuid.UUID | None,
        field_prefix: str,
        cache: dict[str, Row[Any] | None] | None = None,
    ) -> None:
        if organisation_id is None:
            return
        key = str(organisation_id)
        if cache is not None and key in cache:
            organisation = cache[key]
        else:
            organisation = await store.get_organisation(session, organisation_id)
            if cache is not None:
                cache[key] = organisation
        if organisation is None or not organisation.active:
            reason = NO_ORGANISATION if organisation is None else INACTIVE_ORGANISATION
            raise ServiceError(
                ErrorCode.VALIDATION,
                Message(vi=f"{reason.vi}: {organisation_id}", en=f"{reason.en}: {organisation_id}"),
                [ErrorDetail(field=f"{field_prefix}organisation_id", reason=reason)],
            )

    def new_record(
        self, principal: Principal, details: Details, registered_on: date, now: datetime
    ) -> tuple[dict[str, Any], dict[str, Any], Fact]:
        """The row, its first history entry and its `registered` fact."""
        record_id = uuid.uuid4()
        row = {
            **row_values(self._kind, details),
            "id": str(record_id),
            "registered_on": registered_on,
            "status": Status.REGISTERED.value,
            "version": 1,
            "last_step_on": registered_on,
            "created_by": principal.sub,
            "created_at": now,
            "updated_at": now,
        }
        history = {
            "record_kind": self._kind.name,
            "record_id": str(record_id),
            "version": 1,
            "action": "registered",
            "status": Status.REGISTERED.value,
            "on": registered_on,
            "by": principal.sub,
            "at": now,
            "details": {},
        }
        payload: ModelRegistered | ExemplarRegistered
        if isinstance(details, ModelDetails):
            payload = ModelRegistered(
                model_id=record_id,
                name=details.name,
                field=details.field,
                unit_code=details.unit_code,
                registered_on=registered_on,
                registered_by=principal.sub,
                topics=details.topics,
                organisation_id=details.organisation_id,
                locality=details.locality,
                start_date=details.start_date,
                planned_evaluation_date=details.planned_evaluation_date,
            )
        else:
            payload = ExemplarRegistered(
                exemplar_id=record_id,
                kind=details.kind,
                name=details.name,
                field=details.field,
                unit_code=details.unit_code,
                registered_on=registered_on,
                registered_by=principal.sub,
                organisation_id=details.organisation_id,
            )
        fact = Fact(payload, str(record_id), details.unit_code, registered_on)
        return row, history, fact

    async def store_new(
        self,
        session: AsyncSession,
        records: Sequence[tuple[dict[str, Any], dict[str, Any], Fact]],
    ) -> None:
        await store.insert_records(session, self._kind.name, [r for r, _, _ in records])
        await store.insert_history(session, [h for _, h, _ in records])
        await emit(session, self.units, [f for _, _, f in records], now=self.clock.now())

    async def create(
        self, principal: Principal, command: ModelCreate | ExemplarCreate
    ) -> ModelPublic | ExemplarPublic:
        async with transaction(self.runtime.db) as session:
            details, registered_on = await self.check_new(session, principal, command)
            record = self.new_record(principal, details, registered_on, self.clock.now())
            await self.store_new(session, [record])
            row = await store.get_record(session, self._kind.name, uuid.UUID(record[0]["id"]))
        self.runtime.wake_relay()
        assert row is not None
        return public_of(self._kind, row)

    # ---- changes -------------------------------------------------------------------------------

    async def _load(self, session: AsyncSession, record_id: uuid.UUID) -> Row[Any]:
        row = await store.get_record(session, self._kind.name, record_id)
        if row is None:
            raise not_found(self._kind.noun, record_id)
        return row

    async def _save(
        self,
        session: AsyncSession,
        state: RecordState,
        values: dict[str, Any],
        history: dict[str, Any],
        fact: Fact,
    ) -> None:
        if not await store.update_record(session, self._kind.name, state.id, state.version, values):
            raise changed_meanwhile(self._kind.noun)
        await store.insert_history(session, [history])
        await emit(session, self.units, [fact], now=self.clock.now())

    async def update(self, principal: Principal, command: Any) -> ModelPublic | ExemplarPublic:
        async with transaction(self.runtime.db) as session:
            row = await self._load(session, command.id)
            state = state_of(self._kind, row)
            check_update(state, principal, self.units)
            check_version(self._kind.noun, state.version, command.expected_version)
            current = details_of(self._kind, row)
            merged, changes = merge_details(self._kind.details, current, command.changes)
            if not changes:
                return public_of(self._kind, row)
            details = self._kind.details.model_validate(merged.model_dump())
            await self._check_changed_details(session, principal, details, changes, state)
            version = state.version + 1
            today = self.clock.today()
            payload = self._kind.updated_event(
                **{self._kind.id_field: state.id},
                unit_code=details.unit_code,
                field=details.field,
                status=state.status,
                record_version=version,
                on=today,
                by=principal.sub,
                changes=changes,
            )
            history = self._history(state, version, "updated", state.status, today, principal)
            history["details"] = {name: c.model_dump(mode="json") for name, c in changes.items()}
            values = {**row_values(self._kind, details), "version": version}
            await self._save(
                session,
                state,
                values,
                history,
                Fact(payload, str(state.id), details.unit_code, today),
            )
            row = await self._load(session, command.id)
        self.runtime.wake_relay()
        return public_of(self._kind, row)

    async def _check_changed_details(
        self,
        session: AsyncSession,
        principal: Principal,
        details: Details,
        changes: Mapping[str, Any],
        state: RecordState,
    ) -> None:
        if "unit_code" in changes:
            unit_id = check_registration(
                principal,
                self.units,
                details.unit_code,
                state.registered_on,
                self.clock.today(),
                field_prefix="changes.",
            )
            if unit_id != details.unit_code:
                raise ServiceError(
                    ErrorCode.VALIDATION,
                    Message(vi="hãy dùng mã của đơn vị", en="use the unit's id"),
                    [
                        ErrorDetail(
                            field="changes.unit_code",
                            reason=Message(vi=f"hãy dùng {unit_id}", en=f"use {unit_id}"),
                        )
                    ],
                )
        if isinstance(details, ModelDetails):
            if "topics" in changes:
                check_topics(details.topics, self._topics, field="changes.topics")
            if "start_date" in changes or "unit_code" in changes:
                check_unit_in_force_on(
                    self.units, details.unit_code, details.start_date, "changes.start_date"
                )
        if "organisation_id" in changes:
            await self._check_organisation(session, details.organisation_id, "changes.")

    def _history(
        self,
        state: RecordState,
        version: int,
        action: str,
        status: Status,
        on: date,
        principal: Principal,
    ) -> dict[str, Any]:
        return {
            "record_kind": self._kind.name,
            "record_id": str(state.id),
            "version": version,
            "action": action,
            "status": status.value,
            "on": on,
            "by": principal.sub,
            "at": self.clock.now(),
            "details": {},
        }

    def step(
        self, action: Action
    ) -> Callable[[Principal, Step], Awaitable[ModelPublic | ExemplarPublic]]:
        async def handle(principal: Principal, request: Step) -> ModelPublic | ExemplarPublic:
            return await self._step(action, principal, request)

        return handle

    async def _step(
        self, action: Action, principal: Principal, request: Step
    ) -> ModelPublic | ExemplarPublic:
        async with transaction(self.runtime.db) as session:
            row = await self._load(session, request.id)
            state = state_of(self._kind, row)
            field = row.field
            outcome = plan_step(action, request, state, principal, self.units, self.clock.today())
            history = self._history(
                state, outcome.version, action.value, outcome.status, outcome.on, principal
            )
            history["details"] = outcome.details
            await self._save(
                session,
                state,
                self._step_values(outcome),
                history,
                self._step_fact(outcome, state, field, principal),
            )
            if action is Action.RECOGNISE:
                await store.insert_awards(session, self._award_rows(state, outcome))
            row = await self._load(session, request.id)
        self.runtime.wake_relay()
        return public_of(self._kind, row)

    @staticmethod
    def _step_values(outcome: StepOutcome) -> dict[str, Any]:
        values: dict[str, Any] = {
            "status": outcome.status.value,
            "version": outcome.version,
            "last_step_on": outcome.on,
            "proposed": outcome.proposed,
        }
        if outcome.recognition_level is not None:
            values["recognition_level"] = outcome.recognition_level.value
            values["recognised_on"] = outcome.on
        return values

    def _step_fact(
        self, outcome: StepOutcome, state: RecordState, field: str, principal: Principal
    ) -> Fact:
        payload = self._kind.step_events[outcome.action](
            **{self._kind.id_field: state.id},
            unit_code=state.unit_id,
            field=field,
            status=outcome.status,
            record_version=outcome.version,
            on=outcome.on,
            by=principal.sub,
            **outcome.details,
        )
        return Fact(payload, str(state.id), state.unit_id, outcome.on)

    def _award_rows(self, state: RecordState, outcome: StepOutcome) -> list[dict[str, Any]]:
        return [
            {
                **Award.model_validate(award).model_dump(mode="json"),
                "id": str(uuid.uuid4()),
                "record_kind": self._kind.name,
                "record_id": str(state.id),
                "level": outcome.details["level"],
                "decision_number": outcome.details["decision_number"],
                "decided_on": outcome.on,
            }
            for award in outcome.details["awards"]
        ]

    # ---- queries ---------------------------------------------------------------------------------

    async def get(self, principal: Principal, request: ById) -> ModelDetail | ExemplarDetail:
        async with self.runtime.db() as session:
            row = await self._load(session, request.id)
            require_scope(self.units, principal, row.unit_id)
            history = await store.history_of(session, self._kind.name, request.id)
            awards = await store.awards_of(session, self._kind.name, request.id)
        public = public_of(self._kind, row).model_dump()
        entries = [
            HistoryEntry(
                version=h.version,
                action=h.action,
                status=Status(h.status),
                on=h.on,
                by=h.by,
                at=h.at,
                details=h.details,
            )
            for h in history
        ]
        award_list = [AwardPublic.model_validate(a, from_attributes=True) for a in awards]
        detail_type = ModelDetail if self._kind is MODELS else ExemplarDetail
        return detail_type.model_validate({**public, "history": entries, "awards": award_list})

    async def list(self, principal: Principal, query: RecordQuery) -> Page[Any]:
        unit_id = listing_unit(self.units, principal, query.unit_code)
        sort = parse_sort(query.sort, sorts_for(self._kind), default="-registered_on")
        statement = store.record_query(
            self._kind.name,
            unit_ids=facts_scope(self.units, unit_id),
            field=query.field,
            statuses=query.status,
            year=query.year,
            organisation_id=query.organisation_id,
            recognised=query.recognised,
            q=query.q,
            topic=query.topic if isinstance(query, ModelQuery) else None,
            exemplar_kind=query.kind if isinstance(query, ExemplarQuery) else None,
        )
        table = store.RECORD_TABLES[self._kind.name]
        async with self.runtime.db() as session:
            rows, total, next_cursor = await fetch_page(
                session,
                statement,
                sort=sort,
                id_column=table.c.id,
                limit=query.limit,
                cursor=query.cursor,
            )
        items: list[BaseModel] = [public_of(self._kind, row) for row in rows]
        return Page[Any](data=items, total=total, next_cursor=next_cursor)
