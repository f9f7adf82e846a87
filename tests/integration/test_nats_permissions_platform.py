"""The whole platform works with the NATS users and permissions of compose: each service, and
the gateway, connected as its own user to a real nats-server that includes
deploy/nats/permissions.conf, does everything a portal asks without one permission refused."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from danvan.contracts.rpc import Role
from tests.operations import scraped, total
from tests.platform_stack import PlatformStack, platform_stack
from tests.secured_nats import SecuredNats, connect_as, start_secured_nats
from tests.waiting import eventually

COMMUNE = "00097"  # Phường Hồng Hà, Hà Nội
HANOI = "01"
MODELS = "models.registered"
PETITIONS = "petitions.received"
SESSIONS = "supervision.sessions"


@pytest.fixture
def secured_nats(tmp_path: Path) -> Iterator[SecuredNats]:
    server = start_secured_nats(tmp_path / "nats")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def stack(secured_nats: SecuredNats, tmp_path: Path) -> AsyncIterator[PlatformStack]:
    async def sqlite(label: str) -> str:
        return f"sqlite+aiosqlite:///{tmp_path / label}.db"

    async with platform_stack(
        tmp_path, secured_nats.url, sqlite, nats_passwords=secured_nats.passwords
    ) as running:
        yield running


def headline(view: dict[str, Any], indicator: str) -> Any:
    return next(f["amount"] for f in view["figures"] if f["indicator"] == indicator)


async def dashboard(stack: PlatformStack, unit: str) -> dict[str, Any]:
    reply = await stack.get(f"/api/v1/units/{unit}/dashboard", unit, Role.VIEWER, period="2026")
    assert reply.status_code == 200, reply.text
    view: dict[str, Any] = reply.json()
    return view


async def write_through_every_service(stack: PlatformStack) -> None:
    model = {
        "name": "Dân vận khéo trong xây dựng nông thôn mới",
        "field": "economy",
        "unit_code": COMMUNE,
        "registered_on": "2026-03-02",
    }
    reply = await stack.client.post("/api/v1/models", json=model, headers=stack.auth(COMMUNE))
    assert reply.status_code == 201, reply.text
    complaint = {
        "unit_code": COMMUNE,
        "source": "in_person",
        "petition_class": "complaint",
        "sector": "land",
        "petitioner": {"name": "Lê Thị Hoa", "kind": "individual"},
        "respondent": "Ủy ban nhân dân phường",
        "summary": "Khiếu nại quyết định thu hồi đất",
    }
    reply = await stack.client.post(
        "/api/v1/petitions", json=complaint, headers=stack.auth(COMMUNE)
    )
    assert reply.status_code == 201, reply.text
    sessions = {"unit_code": COMMUNE, "period": "2026Q1", "indicator": SESSIONS, "value": 4}
    reply = await stack.client.post(
        "/api/v1/figures", json={"entries": [sessions]}, headers=stack.auth(COMMUNE)
    )
    assert reply.status_code == 201, reply.text


async def test_every_service_does_its_work_with_its_own_nats_user_and_nothing_is_refused(
    stack: PlatformStack, secured_nats: SecuredNats
) -> None:
    ready = await stack.client.get("/readyz")
    assert ready.status_code == 200, ready.text

    await write_through_every_service(stack)

    async def counted() -> bool:
        view = await dashboard(stack, COMMUNE)
        return (headline(view, MODELS), headline(view, PETITIONS), headline(view, SESSIONS)) == (
            1,
            1,
            4,
        )

    await eventually(counted, timeout=20)
    await stack.settled()
    view = await dashboard(stack, COMMUNE)
    # The parts of a dashboard, the ends of the streams among them, each answered.
    assert view["warnings"] == []
    assert all(part["answered"] for part in view["freshness"])

    # A rebuild reads every stream again through consumers of its own.
    admin = stack.auth("VN", Role.ADMIN)
    started = await stack.client.post("/api/v1/admin/reporting/rebuild", headers=admin)
    assert started.status_code == 202, started.text

    async def rebuilt() -> bool:
        status = await stack.client.get("/api/v1/admin/reporting/rebuild", headers=admin)
        return status.json()["running"] is False

    await eventually(rebuilt, timeout=20)
    after = await dashboard(stack, HANOI)
    assert (headline(after, MODELS), headline(after, PETITIONS)) == (1, 1)

    # What /metrics asks JetStream (reporting's consumer lag and dead letters) its user may ask.
    for service, runtime in [*stack.running.items(), ("gateway", stack.app.state.runtime)]:
        text = await scraped(runtime)
        assert total(text, "danvan_up", service=service, dependency="nats") == 1, service
    lag = await scraped(stack.running["reporting"])
    assert total(lag, "danvan_consumer_pending", service="reporting") == 0
    assert total(lag, "danvan_dead_letters", service="reporting") == 0

    # The server logs a refusal just after telling the client: one made on purpose, once
    # logged, shows that it logs them and that any refusal before it is logged too.
    marker = await connect_as(secured_nats, "gateway")
    await marker.client.publish("evt.registry.marker", b"")
    await marker.client.flush()
    await marker.client.close()

    async def logged() -> bool:
        return bool(secured_nats.violations())

    await eventually(logged)
    assert [line.rpartition(" - ")[2] for line in secured_nats.violations()] == [
        'Subject "evt.registry.marker"'
    ]
