"""The list of periodic reports exported as CSV and XLSX through the gateway, on a real
nats-server and a real database (SQLite and PostgreSQL): a file holds exactly the rows the
JSON pages hold, in the same order, with Vietnamese intact; filters and sort apply; another
province's export has none of Hà Nội's reports."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from danvan.contracts.reports import ReportQuery
from danvan.contracts.rpc import Role
from danvan.embedded import EmbeddedNats
from tests.conftest import MakeDatabase
from tests.list_exports import (
    assert_bad_format_and_sort_refused,
    assert_exports_hold_the_pages,
    csv_table,
    downloaded,
    export,
)
from tests.reporting_stack import ReportingStack, reporting_stack

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


async def submitted(stack: ReportingStack, unit: str, **body: Any) -> Any:
    reply = await stack.client.post(
        REPORTS,
        json={"unit_code": unit, "results": "Tình hình Nhân dân ổn định.", **body},
        headers=stack.auth(unit, Role.OFFICER),
    )
    assert reply.status_code == 201, reply.text
    return reply.json()


async def fill_reports(stack: ReportingStack) -> None:
    for unit in (HONG_HA, BA_DINH, HO_CHI_MINH_CITY):
        await submitted(
            stack, unit, period="2026Q1", kind="work", number="05-BC/ĐU", place="Hà Nội"
        )
    await submitted(
        stack,
        HONG_HA,
        period="202603",
        kind="people_situation",
        concerns=[
            {"topic": "Giá điện tăng", "unit_codes": [HONG_HA], "hot_spot": False},
            {"topic": "Bồi thường giải phóng mặt bằng", "unit_codes": [HONG_HA], "hot_spot": True},
        ],
    )
    await submitted(stack, BA_DINH, period="202602", kind="people_situation")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, 4),
        ({"sort": "period"}, 4),
        ({"sort": "-status", "kind": "people_situation"}, 2),
        ({"period": "2026Q1", "sort": "due_on"}, 2),
        ({"unit_code": HONG_HA}, 2),
    ],
)
async def test_the_reports_list_exports_as_csv_and_xlsx_exactly_the_rows_of_its_pages(
    stack: ReportingStack, params: dict[str, str], expected: int
) -> None:
    await fill_reports(stack)
    found = await assert_exports_hold_the_pages(
        stack.client, REPORTS, stack.auth(HANOI, Role.VIEWER), params, name="reports"
    )
    assert len(found) == expected
    assert HO_CHI_MINH_CITY not in {report["unit_code"] for report in found}


async def test_a_reports_export_carries_labels_and_counts_another_province_sees_only_its_own(
    stack: ReportingStack,
) -> None:
    await fill_reports(stack)
    reply = await export(
        stack.client, REPORTS, stack.auth(HONG_HA), {"kind": "people_situation"}, fmt="csv"
    )
    header, [row] = csv_table(downloaded(reply, "csv", "reports"))
    cells = dict(zip(header, row, strict=True))
    assert cells["unit_name"].startswith("Phường Hồng Hà")
    assert (cells["concerns_count"], cells["hot_spots_count"], cells["period"]) == (
        "2",
        "1",
        "202603",
    )
    assert '"vi":"Báo cáo phản ánh tình hình Nhân dân"' in cells["kind_label"]

    outsider = stack.auth(HO_CHI_MINH_CITY, Role.VIEWER)
    own = await assert_exports_hold_the_pages(stack.client, REPORTS, outsider, name="reports")
    assert [report["unit_code"] for report in own] == [HO_CHI_MINH_CITY]
    refused = await export(stack.client, REPORTS, outsider, {"unit_code": HANOI}, fmt="xlsx")
    assert refused.status_code == 403, refused.text


async def test_a_bad_format_or_sort_of_the_reports_list_is_refused_by_name(
    stack: ReportingStack,
) -> None:
    await assert_bad_format_and_sort_refused(
        stack.client,
        REPORTS,
        stack.auth(HANOI, Role.VIEWER),
        ReportQuery.model_fields["sort"].examples or [],
    )
