"""A reorganisation loaded as data, through reporting and the gateway on a real nats-server and
a real database (SQLite and PostgreSQL): before its day nothing moves; on its day the service
restarts with the new units and rebuilds by itself, after which today's boundaries count the
former wards' facts in the new ward while the boundaries of the time keep them where they were.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from danvan.clock import VIETNAM
from danvan.contracts.rpc import Role
from danvan.embedded import EmbeddedNats
from danvan.units import load_units
from danvan.units.loaded import save
from tests.conftest import MakeDatabase
from tests.reporting_stack import (
    ReportingStack,
    child_amount,
    figure_of,
    model_registered,
    rebuild_finished,
    rebuild_status,
    reporting_stack,
)
from tests.waiting import eventually

EXAMPLE = Path(__file__).parents[1] / "data" / "reorganisation-2027-example.json"
NEW = "2027-00103"  # the example's Phường Tây Hồ: Hồng Hà, Tây Hồ and most of Phú Thượng
HONG_HA, TAY_HO, PHU_THUONG, NGOC_HA, HANOI = "00097", "00103", "00091", "00008", "01"
BEFORE_THE_DAY = datetime(2026, 12, 20, 9, tzinfo=VIETNAM)
MODELS = "models.registered"


@pytest.fixture
async def database(make_database: MakeDatabase) -> str:
    return await make_database("reporting")


@pytest.fixture
async def before(
    database: str, fresh_nats: EmbeddedNats, tmp_path: Path
) -> AsyncIterator[ReportingStack]:
    async with reporting_stack(tmp_path, fresh_nats.url, database, now=BEFORE_THE_DAY) as stack:
        yield stack


async def placed_with(stack: ReportingStack, units: str) -> bool:
    return bool((await rebuild_status(stack))["units"] == units)


async def record_2026(stack: ReportingStack) -> None:
    await stack.publish_all(
        [
            model_registered(HONG_HA, date(2026, 3, 5)),
            model_registered(PHU_THUONG, date(2026, 4, 1)),
            model_registered(TAY_HO, date(2026, 5, 1)),
            model_registered(NGOC_HA, date(2026, 6, 1)),
            model_registered("old-00097", date(2025, 5, 1)),  # Phường Tứ Liên, before 2025
        ]
    )
    await stack.wait_for(HANOI, "2026", MODELS, 4)
    await stack.settled()


async def test_a_loaded_reorganisation_restarts_the_service_only_on_its_day(
    before: ReportingStack,
) -> None:
    await record_2026(before)
    save(before.settings.units_folder(), load_units(), EXAMPLE.read_bytes())
    watch = before.service.jobs["units-watch"]
    await watch()
    assert before.service.restart_requested is False
    assert await before.amount(HONG_HA, "2026", MODELS) == 1  # nothing moved before the day
    before.clock.advance(timedelta(days=11, hours=15))  # 2027-01-01 00:00
    await watch()
    assert before.service.restart_requested is True


async def test_on_its_day_the_new_ward_counts_its_former_wards_facts_and_history_stays(
    database: str, fresh_nats: EmbeddedNats, tmp_path: Path
) -> None:
    async with reporting_stack(tmp_path, fresh_nats.url, database, now=BEFORE_THE_DAY) as old:
        await record_2026(old)
        hanoi_before = await old.unit_figures(HANOI, "2026")
        save(old.settings.units_folder(), load_units(), EXAMPLE.read_bytes())

    on_the_day = datetime(2027, 1, 1, 7, tzinfo=VIETNAM)
    async with reporting_stack(tmp_path, fresh_nats.url, database, now=on_the_day) as stack:
        assert NEW in stack.units
        # The service rebuilds by itself.
        await eventually(lambda: placed_with(stack, stack.units.key), timeout=30)
        done = await rebuild_finished(stack)
        assert done["build"] == 2
        assert done["error"] is None

        new = await stack.unit_figures(NEW, "2026", headers=stack.auth(NEW, Role.VIEWER))
        models = figure_of(new, MODELS)
        assert models["amount"] == 3  # Hồng Hà's, Phú Thượng's and Tây Hồ's
        assert models["attributed"] == 1  # Phú Thượng was split: its part by default
        assert models["change"]["previous"] == 1  # Tứ Liên's 2025 model, through Hồng Hà
        assert await stack.amount(NGOC_HA, "2026", MODELS) == 1

        hanoi = await stack.unit_figures(HANOI, "2026")
        assert figure_of(hanoi, MODELS)["amount"] == figure_of(hanoi_before, MODELS)["amount"]
        assert child_amount(hanoi, NEW, MODELS) == 3
        assert HONG_HA not in {row["unit_code"] for row in hanoi["children"]}

        for ward, amount in ((HONG_HA, 1), (PHU_THUONG, 1), (TAY_HO, 1)):
            assert await stack.amount(ward, "2026", MODELS, boundaries="historical") == amount
        refused = await stack.client.get(
            f"/api/v1/units/{HONG_HA}/dashboard",
            params={"period": "2026"},
            headers=stack.auth("VN", Role.VIEWER),
        )
        assert refused.status_code == 422, refused.text
        assert f"counted in {NEW}" in refused.text

        # What the new ward records from its first day counts there.
        await stack.publish(model_registered(NEW, date(2027, 1, 1)))
        await stack.wait_for(NEW, "2027", MODELS, 1)
        await stack.wait_for(HANOI, "2027", MODELS, 1)
