"""The first slice end to end: a portal's HTTP request → gateway → registry (outbox) →
JetStream → reporting (inbox) → the per-level dashboards, with the four services running as
processes under `danvan run`, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import create_engine, text

from danvan.contracts.rpc import Role
from tests.e2e.platform import RunningPlatform, start_platform
from tests.servers import PostgresDatabases, require_postgres
from tests.stream_reader import read_stream
from tests.waiting import eventually


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
async def platform(
    request: pytest.FixtureRequest,
    postgres: PostgresDatabases | None,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[RunningPlatform]:
    urls: dict[str, str] = {}
    if request.param == "postgresql":
        server = require_postgres(postgres)
        urls = {s: await server.create(s) for s in ("registry", "reception", "reporting")}
    running = start_platform(tmp_path_factory.mktemp(f"platform-{request.param}"), urls)
    yield running
    assert running.stop() == 0, running.log()


def models_stored_at(platform: RunningPlatform, unit_code: str) -> int:
    """Reads the registry's own table, to prove a refused write stored nothing."""
    url = platform.database_urls.get("registry")
    if url is None:
        engine = create_engine(f"sqlite:///{platform.home / 'registry.db'}")
        with engine.connect() as connection:
            count = connection.execute(
                text("SELECT count(*) FROM models WHERE unit_id = :u"), {"u": unit_code}
            ).scalar_one()
        engine.dispose()
        return int(count)

    async def count_pg() -> int:
        dsn = url.replace("postgresql+asyncpg", "postgresql")
        connection = await asyncpg.connect(dsn)
        try:
            return int(
                await connection.fetchval(
                    "SELECT count(*) FROM models WHERE unit_id = $1", unit_code
                )
            )
        finally:
            await connection.close()

    return asyncio.run(count_pg())


def register(client: httpx.Client, **overrides: Any) -> httpx.Response:
    body = {
        "name": "Cổng trường an toàn văn minh",
        "field": "culture_society",
        "unit_code": "00097",
        "registered_on": "2026-03-02",
    }
    body.update(overrides)
    return client.post("/api/v1/models", json={k: v for k, v in body.items() if v is not None})


def figure(view: dict[str, Any], indicator: str = "models.registered") -> int:
    return int(next(f["amount"] for f in view["figures"] if f["indicator"] == indicator))


def child_figure(view: dict[str, Any], code: str) -> int:
    row = next(row for row in view["children"] if row["unit_code"] == code)
    return int(row["figures"]["models.registered"]["amount"])


def dashboard(client: httpx.Client, code: str, **params: str) -> dict[str, Any]:
    reply = client.get(f"/api/v1/units/{code}/dashboard", params={"period": "2026", **params})
    assert reply.status_code == 200, reply.text
    result: dict[str, Any] = reply.json()
    return result


def wait_for(client: httpx.Client, code: str, expected: int, **params: str) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while True:
        view = dashboard(client, code, **params)
        if figure(view) == expected or time.monotonic() > deadline:
            return view
        time.sleep(0.05)


def test_model_registered_at_a_commune_counts_at_the_commune_province_and_nation(
    platform: RunningPlatform,
) -> None:
    # Phường Ba Đình (00004) of Hà Nội; only this test writes there.
    officer = platform.client("00004", Role.OFFICER)
    national = platform.client("VN", Role.VIEWER)
    before_city = figure(dashboard(national, "01"))
    before_nation = figure(dashboard(national, "VN"))

    reply = register(officer, unit_code="00004", field="economy")
    assert reply.status_code == 201, reply.text
    assert reply.json()["unit_code"] == "00004"

    commune = wait_for(officer, "00004", 1)
    assert figure(commune) == 1
    fields = commune["figures"][0]["breakdown"]
    assert {b["value"]: b["amount"] for b in fields if b["dimension"] == "field"}["economy"] == 1
    assert [parent["code"] for parent in commune["parents"]] == ["VN", "01"]

    city = wait_for(national, "01", before_city + 1)
    assert figure(city) == before_city + 1
    assert child_figure(city, "00004") == 1
    nation = wait_for(national, "VN", before_nation + 1)
    assert figure(nation) == before_nation + 1
    assert child_figure(nation, "01") == before_city + 1


def test_the_model_counts_in_the_period_of_its_registration_date(
    platform: RunningPlatform,
) -> None:
    officer = platform.client("00008", Role.OFFICER)  # Phường Ngọc Hà
    assert register(officer, unit_code="00008", registered_on="2026-07-15").status_code == 201
    assert figure(wait_for(officer, "00008", 1, period="2026Q3")) == 1
    assert figure(dashboard(officer, "00008", period="2026Q2")) == 0
    # By the Decree 09 cut-off, 15 July belongs to the August report.
    assert figure(dashboard(officer, "00008", period="202608", basis="cutoff")) == 1
    assert figure(dashboard(officer, "00008", period="202607", basis="cutoff")) == 0


def test_a_fact_recorded_against_a_former_commune_counts_in_its_successor(
    platform: RunningPlatform,
) -> None:
    # Phường Phúc Xá (old-00001, of the former Ba Đình district) went wholly into Hồng Hà.
    leader = platform.client("01", Role.LEADER)
    reply = register(leader, unit_code="old-00001", registered_on="2024-05-02")
    assert reply.status_code == 201, reply.text
    current = wait_for(leader, "00097", 1, period="2024")
    assert figure(current) == 1
    historical = wait_for(leader, "old-00001", 1, period="2024", boundaries="historical")
    assert figure(historical) == 1
    district = dashboard(leader, "old-001", period="2024", boundaries="historical")
    assert figure(district) >= 1
    assert child_figure(district, "old-00001") == 1


def test_a_principal_outside_the_units_subtree_is_refused(platform: RunningPlatform) -> None:
    saigon = platform.client("79", Role.OFFICER)
    assert register(saigon, unit_code="00097").status_code == 403
    commune = platform.client("00004", Role.LEADER)
    assert commune.get("/api/v1/units/01/dashboard", params={"period": "2026"}).status_code == 403
    sibling = platform.client("00008", Role.LEADER)
    reply = sibling.get("/api/v1/units/00004/dashboard", params={"period": "2026"})
    assert reply.status_code == 403
    assert reply.json()["error"]["code"] == "forbidden"
    viewer = platform.client("01", Role.VIEWER)
    assert register(viewer, unit_code="00097").status_code == 403
    # No test registers a model at 00097 itself (the successor test records old-00001).
    assert models_stored_at(platform, "00097") == 0


def test_bad_input_gets_422_naming_the_field_and_stores_nothing(
    platform: RunningPlatform,
) -> None:
    officer = platform.client("01", Role.OFFICER)
    reply = register(officer, unit_code="00166", name="   ", field="agriculture")
    assert reply.status_code == 422
    fields = {detail["field"] for detail in reply.json()["error"]["details"]}
    assert fields == {"name", "field"}
    assert register(officer, unit_code="99999").status_code == 422
    assert register(officer, unit_code="00166", registered_on="2026-02-30").status_code == 422
    assert models_stored_at(platform, "00166") == 0


def test_a_bad_period_or_basis_gets_422_naming_the_parameter(platform: RunningPlatform) -> None:
    viewer = platform.client("01", Role.VIEWER)
    for params, field in (
        ({"period": "2026Q5"}, "period"),
        ({"period": "2026", "basis": "x"}, "basis"),
    ):
        reply = viewer.get("/api/v1/units/01/dashboard", params=params)
        assert reply.status_code == 422, reply.text
        assert [d["field"] for d in reply.json()["error"]["details"]] == [field]
    unknown = viewer.get("/api/v1/units/nowhere/dashboard", params={"period": "2026"})
    assert unknown.status_code == 404


def test_a_unit_not_in_force_on_the_date_gets_422_naming_the_unit_to_use(
    platform: RunningPlatform,
) -> None:
    officer = platform.client("01", Role.OFFICER)
    too_early = register(officer, unit_code="00097", registered_on="2024-03-02")
    assert too_early.status_code == 422
    (detail,) = too_early.json()["error"]["details"]
    assert detail["field"] == "unit_code"
    assert "old-00001" in detail["hint"]
    too_late = register(officer, unit_code="old-00097", registered_on="2026-03-02")
    assert too_late.status_code == 422
    assert "use 00097" in too_late.json()["error"]["details"][0]["hint"]


def test_requests_without_a_valid_token_get_401(platform: RunningPlatform) -> None:
    anonymous = httpx.Client(base_url=platform.base_url)
    assert register(anonymous).status_code == 401
    forged = httpx.Client(
        base_url=platform.base_url, headers={"Authorization": "Bearer not-a-token"}
    )
    reply = forged.get("/api/v1/units/01/dashboard", params={"period": "2026"})
    assert reply.status_code == 401
    assert reply.json()["error"]["code"] == "unauthenticated"


def test_readyz_reports_every_service(platform: RunningPlatform) -> None:
    reply = httpx.get(f"{platform.base_url}/readyz")
    assert reply.status_code == 200
    assert reply.json()["checks"] == {
        "nats": "ok",
        "registry": "ok",
        "reception": "ok",
        "reporting": "ok",
    }


async def test_a_model_is_registered_recognised_found_and_followed_by_an_outside_subscriber(
    platform: RunningPlatform,
) -> None:
    """The registry issue's journey through the gateway alone: a commune officer registers, a
    leader above appraises, evaluates and recognises with an award, anyone in scope finds it
    without diacritics, and an outside subscriber reads every step from JetStream."""
    officer = platform.client("00097", Role.OFFICER)
    leader = platform.client("01", Role.LEADER)
    reply = officer.post(
        "/api/v1/models",
        json={
            "name": "Dân vận khéo trong giải phóng mặt bằng đường vành đai",
            "field": "economy",
            "topics": ["land_clearance"],
            "unit_code": "00097",
        },
    )
    assert reply.status_code == 201, reply.text
    model_id = reply.json()["id"]
    for action, body in [
        ("start", None),
        ("appraise", {"appraiser": "Ban Dân vận Thành ủy", "findings": "Hiệu quả", "score": 90}),
        ("evaluate", {"proposed": True}),
        (
            "recognise",
            {
                "level": "province",
                "decision_number": "15/QĐ-BDV",
                "awards": [
                    {
                        "kind": "certificate_of_merit",
                        "title": "Bằng khen của Ban Thường vụ Thành ủy",
                        "recipient_kind": "collective",
                        "recipient_name": "Đảng ủy phường Hồng Hà",
                        "granting_body": "Ban Thường vụ Thành ủy Hà Nội",
                    }
                ],
            },
        ),
    ]:
        client = officer if action == "start" else leader
        step = client.post(f"/api/v1/models/{model_id}/{action}", json=body)
        assert step.status_code == 200, step.text

    found = platform.client("00097", Role.VIEWER).get(
        "/api/v1/models", params={"q": "giai phong mat bang", "recognised": "true"}
    )
    assert [m["id"] for m in found.json()["data"]] == [model_id]
    outsider = platform.client("79", Role.LEADER).get(f"/api/v1/models/{model_id}")
    assert outsider.status_code == 403

    nats_url = (platform.home / "nats.url").read_text()
    verbs = ["registered", "started", "appraised", "evaluated", "recognised"]

    async def journey_published() -> bool:
        mine = [
            r for r in await read_stream(nats_url, "REGISTRY") if r.event["subject"] == model_id
        ]
        return [r.subject for r in mine] == [f"evt.registry.model.{v}.01" for v in verbs]

    await eventually(journey_published)
    channels = platform.client("VN", Role.VIEWER).get("/asyncapi.json").json()["channels"]
    assert {f"evt.registry.model.{verb}" for verb in verbs} <= set(channels)


async def test_a_crowd_complaint_is_received_accepted_and_kept_from_another_commune(
    platform: RunningPlatform,
) -> None:
    """The reception issue's journey under `danvan run`: a crowd delegation's visit, its
    complaint accepted with a legal deadline, hidden from a leader of another commune, and
    every step on JetStream without the petitioner's identity."""
    officer = platform.client("00097", Role.OFFICER)
    leader = platform.client("00097", Role.LEADER)
    hoa = {"name": "Lê Thị Hoa", "id_number": "001190054321"}
    visit = officer.post(
        "/api/v1/visits",
        json={
            "unit_code": "00097",
            "mode": "ad_hoc",
            "receiver_name": "Trần Văn Bình",
            "receiver_role": "head",
            "headcount": 15,
            "visitors": [hoa],
            "representatives": [hoa],
            "matter": "Ô nhiễm tiếng ồn từ xưởng gỗ",
            "new_case": True,
        },
    )
    assert visit.status_code == 201, visit.text
    assert visit.json()["crowd"] is True
    petition = officer.post(
        "/api/v1/petitions",
        json={
            "unit_code": "00097",
            "source": "in_person",
            "petition_class": "complaint",
            "sector": "administration",
            "petitioner": {**hoa, "kind": "crowd"},
            "summary": "Khiếu nại việc cấp phép xưởng gỗ",
            "case_id": visit.json()["case_id"],
            "visit_id": visit.json()["id"],
        },
    )
    assert petition.status_code == 201, petition.text
    pid = petition.json()["id"]
    assert officer.post(f"/api/v1/petitions/{pid}/classify").status_code == 200
    accepted = leader.post(f"/api/v1/petitions/{pid}/accept", json={})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["next_due_on"] is not None
    other = platform.client("00004", Role.LEADER)
    assert other.get(f"/api/v1/petitions/{pid}").status_code == 403
    assert (
        other.post(
            f"/api/v1/petitions/{pid}/conclude",
            json={"conclusion": "rejected", "decision_number": "1/QĐ"},
        ).status_code
        == 403
    )

    nats_url = (platform.home / "nats.url").read_text()

    async def steps_published() -> bool:
        received = await read_stream(nats_url, "RECEPTION")
        mine = [r.subject for r in received if r.event["subject"] == pid]
        return mine == [
            f"evt.reception.petition.{verb}.01" for verb in ("received", "classified", "accepted")
        ]

    await eventually(steps_published)
    stream = str([r.event for r in await read_stream(nats_url, "RECEPTION")])
    assert hoa["id_number"] not in stream
    assert hoa["name"] not in stream


def test_the_rebuild_command_replays_the_streams_and_ends_with_the_same_figures(
    platform: RunningPlatform,
) -> None:
    # Phường Cửa Nam (00082): only this test writes there.
    officer = platform.client("00082", Role.OFFICER)
    assert register(officer, unit_code="00082").status_code == 201
    before_commune = wait_for(officer, "00082", 1)
    national = platform.client("VN", Role.VIEWER)
    before_city = dashboard(national, "01")
    admin = platform.client("VN", Role.ADMIN)
    before_build = admin.get("/api/v1/admin/reporting/rebuild").json()["build"]

    env = {**os.environ, "DANVAN_HOME": str(platform.home), "DANVAN_NATS_URL": ""}
    done = subprocess.run(
        [sys.executable, "-m", "danvan", "reporting", "rebuild"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "rebuilt from" in done.stdout
    # The views now read a new build: the figures below were counted again, not kept.
    assert admin.get("/api/v1/admin/reporting/rebuild").json()["build"] == before_build + 1

    def settled(view: dict[str, Any]) -> dict[str, Any]:
        return {k: view[k] for k in ("figures", "children", "completeness", "pipeline")}

    assert settled(dashboard(officer, "00082")) == settled(before_commune)
    assert figure(dashboard(national, "01")) == figure(before_city)
