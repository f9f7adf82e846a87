"""A reorganisation loaded by an admin while the platform runs (`danvan run`, SQLite): every
service restarts with the new units within its check interval, facts must then name the new
ward, and reporting rebuilds its figures in the new boundaries by itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from danvan.contracts.rpc import Role
from tests.e2e.platform import RunningPlatform, start_platform
from tests.e2e.test_slice import figure, register

EXAMPLE = Path(__file__).parents[1] / "data" / "reorganisation-2027-example.json"
# The example, moved to a day already past so that it is in effect as soon as it is loaded.
DAY = "2026-07-01"
NEW = "2026-00103"
HONG_HA, PHU_THUONG = "00097", "00091"


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    home = tmp_path_factory.mktemp("platform-reorganisation")
    running = start_platform(home, settings={"DANVAN_UNITS_CHECK_INTERVAL": "0.5"})
    yield running
    assert running.stop() == 0, running.log()


def reorganisation_file(folder: Path) -> Path:
    document: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    text = json.dumps(document, ensure_ascii=False)
    path = folder / "reorganisation.json"
    path.write_text(text.replace("2027-00103", NEW).replace("2027-01-01", DAY), encoding="utf-8")
    return path


def until(check: Any, seconds: float = 90) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        try:
            found = check()
        except httpx.HTTPError:
            found = None
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def test_a_reorganisation_loaded_while_running_takes_effect_in_every_service(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    for unit in (HONG_HA, PHU_THUONG):
        officer = platform.client(unit, Role.OFFICER)
        assert register(officer, unit_code=unit, registered_on="2026-03-02").status_code == 201
    national = platform.client("VN", Role.VIEWER)

    def hanoi_models() -> int:
        reply = national.get("/api/v1/units/01/dashboard", params={"period": "2026"})
        return figure(reply.json()) if reply.status_code == 200 else -1

    assert until(lambda: hanoi_models() == 2, 15)

    loaded = subprocess.run(
        [sys.executable, "-m", "danvan", "units", "load", str(reorganisation_file(tmp_path))],
        env={**os.environ, "DANVAN_HOME": str(platform.home), "DANVAN_NATS_URL": ""},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    assert "in effect already" in " ".join(loaded.stdout.split())

    def new_ward_models() -> int | None:
        reply = national.get(f"/api/v1/units/{NEW}/dashboard", params={"period": "2026"})
        # While reporting restarts, the dashboard comes without its figures (and says so).
        if reply.status_code != 200 or not reply.json()["figures"]:
            return None
        return figure(reply.json())

    # The gateway knows the new ward, and reporting has rebuilt: both models count there.
    assert until(lambda: new_ward_models() == 2) is True, platform.log()[-3000:]
    log = platform.log()
    for service in ("registry", "reception", "reporting", "gateway"):
        assert f"{service} restarts: the units in force changed" in log, log[-3000:]

    # The registry now refuses a fact after the day at a ward that ceased, naming the new one.
    city_officer = platform.client("01", Role.OFFICER)
    after = register(city_officer, unit_code=HONG_HA, registered_on="2026-08-03")
    assert after.status_code == 422, after.text
    assert NEW in after.text
    new_officer = platform.client(NEW, Role.OFFICER)
    assert register(new_officer, unit_code=NEW, registered_on="2026-08-03").status_code == 201
    assert until(lambda: new_ward_models() == 3, 15) is True
    assert hanoi_models() == 3
