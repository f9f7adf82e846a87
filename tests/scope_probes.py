"""The scope probe's table: for every route of the gateway, how to aim a request at a target
unit's records and who may send it; and the routes that are the same for everyone, with why.

A new route needs its probe here (or a reason in `SAME_FOR_EVERYONE`), or the coverage test
fails. Most probes are one call to `read`, `write`, `listing` or `unit_view`; `aim` gets the
scene (the target's records by name) and returns the request's path parameters, query and
body (see the unit directory's probes at the end for a list aimed otherwise).
A query parameter such as `format` does not make a new route: the route's probe covers it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import httpx

from danvan.contracts.reception import PETITION_ACTION_ROLES, PetitionAction
from danvan.contracts.registry import ACTION_ROLES, Action
from danvan.contracts.reports import REPORT_ACTION_ROLES, ReportAction
from danvan.contracts.rpc import DECIDERS, WRITERS, ErrorCode, Role, ServiceError
from danvan.units.model import NATION_ID
from tests.scope_scene import (
    PETITION_STEP_BODIES,
    PETITION_STEPS,
    RECORD_STEPS,
    REPORT_PERIODS,
    Relation,
    Scene,
    Target,
    contest_body,
    dialogue_body,
    exemplar_body,
    model_body,
    organisation_body,
    petition_body,
    record_step_body,
    report_body,
    visit_body,
)

EVERYONE = tuple(Role)
# What names the subtree a list shows: `unit_code`, or the unit directory's `parent`.
SUBTREE_PARAMS = frozenset({"unit_code", "parent"})
ADMINS = (Role.ADMIN,)

#: Routes that answer the same whatever the caller's unit, and why.
SAME_FOR_EVERYONE: dict[tuple[str, str], str] = {
    ("GET", "/healthz"): "liveness: no data",
    ("GET", "/readyz"): "readiness: whether NATS and the services answer, no data",
    ("GET", "/asyncapi.json"): "the events' schemas, public for outside subscribers",
    ("GET", "/asyncapi"): "the page that shows the AsyncAPI document",
    ("GET", "/api/v1/indicators"): "the indicator catalog, the same for every unit",
    ("GET", "/api/v1/topics"): "the topics a model can be tagged with, the same for every unit",
}


class Reach(StrEnum):
    """Which principals in scope a route lets act, given the role."""

    SUBTREE = "the unit and the units above it"
    REVIEWER = "the units above it only: a unit does not review its own report"
    NATION = "the nation's principals only: the route acts on every unit at once"


@dataclass(frozen=True)
class Aim:
    """A request aimed at the target: the route's path parameters, the query and the body."""

    path: Mapping[str, str] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)
    json: Any = None
    files: Mapping[str, tuple[str, bytes, str]] | None = None


@dataclass(frozen=True)
class Listed:
    """What a list route must show of the target's records to the target and its parents,
    and never to anyone else: `ids` of the scene, read from each item's `key`."""

    ids: Callable[[Scene], set[str]]
    key: str = "id"


def collection(route: str) -> Listed:
    """Every record of the target read under the list's own route."""
    return Listed(lambda scene: scene.in_collection(route))


def forbidden_or_hidden(reply: httpx.Response) -> bool:
    return reply.status_code in (403, 404)


def refused_by_row(reply: httpx.Response) -> bool:
    """Bulk entries check every row and name each bad one: a row of a unit outside the
    caller's is a 422 naming that row (or a 403, for a role that may not enter at all)."""
    if forbidden_or_hidden(reply):
        return True
    if reply.status_code != 422:
        return False
    details = reply.json()["error"]["details"]
    return any(d["row"] is not None and "outside" in d["reason"] for d in details)


@dataclass(frozen=True)
class Probe:
    method: str
    route: str
    roles: tuple[Role, ...]
    aim: Callable[[Scene], Aim]
    reach: Reach = Reach.SUBTREE
    refused: Callable[[httpx.Response], bool] = forbidden_or_hidden
    listed: Listed | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.route)

    def may(self, target: Target, relation: Relation, role: Role) -> bool:
        """Whether a principal of that role, in that relation to the target, may act."""
        if role not in self.roles:
            return False
        if self.reach is Reach.NATION:
            return target.relatives[relation] == NATION_ID
        if self.reach is Reach.REVIEWER:
            return relation is Relation.PARENT
        return relation in (Relation.SELF, Relation.PARENT)

    def request(self, scene: Scene, *, unscoped: bool = False) -> httpx.Request:
        """The request aimed at the scene's target; `unscoped` drops the parameter that names
        the subtree (`unit_code`, or the unit directory's `parent`), so a list shows the
        caller's own subtree."""
        aim = self.aim(scene)
        params = {k: v for k, v in aim.params.items() if not (unscoped and k in SUBTREE_PARAMS)}
        return httpx.Request(
            self.method,
            "http://gateway" + self.route.format(**aim.path),
            params=params,
            json=aim.json,
            files=aim.files,
        )

    def __str__(self) -> str:
        return f"{self.method} {self.route}"


# ---- builders ----------------------------------------------------------------------------------


def read(route: str, aim: Callable[[Scene], Aim], roles: Sequence[Role] = EVERYONE) -> Probe:
    return Probe("GET", route, tuple(roles), aim)


def write(
    method: str,
    route: str,
    roles: Sequence[Role],
    aim: Callable[[Scene], Aim],
    *,
    reach: Reach = Reach.SUBTREE,
    refused: Callable[[httpx.Response], bool] = forbidden_or_hidden,
) -> Probe:
    return Probe(method, route, tuple(roles), aim, reach=reach, refused=refused)


def listing(route: str, listed: Listed | None = None, roles: Sequence[Role] = EVERYONE) -> Probe:
    """A list of a unit's subtree, aimed at the target with `unit_code`; by default it must
    show every record of the target read under the same route."""

    def aim(scene: Scene) -> Aim:
        return Aim(params={"unit_code": scene.target.unit, "limit": 200})

    return Probe("GET", route, tuple(roles), aim, listed=listed or collection(route))


def by_id(parameter: str, name: str, json: Any = None) -> Callable[[Scene], Aim]:
    """Aimed at the target's record `name`, named `parameter` in the path."""
    return lambda scene: Aim(path={parameter: scene[name]}, json=json)


def unit_view(suffix: str, more_path: Mapping[str, str] | None = None, **params: Any) -> Probe:
    """`GET /api/v1/units/{code}/…`: a view of the target unit, for every role."""
    return read(
        "/api/v1/units/{code}" + suffix,
        lambda scene: Aim(path={"code": scene.target.unit, **(more_path or {})}, params=params),
    )


def csv_file(name: str, header: str, row: str) -> Mapping[str, tuple[str, bytes, str]]:
    return {"file": (name, f"{header}\n{row}\n".encode(), "text/csv")}


# ---- the registry ------------------------------------------------------------------------------

REGISTRY_CHANGES = {
    "models": {"changes": {"target_group": "Hộ kinh doanh"}},
    "exemplars": {"changes": {"achievement": "Vận động 50 hộ hiến đất"}},
}


def registry_records(resource: str, body: Callable[[Target], Any]) -> list[Probe]:
    records = f"/api/v1/{resource}"
    one = records + "/{record_id}"
    probes = [
        write("POST", records, WRITERS, lambda scene: Aim(json=body(scene.target))),
        listing(records),
        read(one, by_id("record_id", resource)),
        write("PATCH", one, WRITERS, by_id("record_id", resource, REGISTRY_CHANGES[resource])),
    ]
    for step in RECORD_STEPS:
        action = Action(step.replace("-", "_"))

        def aim(scene: Scene, step: str = step) -> Aim:
            return Aim(
                path={"record_id": scene[f"{resource}.{step}"]},
                json=record_step_body(scene.target, step),
            )

        probes.append(write("POST", f"{one}/{step}", ACTION_ROLES[action], aim))
    return probes


def models_import(scene: Scene) -> Aim:
    row = f"Mô hình nhập từ tệp,economy,{scene.target.unit}"
    return Aim(files=csv_file("mo-hinh.csv", "name,field,unit_code", row))


REGISTRY = [
    *registry_records("models", model_body),
    *registry_records("exemplars", exemplar_body),
    write("POST", "/api/v1/models/import", WRITERS, models_import, refused=refused_by_row),
    write(
        "POST",
        "/api/v1/organisations",
        ADMINS,
        lambda scene: Aim(json=organisation_body(scene.target)),
    ),
    listing("/api/v1/organisations"),
    read("/api/v1/organisations/{organisation_id}", by_id("organisation_id", "organisation")),
    write(
        "PATCH",
        "/api/v1/organisations/{organisation_id}",
        ADMINS,
        by_id("organisation_id", "organisation", {"name": "Hội Nông dân phường"}),
    ),
    write("POST", "/api/v1/contests", DECIDERS, lambda scene: Aim(json=contest_body(scene.target))),
    listing("/api/v1/contests"),
    read("/api/v1/contests/{contest_id}", by_id("contest_id", "contest")),
    write(
        "POST",
        "/api/v1/contests/{contest_id}/entries",
        WRITERS,
        lambda scene: Aim(
            path={"contest_id": scene["contest"]},
            json={"kind": "model", "record_id": scene["models.entrant"]},
        ),
    ),
    write(
        "PUT",
        "/api/v1/contests/{contest_id}/entries/{entry_id}/result",
        DECIDERS,
        lambda scene: Aim(
            path={"contest_id": scene["contest"], "entry_id": scene["contest.entry"]},
            json={"prize": "first", "score": 95},
        ),
    ),
]

# ---- reception ---------------------------------------------------------------------------------


def petition_steps() -> list[Probe]:
    probes = []
    for step in PETITION_STEPS:
        action = PetitionAction(step)
        route = f"/api/v1/petitions/{{petition_id}}/{step}"
        aim = by_id("petition_id", f"petition.{step}", PETITION_STEP_BODIES[step])
        probes.append(write("POST", route, PETITION_ACTION_ROLES[action], aim))
    return probes


RECEPTION = [
    write("POST", "/api/v1/visits", WRITERS, lambda scene: Aim(json=visit_body(scene.target))),
    listing("/api/v1/visits"),
    read("/api/v1/visits/{visit_id}", by_id("visit_id", "visit")),
    write(
        "POST",
        "/api/v1/visits/{visit_id}/reply",
        WRITERS,
        by_id("visit_id", "visit", {"summary": "Đã trả lời bằng văn bản"}),
    ),
    write(
        "POST", "/api/v1/petitions", WRITERS, lambda scene: Aim(json=petition_body(scene.target))
    ),
    listing("/api/v1/petitions"),
    read("/api/v1/petitions/{petition_id}", by_id("petition_id", "petition")),
    *petition_steps(),
    write(
        "POST", "/api/v1/dialogues", WRITERS, lambda scene: Aim(json=dialogue_body(scene.target))
    ),
    listing("/api/v1/dialogues"),
    read("/api/v1/dialogues/{dialogue_id}", by_id("dialogue_id", "dialogue")),
    write(
        "PUT",
        "/api/v1/dialogues/{dialogue_id}/follow-ups/{follow_up_id}",
        WRITERS,
        lambda scene: Aim(
            path={"dialogue_id": scene["dialogue"], "follow_up_id": scene["dialogue.follow_up"]},
            json={"status": "done"},
        ),
    ),
    unit_view("/reception-digest"),
    unit_view("/reception-schedule", period="202611"),
    # An officer of the target read its petition's personal data when the scene was made.
    listing(
        "/api/v1/audit/personal-data",
        Listed(lambda scene: {scene["petition"]}, key="record_id"),
        ADMINS,
    ),
    write("POST", "/api/v1/admin/deadline-check", ADMINS, lambda _: Aim(), reach=Reach.NATION),
]

# ---- reporting ---------------------------------------------------------------------------------


def figure_entries(scene: Scene) -> Aim:
    entry = {
        "unit_code": scene.target.unit,
        "period": "202610",
        "indicator": "supervision.sessions",
        "value": 3,
    }
    return Aim(json={"entries": [entry]})


def figures_import(scene: Scene) -> Aim:
    row = f"{scene.target.unit},202609,supervision.sessions,2"
    return Aim(files=csv_file("so-lieu.csv", "Mã đơn vị,Kỳ,Chỉ tiêu,Số liệu", row))


REPORTING = [
    write(
        "POST",
        "/api/v1/reports",
        REPORT_ACTION_ROLES[ReportAction.SUBMIT],
        lambda scene: Aim(json=report_body(scene.target, REPORT_PERIODS["submit"])),
    ),
    listing("/api/v1/reports"),
    read("/api/v1/reports/{report_id}", by_id("report_id", "report.return")),
    write(
        "POST",
        "/api/v1/reports/{report_id}/return",
        REPORT_ACTION_ROLES[ReportAction.RETURN],
        by_id("report_id", "report.return", {"comment": "Bổ sung kết quả giám sát."}),
        reach=Reach.REVIEWER,
    ),
    write(
        "POST",
        "/api/v1/reports/{report_id}/approve",
        REPORT_ACTION_ROLES[ReportAction.APPROVE],
        by_id("report_id", "report.approve", {}),
        reach=Reach.REVIEWER,
    ),
    unit_view("/completeness", period="2026Q3"),
    unit_view("/concerns", period="202610"),
    unit_view("/dashboard", period="2026"),
    unit_view("/figures", period="2026"),
    unit_view("/report.{fmt}", {"fmt": "xlsx"}, period="2026Q3"),
    write("POST", "/api/v1/figures", WRITERS, figure_entries, refused=refused_by_row),
    write("POST", "/api/v1/figures/import", WRITERS, figures_import, refused=refused_by_row),
    write("POST", "/api/v1/admin/reporting/rebuild", ADMINS, lambda _: Aim(), reach=Reach.NATION),
    Probe("GET", "/api/v1/admin/reporting/rebuild", ADMINS, lambda _: Aim(), reach=Reach.NATION),
]

# ---- the unit directory -------------------------------------------------------------------------

# How the directory's search finds each target by name.
TARGET_NAMES = {"01": "Hà Nội", "00097": "Hồng Hà"}


def units_search(scene: Scene) -> Aim:
    """The target's children named like it (aimed with `parent`: outsiders are refused); with
    `parent` dropped, a search for the target's name in the caller's own scope."""
    name = TARGET_NAMES[scene.target.unit]
    return Aim(params={"parent": scene.target.unit, "q": name, "limit": 200})


UNITS: list[Probe] = [
    unit_view(""),
    Probe(
        "GET",
        "/api/v1/units",
        EVERYONE,
        units_search,
        listed=Listed(lambda scene: {scene.target.unit}, key="code"),
    ),
]

PROBES: list[Probe] = [*REGISTRY, *RECEPTION, *REPORTING, *UNITS]


# ---- the services, asked directly --------------------------------------------------------------


def refused_by_service(error: ServiceError) -> bool:
    return error.code in (ErrorCode.FORBIDDEN, ErrorCode.NOT_FOUND)


def refused_row_by_service(error: ServiceError) -> bool:
    return refused_by_service(error) or (
        error.code is ErrorCode.VALIDATION
        and any(d.field == "unit_code" and "outside" in d.reason.en for d in error.details)
    )


@dataclass(frozen=True)
class RpcProbe:
    """A request straight to a service over NATS, aimed at the target, bypassing the gateway."""

    subject: str
    data: Callable[[Scene], dict[str, Any]]
    refused: Callable[[ServiceError], bool] = refused_by_service


def on(name: str, **more: Any) -> Callable[[Scene], dict[str, Any]]:
    """The target's record `name` as `id`, with more fields."""
    return lambda scene: {"id": scene[name], **more}


def of_unit(**more: Any) -> Callable[[Scene], dict[str, Any]]:
    """The target's unit as `unit_code`, with more fields."""
    return lambda scene: {"unit_code": scene.target.unit, **more}


def body_of(make: Callable[[Target], Any]) -> Callable[[Scene], dict[str, Any]]:
    return lambda scene: dict(make(scene.target))


RPC_PROBES: list[RpcProbe] = [
    RpcProbe("rpc.registry.models.create", body_of(model_body)),
    RpcProbe("rpc.registry.models.get", on("models")),
    RpcProbe("rpc.registry.models.update", on("models", **REGISTRY_CHANGES["models"])),
    RpcProbe("rpc.registry.models.start", on("models.start")),
    RpcProbe("rpc.registry.models.list", of_unit()),
    RpcProbe("rpc.registry.exemplars.get", on("exemplars")),
    RpcProbe("rpc.registry.exemplars.withdraw", on("exemplars.withdraw", reason="Trùng")),
    RpcProbe("rpc.registry.organisations.create", body_of(organisation_body)),
    RpcProbe("rpc.registry.organisations.get", on("organisation")),
    RpcProbe("rpc.registry.organisations.update", on("organisation", active=False)),
    RpcProbe("rpc.registry.organisations.list", of_unit()),
    RpcProbe("rpc.registry.contests.create", body_of(contest_body)),
    RpcProbe("rpc.registry.contests.get", on("contest")),
    RpcProbe("rpc.registry.contests.list", of_unit()),
    RpcProbe(
        "rpc.registry.contests.add_entry",
        lambda scene: {
            "contest_id": scene["contest"],
            "kind": "model",
            "record_id": scene["models.entrant"],
        },
    ),
    RpcProbe(
        "rpc.registry.contests.record_result",
        lambda scene: {
            "contest_id": scene["contest"],
            "entry_id": scene["contest.entry"],
            "prize": "first",
        },
    ),
    RpcProbe("rpc.registry.pipeline.get", of_unit()),
    RpcProbe("rpc.reception.visits.create", body_of(visit_body)),
    RpcProbe("rpc.reception.visits.get", on("visit")),
    RpcProbe("rpc.reception.visits.list", of_unit()),
    RpcProbe("rpc.reception.visits.reply", on("visit", summary="Đã trả lời")),
    RpcProbe("rpc.reception.schedule.get", of_unit(period="202611")),
    RpcProbe("rpc.reception.petitions.create", body_of(petition_body)),
    RpcProbe("rpc.reception.petitions.get", on("petition")),
    RpcProbe("rpc.reception.petitions.list", of_unit()),
    RpcProbe("rpc.reception.petitions.classify", on("petition.classify")),
    RpcProbe(
        "rpc.reception.petitions.conclude",
        on("petition.conclude", conclusion="upheld", decision_number="1/QĐ"),
    ),
    RpcProbe("rpc.reception.dialogues.create", body_of(dialogue_body)),
    RpcProbe("rpc.reception.dialogues.get", on("dialogue")),
    RpcProbe("rpc.reception.dialogues.list", of_unit()),
    RpcProbe(
        "rpc.reception.dialogues.follow_up",
        lambda scene: {
            "dialogue_id": scene["dialogue"],
            "follow_up_id": scene["dialogue.follow_up"],
            "status": "dropped",
        },
    ),
    RpcProbe("rpc.reception.digest.get", of_unit()),
    RpcProbe("rpc.reception.deadlines.summary", of_unit()),
    RpcProbe("rpc.reception.audit.list", of_unit()),
    RpcProbe("rpc.reception.deadlines.check", lambda _: {}),
    RpcProbe(
        "rpc.reporting.reports.submit",
        lambda scene: dict(report_body(scene.target, REPORT_PERIODS["submit"])),
    ),
    RpcProbe("rpc.reporting.reports.get", on("report.return")),
    RpcProbe("rpc.reporting.reports.list", of_unit()),
    RpcProbe("rpc.reporting.reports.return", on("report.return", comment="Bổ sung.")),
    RpcProbe("rpc.reporting.reports.approve", on("report.approve")),
    RpcProbe("rpc.reporting.reports.completeness", of_unit(period="2026Q3")),
    RpcProbe("rpc.reporting.reports.concerns", of_unit(period="202610")),
    RpcProbe("rpc.reporting.figures.get", of_unit(period="2026")),
    RpcProbe("rpc.reporting.exports.get", of_unit(period="2026Q3", format="xlsx")),
    RpcProbe(
        "rpc.reporting.figures.enter",
        lambda scene: dict(figure_entries(scene).json),
        refused=refused_row_by_service,
    ),
    RpcProbe("rpc.reporting.rebuild.start", lambda _: {}),
    RpcProbe("rpc.reporting.rebuild.status", lambda _: {}),
]
