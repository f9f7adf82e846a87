"""Wiring of the reception service: every rpc subject, and the scheduled deadline check."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel, create_model

from danvan.bus import register_rpc, rpc_subject
from danvan.clock import Clock, SystemClock
from danvan.config import Settings
from danvan.contracts.reception import (
    PETITION_STEP_BODIES,
    AuditQuery,
    DialogueCreate,
    DialogueQuery,
    DigestQuery,
    FollowUpUpdate,
    PetitionCreate,
    PetitionQuery,
    ScheduleQuery,
    VisitCreate,
    VisitQuery,
    VisitReply,
)
from danvan.contracts.registry import ById, NoArguments
from danvan.contracts.rpc import Principal
from danvan.service import ServiceRuntime
from danvan.units import UnitTree
from services.reception.checks import Checks
from services.reception.context import ReceptionContext
from services.reception.deadlines import DeadlineSettings
from services.reception.dialogues import DialogueHandlers
from services.reception.petitions import PetitionHandlers
from services.reception.visits import VisitHandlers

Handler = Callable[[Principal, Any], Awaitable[Any]]


def step_request(body: type[BaseModel]) -> type[BaseModel]:
    """A step's body and the petition it moves."""

    return create_model(f"{body.__name__}Request", __base__=body, id=(uuid.UUID, ...))


def build(
    settings: Settings,
    *,
    nats_url: str | None = None,
    clock: Clock | None = None,
    units: UnitTree | None = None,
    check_interval: float | None = None,
) -> ServiceRuntime:
    runtime = ServiceRuntime.create("reception", settings, nats_url=nats_url)
    clock = clock or SystemClock()
    context = ReceptionContext(
        runtime=runtime,
        units=runtime.units_in_force(clock, units),
        clock=clock,
        deadlines=DeadlineSettings(
            acceptance_working_days_from_2026_07_01=settings.reception_acceptance_working_days,
            unhandled_petition_days=settings.reception_unhandled_petition_days,
        ),
        crowd_threshold=settings.reception_crowd_threshold,
        nearly_due_days=settings.reception_nearly_due_days,
    )
    visits = VisitHandlers(context)
    petitions = PetitionHandlers(context)
    dialogues = DialogueHandlers(context)
    checks = Checks(context, settings.reception_retention_days)
    routes: list[tuple[str, str, type[BaseModel], Handler]] = [
        ("visits", "create", VisitCreate, visits.create),
        ("visits", "list", VisitQuery, visits.list),
        ("visits", "get", ById, visits.get),
        ("visits", "reply", VisitReply, visits.reply),
        ("schedule", "get", ScheduleQuery, visits.schedule),
        ("petitions", "create", PetitionCreate, petitions.create),
        ("petitions", "list", PetitionQuery, petitions.list),
        ("petitions", "get", ById, petitions.get),
        ("dialogues", "create", DialogueCreate, dialogues.create),
        ("dialogues", "list", DialogueQuery, dialogues.list),
        ("dialogues", "get", ById, dialogues.get),
        ("dialogues", "follow_up", FollowUpUpdate, dialogues.follow_up),
        ("digest", "get", DigestQuery, checks.digest),
        ("deadlines", "summary", DigestQuery, checks.deadlines),
        ("audit", "list", AuditQuery, checks.audit_trail),
        ("deadlines", "check", NoArguments, checks.run_by_request),
    ]
    for action, body in PETITION_STEP_BODIES.items():
        routes.append(("petitions", action.value, step_request(body), petitions.step(action)))
    for resource, action_name, request_type, handler in routes:
        register_rpc(
            runtime.broker,
            rpc_subject("reception", resource, action_name),
            queue="reception",
            request_type=request_type,
            handler=handler,
        )
    runtime.every(
        "reception-deadline-check",
        check_interval or settings.reception_check_interval,
        checks.run,
    )
    return runtime
