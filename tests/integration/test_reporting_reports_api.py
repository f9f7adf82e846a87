"""Periodic reports through the gateway, on a real nats-server and a real database (SQLite and
PostgreSQL): a commune submits its quarterly work report with the figures frozen from the
projection, the city returns it, the commune sends it again, the city approves and it locks;
the city's completeness counts it; monthly reports on the people's situation raise concerns
that the city sees hot spots first; another province sees none of it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from danvan.contracts.rpc import Role
from danvan.embedded import EmbeddedNats
from tests.conftest import MakeDatabase
from tests.reporting_stack import (
    ReportingStack,
    figure_of,
    model_registered,
    reporting_stack,
)

HANOI, HONG_HA, BA_DINH = "01", "00097", "00004"
HO_CHI_MINH_CITY = "79"
REPORTS = "/api/v1/reports"


@pytest.fixture
async def stack(
    make_database: MakeDatabase, fresh_nats: EmbeddedNats, tmp_path: Path
) -> AsyncIterator[ReportingStack]:
    url = await make_database("reporting")
    async with reporting_stack(tmp_path, fresh_nats.url, url) as running:
        yield running


async def post(
    stack: ReportingStack, path: str, body: dict[str, Any], unit: str, role: Role
) -> Any:
    return await stack.client.post(path, json=body, headers=stack.auth(unit, role))


def work_report(**changes: Any) -> dict[str, Any]:
    return {
        "unit_code": HONG_HA,
        "period": "2026Q1",
        "kind": "work",
        "number": "05-BC/ĐU",
        "place": "Hà Nội",
        "results": "Tổ chức 2 hội nghị đối thoại;\n1 mô hình “Dân vận khéo” đăng ký.",
        "limitations": "Một số tổ dân phố chưa báo cáo kịp thời.",
        "tasks": "Tiếp tục nhân rộng mô hình trong quý II.",
        **changes,
    }


async def test_a_communes_quarterly_report_is_returned_sent_again_approved_and_counted(
    stack: ReportingStack,
) -> None:
    await stack.publish(model_registered(HONG_HA, date(2026, 2, 2)))
    await stack.wait_for(HONG_HA, "2026Q1", "models.registered", 1, basis="cutoff")
    commune = (HONG_HA, Role.OFFICER)
    city = (HANOI, Role.LEADER)

    submitted = await post(stack, REPORTS, work_report(), *commune)
    assert submitted.status_code == 201, submitted.text
    report = submitted.json()
    rid = report["id"]
    assert (report["status"], report["version"], report["submission"]) == ("submitted", 1, 1)
    assert (report["parent_code"], report["on_time"], report["due_on"]) == (
        HANOI,
        True,
        "2026-03-20",
    )
    # Its figures are frozen from the projection as they stood, on the cut-off basis.
    assert report["figures"]["basis"] == "cutoff"
    assert figure_of(report["figures"], "models.registered")["amount"] == 1

    seen = await stack.client.get(f"{REPORTS}/{rid}", headers=stack.auth(*city))
    assert seen.status_code == 200, seen.text
    assert seen.json()["results"] == work_report()["results"]
    listed = await stack.client.get(
        REPORTS, params={"unit_code": HANOI, "period": "2026Q1"}, headers=stack.auth(*city)
    )
    assert [r["id"] for r in listed.json()["data"]] == [rid]
    own_approval = await post(stack, f"{REPORTS}/{rid}/approve", {}, HONG_HA, Role.LEADER)
    assert own_approval.status_code == 403, own_approval.text

    returned = await post(
        stack,
        f"{REPORTS}/{rid}/return",
        {"comment": "Bổ sung kết quả giám sát.", "expected_version": 1},
        *city,
    )
    assert returned.status_code == 200, returned.text
    assert (returned.json()["status"], returned.json()["review_comment"]) == (
        "returned",
        "Bổ sung kết quả giám sát.",
    )

    again = await post(
        stack,
        REPORTS,
        work_report(results="Đã bổ sung: 3 cuộc giám sát.", expected_version=2),
        *commune,
    )
    assert again.status_code == 200, again.text
    assert (again.json()["status"], again.json()["version"], again.json()["submission"]) == (
        "submitted",
        3,
        2,
    )
    assert again.json()["id"] == rid

    approved = await post(stack, f"{REPORTS}/{rid}/approve", {"comment": "Đạt."}, *city)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert [h["action"] for h in approved.json()["history"]] == [
        "submit",
        "return",
        "submit",
        "approve",
    ]
    locked = await post(stack, f"{REPORTS}/{rid}/return", {"comment": "Sửa lại."}, *city)
    assert locked.status_code == 409, locked.text
    resent = await post(stack, REPORTS, work_report(), *commune)
    assert resent.status_code == 409, resent.text

    completeness = await stack.client.get(
        f"/api/v1/units/{HANOI}/completeness",
        params={"period": "2026Q1", "kind": "work"},
        headers=stack.auth(*city),
    )
    assert completeness.status_code == 200, completeness.text
    counted = completeness.json()
    communes = [c for c in stack.units.children(HANOI) if c.in_force_on(date(2026, 3, 31))]
    assert counted["expected"] == len(communes) == len(counted["rows"])
    assert (counted["submitted"], counted["on_time"], counted["approved"]) == (1, 1, 1)
    assert counted["returned"] == 0
    assert 0 < counted["submitted_rate"] <= 100
    assert 0 < counted["on_time_rate"] <= 100
    row = next(r for r in counted["rows"] if r["unit_code"] == HONG_HA)
    assert (row["status"], row["report_id"], row["on_time"]) == ("approved", rid, True)
    assert {r["status"] for r in counted["rows"] if r["unit_code"] != HONG_HA} == {"not_submitted"}

    # Another province reads nothing of it.
    other = stack.auth(HO_CHI_MINH_CITY, Role.OFFICER)
    foreign = await stack.client.get(f"{REPORTS}/{rid}", headers=other)
    assert foreign.status_code == 403, foreign.text
    foreign_completeness = await stack.client.get(
        f"/api/v1/units/{HANOI}/completeness", params={"period": "2026Q1"}, headers=other
    )
    assert foreign_completeness.status_code == 403, foreign_completeness.text


def situation(unit: str, *concerns: tuple[str, bool]) -> dict[str, Any]:
    return {
        "unit_code": unit,
        "period": "202603",
        "kind": "people_situation",
        "results": "Tình hình Nhân dân trên địa bàn cơ bản ổn định.",
        "concerns": [
            {"topic": topic, "unit_codes": [unit], "hot_spot": hot} for topic, hot in concerns
        ],
    }


async def test_the_city_sees_its_communes_concerns_of_a_month_hot_spots_first(
    stack: ReportingStack,
) -> None:
    ba_dinh = await post(
        stack, REPORTS, situation(BA_DINH, ("Tiếng ồn công trình", False)), BA_DINH, Role.OFFICER
    )
    assert ba_dinh.status_code == 201, ba_dinh.text
    hong_ha = await post(
        stack,
        REPORTS,
        situation(HONG_HA, ("Giá điện tăng", False), ("Bồi thường giải phóng mặt bằng", True)),
        HONG_HA,
        Role.OFFICER,
    )
    assert hong_ha.status_code == 201, hong_ha.text
    assert (hong_ha.json()["concerns_count"], hong_ha.json()["hot_spots_count"]) == (2, 1)

    city = stack.auth(HANOI, Role.LEADER)
    reply = await stack.client.get(
        f"/api/v1/units/{HANOI}/concerns", params={"period": "202603"}, headers=city
    )
    assert reply.status_code == 200, reply.text
    view = reply.json()
    assert (view["count"], view["hot_spots"]) == (3, 1)
    # Hot spots first; then by reporting unit in Vietnamese order (Ba Đình before Hồng Hà).
    assert [(c["topic"], c["hot_spot"], c["reporting_unit"]["code"]) for c in view["concerns"]] == [
        ("Bồi thường giải phóng mặt bằng", True, HONG_HA),
        ("Tiếng ồn công trình", False, BA_DINH),
        ("Giá điện tăng", False, HONG_HA),
    ]
    assert view["concerns"][0]["units"][0]["name"].startswith("Phường Hồng Hà")
    # A commune sees its own only.
    own = await stack.client.get(
        f"/api/v1/units/{BA_DINH}/concerns",
        params={"period": "202603"},
        headers=stack.auth(BA_DINH, Role.OFFICER),
    )
    assert [c["topic"] for c in own.json()["concerns"]] == ["Tiếng ồn công trình"]

    other = stack.auth(HO_CHI_MINH_CITY, Role.OFFICER)
    foreign = await stack.client.get(f"{REPORTS}/{hong_ha.json()['id']}", headers=other)
    assert foreign.status_code == 403, foreign.text
    foreign_view = await stack.client.get(
        f"/api/v1/units/{HANOI}/concerns", params={"period": "202603"}, headers=other
    )
    assert foreign_view.status_code == 403, foreign_view.text
    # A month's report only: a quarter has no concerns view.
    quarter = await stack.client.get(
        f"/api/v1/units/{HANOI}/concerns", params={"period": "2026Q1"}, headers=city
    )
    assert quarter.status_code == 422, quarter.text
