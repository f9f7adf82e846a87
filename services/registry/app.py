"""Wiring of the registry service: every rpc subject and the handler that answers it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel

from danvan.bus import register_rpc, rpc_subject
from danvan.clock import Clock, SystemClock
from danvan.config import Settings
from danvan.contracts.contests import ContestCreate, ContestQuery, EntryAdd, ResultRecord
from danvan.contracts.organisations import (
    OrganisationCreate,
    OrganisationQuery,
    OrganisationUpdate,
)
from danvan.contracts.registry import (
    STEP_REQUESTS,
    ById,
    ExemplarCreate,
    ExemplarQuery,
    ExemplarUpdate,
    ImportBegin,
    ImportCommit,
    ImportRows,
    ModelCreate,
    ModelQuery,
    ModelUpdate,
    NoArguments,
    PipelineQuery,
)
from danvan.contracts.rpc import Principal
from danvan.service import ServiceRuntime
from danvan.units import UnitTree
from services.registry.contests import ContestHandlers
from services.registry.directory import OrganisationHandlers
from services.registry.domain import available_topics
from services.registry.imports import ImportHandlers
from services.registry.pipeline import PipelineHandlers
from services.registry.records import EXEMPLARS, MODELS, RecordHandlers

Handler = Callable[[Principal, Any], Awaitable[Any]]


def build(
    settings: Settings,
    *,
    nats_url: str | None = None,
    clock: Clock | None = None,
    units: UnitTree | None = None,
) -> ServiceRuntime:
    runtime = ServiceRuntime.create("registry", settings, nats_url=nats_url)
    time = clock or SystemClock()
    tree = runtime.units_in_force(time, units)
    topics = available_topics(settings.registry_topics)
    models = RecordHandlers(runtime, tree, time, MODELS, topics)
    exemplars = RecordHandlers(runtime, tree, time, EXEMPLARS, topics)
    organisations = OrganisationHandlers(runtime, tree, time)
    contests = ContestHandlers(runtime, tree, time)
    imports = ImportHandlers(models, topics)
    pipeline = PipelineHandlers(runtime, tree)

    async def list_topics(_principal: Principal, _request: NoArguments) -> dict[str, Any]:
        return topics

    routes: list[tuple[str, str, type[BaseModel], Handler]] = [
        ("models", "create", ModelCreate, models.create),
        ("models", "update", ModelUpdate, models.update),
        ("models", "get", ById, models.get),
        ("models", "list", ModelQuery, models.list),
        ("models", "import_begin", ImportBegin, imports.begin),
        ("models", "import_rows", ImportRows, imports.rows),
        ("models", "import_commit", ImportCommit, imports.commit),
        ("exemplars", "create", ExemplarCreate, exemplars.create),
        ("exemplars", "update", ExemplarUpdate, exemplars.update),
        ("exemplars", "get", ById, exemplars.get),
        ("exemplars", "list", ExemplarQuery, exemplars.list),
        ("organisations", "create", OrganisationCreate, organisations.create),
        ("organisations", "update", OrganisationUpdate, organisations.update),
        ("organisations", "get", ById, organisations.get),
        ("organisations", "list", OrganisationQuery, organisations.list),
        ("contests", "create", ContestCreate, contests.create),
        ("contests", "get", ById, contests.get),
        ("contests", "list", ContestQuery, contests.list),
        ("contests", "add_entry", EntryAdd, contests.add_entry),
        ("contests", "record_result", ResultRecord, contests.record_result),
        ("topics", "list", NoArguments, list_topics),
        ("pipeline", "get", PipelineQuery, pipeline.get),
    ]
    for action, request in STEP_REQUESTS.items():
        routes.append(("models", action.value, request, models.step(action)))
        routes.append(("exemplars", action.value, request, exemplars.step(action)))
    for resource, action_name, request_type, handler in routes:
        register_rpc(
            runtime.broker,
            rpc_subject("registry", resource, action_name),
            queue="registry",
            request_type=request_type,
            handler=handler,
        )
    return runtime
