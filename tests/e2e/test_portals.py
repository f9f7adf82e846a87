"""Three portals — the nation, Hà Nội and one of its communes — each get their whole view from
one call to the platform as a newcomer runs it (`danvan run`), see only their own subtree, and
keep getting an answer, with a warning, while the registry service is stopped."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from danvan.contracts.rpc import Role
from tests.e2e.platform import RunningPlatform, start_platform

COMMUNE = "00097"  # Phường Hồng Hà
HANOI = "01"
HCMC = "79"
VIEW_DEADLINE = 1.5


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    running = start_platform(
        tmp_path_factory.mktemp("portals"),
        settings={"DANVAN_VIEW_DEADLINE": str(VIEW_DEADLINE), "DANVAN_RPC_TIMEOUT": "2"},
    )
    try:
        yield running
    finally:
        running.stop()


def service_pid(home: Path, service: str) -> int:
    """The process `danvan run` started for `service` of the platform under `home`."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
            environment = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if command[-3:-1] == [b"serve", service.encode()] and (
            f"DANVAN_HOME={home}".encode() in environment
        ):
            return int(entry.name)
    raise AssertionError(f"no {service} process of {home}")


def view(client: httpx.Client, unit: str) -> dict[str, Any]:
    reply = client.get(f"/api/v1/units/{unit}/dashboard", params={"period": "2026"})
    assert reply.status_code == 200, reply.text
    result: dict[str, Any] = reply.json()
    return result


def amount(found: dict[str, Any], indicator: str) -> Any:
    return next(f["amount"] for f in found["figures"] if f["indicator"] == indicator)


def eventually(
    portal: httpx.Client,
    unit: str,
    shown: Callable[[dict[str, Any]], bool],
    timeout: float = 30,
) -> dict[str, Any]:
    """The unit's view once `shown(view)` holds."""
    deadline = time.monotonic() + timeout
    while True:
        found = view(portal, unit)
        if shown(found):
            return found
        assert time.monotonic() < deadline, f"{unit}'s portal never showed it: {found}"
        time.sleep(0.2)


def counts(models: int, petitions: int) -> Callable[[dict[str, Any]], bool]:
    def shown(found: dict[str, Any]) -> bool:
        wanted = (models, petitions)
        return (amount(found, "models.registered"), amount(found, "petitions.received")) == wanted

    return shown


def whole(found: dict[str, Any]) -> bool:
    return not found["warnings"]


def file_petition(officer: httpx.Client, summary: str) -> None:
    reply = officer.post(
        "/api/v1/petitions",
        json={
            "unit_code": COMMUNE,
            "source": "in_person",
            "petition_class": "recommendation",
            "sector": "administration",
            "petitioner": {"name": "Nguyễn Văn An", "kind": "individual"},
            "respondent": "Ủy ban nhân dân phường Hồng Hà",
            "summary": summary,
        },
    )
    assert reply.status_code == 201, reply.text


def test_three_portals_get_their_whole_view_see_only_their_subtree_and_survive_the_registry(
    platform: RunningPlatform,
) -> None:
    officer = platform.client(COMMUNE, Role.OFFICER)
    portals = {
        "VN": platform.client("VN", Role.VIEWER),
        HANOI: platform.client(HANOI, Role.VIEWER),
        COMMUNE: platform.client(COMMUNE, Role.VIEWER),
    }
    model = {
        "name": "Tuyến phố văn minh",
        "field": "culture_society",
        "unit_code": COMMUNE,
        "registered_on": "2026-03-02",
    }
    assert officer.post("/api/v1/models", json=model).status_code == 201
    file_petition(officer, "Kiến nghị lắp đèn chiếu sáng ngõ 12")

    # One call each gives the whole view: figures, children, reports, models, deadlines.
    for unit, portal in portals.items():
        complete = eventually(portal, unit, counts(models=1, petitions=1))
        assert complete["warnings"] == []
        assert complete["unit"]["code"] == unit
        for part in ("completeness", "pipeline", "deadlines"):
            assert complete[part] is not None, part
        below = {row["unit_code"] for row in complete["children"]}
        if unit == COMMUNE:
            assert below == set()
        elif unit == HANOI:
            assert COMMUNE in below
            assert all(code.isdigit() and len(code) == 5 for code in below)
        else:
            assert {HANOI, HCMC} <= below

    # Each sees only its own subtree.
    assert portals[COMMUNE].get(f"/api/v1/units/{HANOI}/dashboard?period=2026").status_code == 403
    assert portals[HANOI].get(f"/api/v1/units/{HCMC}/dashboard?period=2026").status_code == 403
    assert portals[HANOI].get("/api/v1/units/VN/dashboard?period=2026").status_code == 403

    registry = service_pid(platform.home, "registry")
    os.kill(registry, signal.SIGSTOP)
    try:
        # The registry is stopped; the rest of the platform goes on.
        file_petition(officer, "Kiến nghị nạo vét mương thoát nước")
        for unit, portal in portals.items():
            started = time.monotonic()
            partial = eventually(portal, unit, counts(models=1, petitions=2))
            assert time.monotonic() - started < 30
            assert partial["pipeline"] is None
            assert [(w["part"], w["service"]) for w in partial["warnings"]] == [
                ("pipeline", "registry")
            ]
        refused = officer.post("/api/v1/models", json={**model, "name": "Không được ghi"})
        assert refused.status_code == 503, refused.text
    finally:
        os.kill(registry, signal.SIGCONT)

    # Back: the next view is whole again, and the refused write left nothing behind.
    healed = eventually(portals[HANOI], HANOI, whole)
    assert {row["status"]: row["count"] for row in healed["pipeline"]["models"]}["registered"] == 1
    listed = officer.get("/api/v1/models", params={"q": "khong duoc ghi"})
    assert listed.json()["total"] == 0
