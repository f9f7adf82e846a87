"""A unit's report downloaded through the gateway opens with a real reader (python-docx,
openpyxl) and carries the dashboard's figures, with the change against the year before."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

import docx
import openpyxl  # type: ignore[import-untyped]
import pytest

from danvan.contracts.rpc import Role
from danvan.embedded import EmbeddedNats
from tests.conftest import MakeDatabase
from tests.reporting_stack import ReportingStack, model_registered, reporting_stack

HONG_HA = "00097"
PHUC_XA = "old-00001"  # merged whole into Hồng Hà on 2025-07-01


@pytest.fixture
async def stack(
    make_database: MakeDatabase, fresh_nats: EmbeddedNats, tmp_path: Path
) -> AsyncIterator[ReportingStack]:
    url = await make_database("reporting")
    async with reporting_stack(tmp_path, fresh_nats.url, url) as running:
        yield running


async def download(stack: ReportingStack, unit: str, fmt: str, period: str) -> bytes:
    reply = await stack.client.get(
        f"/api/v1/units/{unit}/report.{fmt}",
        params={"period": period},
        headers=stack.auth("01", Role.VIEWER),
    )
    assert reply.status_code == 200, reply.text
    assert "attachment" in reply.headers["content-disposition"]
    return reply.content


def document_text(content: bytes) -> str:
    """Every paragraph's text, the header table's (emblem line, issuing body) included."""
    document = docx.Document(BytesIO(content))
    in_tables = [p.text for t in document.tables for c in t._cells for p in c.paragraphs]
    return "\n".join([*in_tables, *(p.text for p in document.paragraphs)])


def cells(sheet: Any) -> list[list[Any]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


async def test_the_city_report_downloads_as_docx_and_xlsx_with_its_figures_and_changes(
    stack: ReportingStack,
) -> None:
    # Three models in 2024 at a former commune, six in 2025 at it and its successor.
    for day in (date(2024, 3, 1), date(2024, 4, 1), date(2024, 5, 1)):
        await stack.publish(model_registered(PHUC_XA, day))
    for day in (date(2025, 3, 1), date(2025, 4, 1)):
        await stack.publish(model_registered(PHUC_XA, day))
    for day in (date(2025, 8, 1), date(2025, 9, 1), date(2025, 10, 1), date(2025, 11, 1)):
        await stack.publish(model_registered(HONG_HA, day))
    await stack.wait_for("01", "2025", "models.registered", 6)

    text = document_text(await download(stack, "01", "docx", "2025"))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "THÀNH ỦY HÀ NỘI" in text
    # 6 against 3 the year before: doubled.
    assert "tăng 100,0% so với cùng kỳ năm 2024" in text

    workbook = openpyxl.load_workbook(BytesIO(await download(stack, "01", "xlsx", "2025")))
    models = next(name for name in workbook.sheetnames if name.startswith("Mô hình"))
    rows = cells(workbook[models])
    registered = next(row for row in rows if row[0] == "Mô hình đăng ký")
    assert registered[1:3] == [6, 3]
    hong_ha = next(row for row in rows if row[1] == HONG_HA)
    assert hong_ha[2] == 6  # the children's block: Hồng Hà, first indicator column


async def test_an_approved_report_exports_as_approved_with_the_months_concerns(
    stack: ReportingStack,
) -> None:
    await stack.publish(model_registered(HONG_HA, date(2026, 3, 2)))
    await stack.wait_for(HONG_HA, "202603", "models.registered", 1, basis="cutoff")
    commune = stack.auth(HONG_HA, Role.OFFICER)
    work = {
        "unit_code": HONG_HA,
        "period": "202603",
        "kind": "work",
        "results": "Tổ chức hội nghị đối thoại với Nhân dân tổ dân phố số 5.",
        "limitations": "Một số tổ dân phố chưa báo cáo kịp thời.",
        "tasks": "Nhân rộng mô hình trong tháng 4.",
    }
    submitted = await stack.client.post("/api/v1/reports", json=work, headers=commune)
    assert submitted.status_code == 201, submitted.text
    approved = await stack.client.post(
        f"/api/v1/reports/{submitted.json()['id']}/approve",
        json={},
        headers=stack.auth("01", Role.LEADER),
    )
    assert approved.status_code == 200, approved.text
    situation = {
        "unit_code": HONG_HA,
        "period": "202603",
        "kind": "people_situation",
        "results": "Tình hình Nhân dân cơ bản ổn định.",
        "concerns": [
            {"topic": "Bồi thường giải phóng mặt bằng", "unit_codes": [HONG_HA], "hot_spot": True}
        ],
    }
    raised = await stack.client.post("/api/v1/reports", json=situation, headers=commune)
    assert raised.status_code == 201, raised.text
    # A model registered after the approval: the dashboard moves, the approved report does not.
    await stack.publish(model_registered(HONG_HA, date(2026, 3, 3)))
    await stack.wait_for(HONG_HA, "202603", "models.registered", 2)

    text = document_text(await download(stack, HONG_HA, "docx", "202603"))
    assert work["results"] in text
    assert work["tasks"] in text
    assert "Bồi thường giải phóng mặt bằng" in text
    workbook = openpyxl.load_workbook(BytesIO(await download(stack, HONG_HA, "xlsx", "202603")))
    models = next(name for name in workbook.sheetnames if name.startswith("Mô hình"))
    registered = next(row for row in cells(workbook[models]) if row[0] == "Mô hình đăng ký")
    assert registered[1] == 1  # as approved
