"""The scope probe: every route of the gateway, every role, at two levels. A principal sees and
acts on its unit and the units below it, nothing else; the services check it again.

Targets: Hà Nội (a province: parent the nation, sibling Hồ Chí Minh City, child Phường Hồng
Hà) and Phường Hồng Hà (a commune: parent Hà Nội, sibling Phường Ba Đình, no child). Each
has one record of every kind the routes act on (`tests/scope_scene.py`); the table of probes
(`tests/scope_probes.py`) aims a request of every route at them. Only SQLite: the probe is
about who may do what, not about the database.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from danvan.bus import call
from danvan.config import Settings
from danvan.contracts.rpc import Principal, Role, ServiceError
from danvan.embedded import EmbeddedNats
from danvan.outbox import backlog
from danvan.units.model import NATION_ID
from services.gateway.app import create_app
from tests.platform_stack import PlatformStack, platform_stack
from tests.scope_probes import PROBES, RPC_PROBES, SAME_FOR_EVERYONE, Probe, RpcProbe
from tests.scope_scene import (
    COMMUNE,
    INSIDE,
    OUTSIDE,
    PROVINCE,
    ROLES,
    Relation,
    Scene,
    Target,
    build_scene,
    model_body,
)
from tests.stream_reader import stream_size
from tests.waiting import eventually

STREAMS = ("REGISTRY", "RECEPTION", "REPORTING")
REBUILD = "/api/v1/admin/reporting/rebuild"
# The gateway answers one caller's requests concurrently; a bound keeps SQLite's writers
# from queueing behind one another for longer than its busy timeout.
CONCURRENCY = 16
TARGETS = pytest.mark.parametrize("target", [PROVINCE, COMMUNE], ids=lambda t: t.name)


@pytest.fixture(scope="module")
async def shared_stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[PlatformStack]:
    """One platform for the module's probes, on SQLite: the probe is about who may do what,
    not about the database."""
    home = tmp_path_factory.mktemp("scope")
    nats = EmbeddedNats(home / "nats").start()

    async def sqlite(label: str) -> str:
        return f"sqlite+aiosqlite:///{home / label}.db"

    try:
        async with platform_stack(home, nats.url, sqlite, rate_limit="100000/minute") as running:
            yield running
    finally:
        nats.stop()


@pytest.fixture(scope="module")
async def scenes(shared_stack: PlatformStack) -> dict[str, Scene]:
    """Both targets' records, made once for the module (a scene takes seconds to make).

    Only `test_the_unit_and_its_parents_act_…` changes them: every other test here is refused
    or reads, and checks that nothing changed. That test needs each record in the state the
    scene left it in, and no test here may take a step on a scene's record."""
    built = await asyncio.gather(
        *(build_scene(shared_stack, target) for target in (PROVINCE, COMMUNE))
    )
    return {scene.target.name: scene for scene in built}


# ---- sending and judging -----------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    probe: Probe
    relation: Relation
    role: Role
    unit: str
    reply: httpx.Response

    def __str__(self) -> str:
        body = self.reply.text[:300]
        return (
            f"{self.probe} as {self.role.value} of the {self.relation.value} unit {self.unit}: "
            f"{self.reply.status_code} {body}"
        )


async def send(
    scene: Scene, probe: Probe, relation: Relation, role: Role, *, unscoped: bool = False
) -> Sent:
    request = probe.request(scene, unscoped=unscoped)
    # English messages: a refusal is recognised by what it says, whatever the default.
    request.headers.update({**scene.auth(relation, role), "Accept-Language": "en"})
    reply = await scene.stack.client.send(request)
    return Sent(probe, relation, role, scene.target.relatives[relation], reply)


async def send_all(
    scene: Scene, asks: Iterable[tuple[Probe, Relation, Role]], *, unscoped: bool = False
) -> list[Sent]:
    bound = asyncio.Semaphore(CONCURRENCY)

    async def one(probe: Probe, relation: Relation, role: Role) -> Sent:
        async with bound:
            return await send(scene, probe, relation, role, unscoped=unscoped)

    return list(await asyncio.gather(*(one(*ask) for ask in asks)))


def principals(target: Target, *relations: Relation) -> list[tuple[Relation, Role]]:
    return [(relation, role) for relation, _ in target.around(*relations) for role in ROLES]


def failures(title: str, sent: Iterable[Sent | str]) -> str:
    lines = [str(s) for s in sent]
    return f"{title} ({len(lines)}):\n" + "\n".join(lines)


# ---- nothing changed ---------------------------------------------------------------------------


async def settled(stack: PlatformStack) -> dict[str, int]:
    """The streams' sizes once every service's outbox is empty (what was written is
    published) and no rebuild is running (one a test started has moved nothing further)."""
    nation = stack.auth(NATION_ID, Role.ADMIN)

    async def drained() -> bool:
        for runtime in stack.running.values():
            async with runtime.db() as session:
                if (await backlog(session))[0]:
                    return False
        return True

    async def not_rebuilding() -> bool:
        return (await stack.client.get(REBUILD, headers=nation)).json()["running"] is False

    await eventually(drained)
    await eventually(not_rebuilding, timeout=60)
    url = stack.settings.nats_url
    return {stream: await stream_size(url, stream) for stream in STREAMS}


async def snapshot(scene: Scene) -> dict[str, Any]:
    """Everything a refused request could have changed: each record as its unit's admin reads
    it (an admin sees no personal data, so reading leaves no audit entry), each list of the
    target, the rebuild's state, and every event published."""
    client = scene.stack.client
    admin = scene.auth(Relation.SELF, Role.ADMIN)
    seen: dict[str, Any] = {"streams": await settled(scene.stack)}
    for name, path in sorted(scene.paths.items()):
        seen[name] = (await client.get(path, headers=admin)).json()
    for probe in PROBES:
        if probe.listed is not None:
            seen[str(probe)] = (await client.send(_with(probe.request(scene), admin))).json()
    nation = scene.stack.auth(NATION_ID, Role.ADMIN)
    seen["rebuild"] = (await client.get(REBUILD, headers=nation)).json()
    return seen


def _with(request: httpx.Request, headers: dict[str, str]) -> httpx.Request:
    request.headers.update(headers)
    return request


def changes(before: dict[str, Any], after: dict[str, Any]) -> str:
    moved = [key for key in before if before[key] != after.get(key)]
    return "changed: " + "; ".join(
        f"{key}: {json.dumps(before[key], ensure_ascii=False)[:300]} -> "
        f"{json.dumps(after.get(key), ensure_ascii=False)[:300]}"
        for key in moved
    )


# ---- every route has a probe -------------------------------------------------------------------


def test_every_route_of_the_gateway_is_probed_or_the_same_for_everyone() -> None:
    app = create_app(Settings(jwt_secret="scope-probe-" + "x" * 32))
    routes = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    }
    probed = [probe.key for probe in PROBES]
    assert len(probed) == len(set(probed)), "a route has two probes"
    covered = set(probed) | set(SAME_FOR_EVERYONE)
    assert not set(probed) & set(SAME_FOR_EVERYONE), "a probed route is also exempt"
    unprobed = sorted(routes - covered)
    assert not unprobed, (
        f"routes with no scope probe (add one to tests/scope_probes.py): {unprobed}"
    )
    stale = sorted(covered - routes)
    assert not stale, f"probes of routes the gateway no longer has: {stale}"


# ---- the gateway -------------------------------------------------------------------------------


@TARGETS
async def test_a_principal_outside_the_subtree_is_refused_on_every_route_and_changes_nothing(
    scenes: dict[str, Scene], target: Target
) -> None:
    scene = scenes[target.name]
    before = await snapshot(scene)
    sent = await send_all(
        scene,
        [
            (probe, relation, role)
            for probe in PROBES
            for relation, role in principals(scene.target, *OUTSIDE)
        ],
    )
    let_in = [s for s in sent if not s.probe.refused(s.reply)]
    assert not let_in, failures("outsiders not refused", let_in)
    after = await snapshot(scene)
    assert after == before, changes(before, after)


@TARGETS
async def test_the_unit_and_its_parents_act_on_every_route_their_role_allows_and_no_other(
    scenes: dict[str, Scene], target: Target
) -> None:
    scene = scenes[target.name]
    inside = principals(target, *INSIDE)
    before = await snapshot(scene)
    refused = await send_all(
        scene,
        [
            (probe, relation, role)
            for probe in PROBES
            for relation, role in inside
            if not probe.may(target, relation, role)
        ],
    )
    not_403 = [s for s in refused if s.reply.status_code != 403]
    assert not not_403, failures("a role or reach the route does not allow, not 403", not_403)
    after = await snapshot(scene)
    assert after == before, changes(before, after)

    # One after the other: the first takes the step, the next may find it taken (409).
    answers = [
        [
            await send(scene, probe, relation, role)
            for relation, role in inside
            if probe.may(target, relation, role)
        ]
        for probe in PROBES
    ]
    wrong = [s for sent in answers for s in sent if not _let_in(s)]
    assert not wrong, failures("allowed principals refused or failed", wrong)
    never_done = [
        f"{sent[0].probe}: " + "; ".join(str(s) for s in sent)
        for sent in answers
        if sent and not any(s.reply.is_success for s in sent)
    ]
    assert not never_done, failures("no allowed principal got a 2xx", never_done)


def _let_in(sent: Sent) -> bool:
    """Scope did not refuse it: done, or refused by the record's state (409) or by what the
    body says (422), never by the caller's unit."""
    reply = sent.reply
    return reply.is_success or (reply.status_code in (409, 422) and not sent.probe.refused(reply))


@TARGETS
async def test_lists_show_the_target_to_itself_and_its_parents_and_nothing_to_anyone_else(
    scenes: dict[str, Scene], target: Target
) -> None:
    scene = scenes[target.name]
    lists = [probe for probe in PROBES if probe.listed is not None]
    sent = await send_all(
        scene,
        [
            (probe, relation, role)
            for probe in lists
            for relation, role in principals(target, *INSIDE, *OUTSIDE)
            if role in probe.roles
        ],
        unscoped=True,
    )
    wrong: list[str] = []
    for s in sent:
        assert s.probe.listed is not None
        if s.reply.status_code != 200:
            wrong.append(f"{s}")
            continue
        page = s.reply.json()
        shown = {str(item[s.probe.listed.key]) for item in page["data"]}
        mine = s.probe.listed.ids(scene)
        if s.relation in OUTSIDE and shown & mine:
            wrong.append(f"{s.probe} lists {len(shown & mine)} of the target's to {s}")
        if s.relation in INSIDE and not mine <= shown:
            wrong.append(f"{s.probe} misses {sorted(mine - shown)} for {s}")
    assert not wrong, failures("lists without unit_code", wrong)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_a_commune_cannot_enter_its_own_model_in_its_citys_contest(
    stack: PlatformStack,
) -> None:
    city = stack.auth(PROVINCE.unit, Role.LEADER)
    commune = stack.auth(COMMUNE.unit, Role.LEADER)
    contest = await stack.client.post(
        "/api/v1/contests",
        json={"name": "Hội thi Dân vận khéo", "level": "province", "year": 2026, "unit_code": "01"},
        headers=city,
    )
    assert contest.status_code == 201, contest.text
    model = await stack.client.post("/api/v1/models", json=model_body(COMMUNE), headers=commune)
    assert model.status_code == 201, model.text
    entries = f"/api/v1/contests/{contest.json()['id']}/entries"
    entry = {"kind": "model", "record_id": model.json()["id"]}

    by_commune = await stack.client.post(entries, json=entry, headers=commune)
    assert by_commune.status_code == 403, by_commune.text
    by_city = await stack.client.post(entries, json=entry, headers=city)
    assert by_city.status_code == 201, by_city.text
    # Entered, the commune sees the contest its model is in.
    seen = await stack.client.get(f"/api/v1/contests/{contest.json()['id']}", headers=commune)
    assert seen.status_code == 200, seen.text
    assert [e["record_id"] for e in seen.json()["results"]] == [model.json()["id"]]


# ---- the services, asked directly --------------------------------------------------------------


@TARGETS
async def test_the_services_refuse_an_outsider_who_bypasses_the_gateway(
    scenes: dict[str, Scene], target: Target
) -> None:
    scene = scenes[target.name]
    broker = scene.stack.app.state.runtime.broker
    timeout = scene.stack.settings.rpc_timeout
    before = await snapshot(scene)

    async def ask(probe: RpcProbe, unit: str) -> str | None:
        # Every role: only the unit's scope stands between the caller and the record.
        principal = Principal(sub=f"probe-{unit}", unit=unit, roles=tuple(Role))
        try:
            answer = await call(
                broker, probe.subject, principal, probe.data(scene), timeout=timeout
            )
        except ServiceError as error:
            if probe.refused(error):
                return None
            return f"{probe.subject} for {unit}: {error.code.value} {error.message.en}"
        return f"{probe.subject} for {unit} answered {json.dumps(answer)[:300]}"

    answers = await asyncio.gather(
        *(ask(probe, unit) for probe in RPC_PROBES for _, unit in scene.target.around(*OUTSIDE))
    )
    let_in = [answer for answer in answers if answer is not None]
    assert not let_in, failures("services not refusing outsiders", let_in)
    after = await snapshot(scene)
    assert after == before, changes(before, after)
