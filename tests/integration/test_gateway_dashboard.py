"""The dashboard of every level, composed by the gateway from the three services: one call
gives a portal its whole view; a stopped or slow service leaves a warning, not an error; the
view is cached with an ETag and dropped when an event changes it."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import nats
import pytest

from danvan.contracts.rpc import Role
from danvan.embedded import EmbeddedNats
from tests.conftest import MakeDatabase
from tests.platform_stack import PlatformStack, platform_stack
from tests.stream_reader import read_stream
from tests.waiting import eventually

COMMUNE = "00097"  # Phường Hồng Hà, Hà Nội
OTHER_COMMUNE = "00004"  # Phường Ba Đình, Hà Nội
HANOI = "01"
HCMC = "79"
HCMC_COMMUNE = "27316"  # Phường An Đông
MODELS = "models.registered"
PERIOD = "2026"
FIRST_QUARTER = "2026Q1"
DEADLINE = 3.0  # seconds a view waits for its parts


async def register_model(stack: PlatformStack, unit: str) -> Any:
    body = {
        "name": "Dân vận khéo trong xây dựng nông thôn mới",
        "field": "economy",
        "unit_code": unit,
        "registered_on": "2026-03-02",
    }
    return await stack.client.post("/api/v1/models", json=body, headers=stack.auth(unit))


async def file_complaint(stack: PlatformStack, unit: str) -> None:
    body = {
        "unit_code": unit,
        "source": "in_person",
        "petition_class": "complaint",
        "sector": "land",
        "petitioner": {"name": "Lê Thị Hoa", "kind": "individual"},
        "respondent": "Ủy ban nhân dân phường",
        "summary": "Khiếu nại quyết định thu hồi đất",
    }
    reply = await stack.client.post("/api/v1/petitions", json=body, headers=stack.auth(unit))
    assert reply.status_code == 201, reply.text


async def dashboard(
    stack: PlatformStack,
    unit: str,
    *,
    viewer: str | None = None,
    period: str = PERIOD,
    **headers: str,
) -> Any:
    return await stack.client.get(
        f"/api/v1/units/{unit}/dashboard",
        params={"period": period},
        headers={**stack.auth(viewer or unit, Role.VIEWER), **headers},
    )


def headline(view: dict[str, Any], indicator: str = MODELS) -> Any:
    return next(f["amount"] for f in view["figures"] if f["indicator"] == indicator)


async def shows(
    stack: PlatformStack,
    unit: str,
    amount: int,
    *,
    viewer: str | None = None,
    petitions: int = 0,
) -> dict[str, Any]:
    """The unit's dashboard once its models (and petitions) figures have arrived."""
    seen: list[dict[str, Any]] = []

    async def arrived() -> bool:
        reply = await dashboard(stack, unit, viewer=viewer)
        assert reply.status_code == 200, reply.text
        seen.append(reply.json())
        wanted = (amount, petitions)
        return (headline(seen[-1]), headline(seen[-1], "petitions.received")) == wanted

    await eventually(arrived, timeout=20)
    return seen[-1]


# ---- one call, every part ----------------------------------------------------------------------


async def test_the_nation_a_city_and_a_commune_each_get_their_whole_view_in_one_call(
    stack: PlatformStack,
) -> None:
    for _ in range(2):
        assert (await register_model(stack, COMMUNE)).status_code == 201
    assert (await register_model(stack, OTHER_COMMUNE)).status_code == 201
    await file_complaint(stack, COMMUNE)
    # Received on Monday 23 November; the acceptance deadline is 7 working days later, so
    # within 5 days of it by the weekend.
    stack.clock.advance(timedelta(days=5))

    commune = await shows(stack, COMMUNE, 2, petitions=1)
    assert commune["unit"]["code"] == COMMUNE
    assert commune["level"] == "commune"
    assert [p["code"] for p in commune["parents"]] == ["VN", HANOI]
    assert [a["area"] for a in commune["areas"]] == [
        "models",
        "reception",
        "petitions",
        "dialogues",
        "supervision",
    ]
    assert headline(commune, "petitions.received") == 1
    assert commune["children"] == []
    models = {row["status"]: row["count"] for row in commune["pipeline"]["models"]}
    assert models["registered"] == 2
    assert commune["deadlines"]["nearly_due"] == 1
    assert commune["deadlines"]["overdue"] == 0
    assert commune["warnings"] == []
    assert {p["part"]: p["answered"] for p in commune["freshness"]} == {
        "figures": True,
        "completeness": True,
        "pipeline": True,
        "deadlines": True,
    }
    figures_part = next(p for p in commune["freshness"] if p["part"] == "figures")
    assert {s["stream"]: s["pending"] for s in figures_part["streams"]} == {
        "REGISTRY": 0,
        "RECEPTION": 0,
    }

    city = await shows(stack, HANOI, 3, viewer=HANOI, petitions=1)
    assert [p["code"] for p in city["parents"]] == ["VN"]
    rows = {row["unit_code"]: row for row in city["children"]}
    assert len(rows) == len(stack.units.children(HANOI))
    assert rows[COMMUNE]["figures"][MODELS]["amount"] == 2
    assert rows[COMMUNE]["ranks"][MODELS] == 1
    assert rows[OTHER_COMMUNE]["ranks"][MODELS] == 2
    # Every commune with none shares the third place.
    assert {row["ranks"][MODELS] for row in city["children"]} == {1, 2, 3}
    assert set(rows[COMMUNE]["figures"]) == {f["indicator"] for f in city["figures"]}
    assert city["completeness"]["expected"] == len(rows)
    assert city["completeness"]["submitted"] == 0
    assert city["deadlines"]["nearly_due"] == 1

    nation = await shows(stack, "VN", 3, viewer="VN", petitions=1)
    assert nation["parents"] == []
    assert len(nation["children"]) == 34
    assert {row["unit_code"]: row["figures"][MODELS]["amount"] for row in nation["children"]}[
        HANOI
    ] == 3
    assert {row["status"]: row["count"] for row in nation["pipeline"]["models"]}["registered"] == 3


async def test_a_portal_sees_only_its_own_subtree(stack: PlatformStack) -> None:
    assert (await dashboard(stack, HANOI, viewer=COMMUNE)).status_code == 403
    assert (await dashboard(stack, OTHER_COMMUNE, viewer=COMMUNE)).status_code == 403
    assert (await dashboard(stack, HCMC, viewer=HANOI)).status_code == 403
    assert (await dashboard(stack, COMMUNE, viewer=HANOI)).status_code == 200


# ---- a service stopped or slow ----------------------------------------------------------------


async def test_with_the_registry_stopped_views_answer_with_a_warning_and_writes_with_503(
    stack: PlatformStack,
) -> None:
    assert (await register_model(stack, COMMUNE)).status_code == 201
    await shows(stack, COMMUNE, 1)
    await stack.settled()
    await dashboard(stack, COMMUNE)  # composed again if a late note dropped it: kept now
    registry_events = len(await read_stream(stack.settings.nats_url, "REGISTRY"))

    await stack.stop("registry")
    # A view composed before the registry stopped is still whole: nothing it shows changed.
    cached = (await dashboard(stack, COMMUNE)).json()
    assert cached["warnings"] == []
    assert cached["pipeline"] is not None
    for unit in ("VN", HANOI, COMMUNE):
        reply = await dashboard(stack, unit, period=FIRST_QUARTER)
        assert reply.status_code == 200, reply.text
        view = reply.json()
        assert view["pipeline"] is None
        assert [(w["part"], w["service"], w["code"]) for w in view["warnings"]] == [
            ("pipeline", "registry", "unavailable")
        ]
        assert "thiếu phần mô hình, điển hình theo trạng thái" in view["warnings"][0]["message"]
        # The other parts are all there, the figures as reporting last applied them.
        assert view["completeness"] is not None
        assert view["deadlines"] is not None
        assert headline(view) == 1
    english = await dashboard(stack, COMMUNE, period=FIRST_QUARTER, **{"Accept-Language": "en"})
    assert english.json()["warnings"][0]["message"].startswith(
        "models and exemplars by status missing"
    )

    refused = await register_model(stack, COMMUNE)
    assert refused.status_code == 503, refused.text
    assert refused.json()["error"]["code"] == "unavailable"

    await stack.start("registry")
    listed = await stack.get("/api/v1/models", COMMUNE, unit_code=COMMUNE)
    assert listed.json()["total"] == 1  # the refused write left nothing behind
    assert len(await read_stream(stack.settings.nats_url, "REGISTRY")) == registry_events
    healed = (await dashboard(stack, COMMUNE, period=FIRST_QUARTER)).json()
    assert healed["warnings"] == []
    assert healed["pipeline"] is not None


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_a_service_that_does_not_answer_in_time_is_left_out_at_the_views_deadline(
    make_database: MakeDatabase, fresh_nats: EmbeddedNats, tmp_path: Path
) -> None:
    async with platform_stack(
        tmp_path, fresh_nats.url, make_database, view_deadline=DEADLINE
    ) as stack:
        await stack.stop("reception")
        # A reception that takes the request and never answers.
        silent = await nats.connect(fresh_nats.url)
        try:
            await silent.subscribe("rpc.reception.>", queue="reception", cb=_never_answer)
            started = time.monotonic()
            reply = await dashboard(stack, COMMUNE)
            waited = time.monotonic() - started
        finally:
            await silent.close()
    assert reply.status_code == 200, reply.text
    view = reply.json()
    assert view["deadlines"] is None
    silent_part = next(w for w in view["warnings"] if w["part"] == "deadlines")
    assert silent_part["code"] == "unavailable"
    assert f"{DEADLINE:g} giây" in silent_part["message"]
    assert waited < DEADLINE + 2.0, f"the view waited {waited:.1f} s for a silent service"


async def _never_answer(_message: Any) -> None:
    return None


# ---- caching ------------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_a_repeated_view_comes_from_the_cache_until_an_event_of_its_province_arrives(
    stack: PlatformStack,
) -> None:
    assert (await register_model(stack, COMMUNE)).status_code == 201
    first = await shows(stack, HANOI, 1)
    await stack.settled()
    etag = (await dashboard(stack, HANOI)).headers["ETag"]

    not_modified = await dashboard(stack, HANOI, **{"If-None-Match": etag})
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified.headers["ETag"] == etag

    # Served without asking any service: with all three stopped, the view is still whole.
    for service in ("registry", "reception", "reporting"):
        await stack.stop(service)
    cached = await dashboard(stack, HANOI)
    assert cached.status_code == 200
    assert cached.headers["ETag"] == etag
    assert cached.json()["warnings"] == []
    for service in ("registry", "reception", "reporting"):
        await stack.start(service)

    # An event of another province leaves Hà Nội's view where it is…
    assert (await register_model(stack, HCMC_COMMUNE)).status_code == 201
    await shows(stack, HCMC, 1, viewer="VN")
    await stack.settled()
    for service in ("registry", "reception", "reporting"):
        await stack.stop(service)
    kept = await dashboard(stack, HANOI)
    assert kept.json()["warnings"] == []
    assert kept.headers["ETag"] == etag
    for service in ("registry", "reception", "reporting"):
        await stack.start(service)
    # …an event of Hà Nội drops it: the next view is composed again and shows the event.
    assert (await register_model(stack, COMMUNE)).status_code == 201
    second = await shows(stack, HANOI, 2)
    assert second["children"] != first["children"]
    assert (await dashboard(stack, HANOI)).headers["ETag"] != etag


# ---- guards ------------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_a_principal_over_its_rate_is_told_when_to_come_back(
    make_database: MakeDatabase, fresh_nats: EmbeddedNats, tmp_path: Path
) -> None:
    async with platform_stack(
        tmp_path, fresh_nats.url, make_database, rate_limit="3/minute"
    ) as stack:
        replies = [await stack.get("/api/v1/topics", COMMUNE) for _ in range(4)]
        other = await stack.get("/api/v1/topics", OTHER_COMMUNE)
    assert [r.status_code for r in replies] == [200, 200, 200, 429]
    assert replies[-1].json()["error"]["code"] == "rate_limited"
    assert 0 < int(replies[-1].headers["Retry-After"]) <= 60
    assert other.status_code == 200


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_an_oversized_body_is_refused_with_413_and_nothing_is_written(
    make_database: MakeDatabase, fresh_nats: EmbeddedNats, tmp_path: Path
) -> None:
    async with platform_stack(
        tmp_path, fresh_nats.url, make_database, max_body_bytes=2000
    ) as stack:
        body = {
            "name": "Mô hình",
            "field": "economy",
            "unit_code": COMMUNE,
            "registered_on": "2026-03-02",
            "description": "Dân vận khéo " * 200,
        }
        refused = await stack.client.post("/api/v1/models", json=body, headers=stack.auth(COMMUNE))
        listed = await stack.get("/api/v1/models", COMMUNE)
    assert refused.status_code == 413
    assert refused.json()["error"]["code"] == "too_large"
    assert listed.json()["total"] == 0


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_only_configured_portal_origins_may_call_from_a_browser_and_headers_guard_pages(
    make_database: MakeDatabase, fresh_nats: EmbeddedNats, tmp_path: Path
) -> None:
    portal = "https://dashboard.hanoi.gov.vn"
    async with platform_stack(
        tmp_path, fresh_nats.url, make_database, cors_origins=[portal]
    ) as stack:
        preflight = {"Access-Control-Request-Method": "GET"}
        allowed = await stack.client.options(
            "/api/v1/units/01/dashboard", headers={"Origin": portal, **preflight}
        )
        stranger = await stack.client.options(
            "/api/v1/units/01/dashboard", headers={"Origin": "https://evil.example", **preflight}
        )
        health = await stack.client.get("/healthz")
        docs = await stack.client.get("/docs")
    assert allowed.headers["access-control-allow-origin"] == portal
    assert "access-control-allow-origin" not in stranger.headers
    assert health.headers["x-content-type-options"] == "nosniff"
    assert health.headers["x-frame-options"] == "DENY"
    assert health.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert "https://cdn.jsdelivr.net" in docs.headers["content-security-policy"]
