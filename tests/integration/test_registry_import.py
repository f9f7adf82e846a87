"""Bulk registration from a spreadsheet through the gateway: all rows or none."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from danvan.contracts.rpc import Role
from danvan.embedded import EmbeddedNats
from danvan.spreadsheets import XLSX_MEDIA_TYPE, write_csv, write_xlsx
from tests.conftest import MakeDatabase
from tests.registry_stack import RegistryStack, registry_stack
from tests.stream_reader import read_stream, stream_size
from tests.waiting import eventually

HEADER = ["name", "field", "unit_code", "registered_on", "topics", "criteria"]
ROWS = 10_000
# Rows as a person sees them in Excel (the header is row 1), with what is wrong in each.
BAD_ROWS = {
    17: ("unit_code", "99999"),
    5_002: ("field", "thể thao"),
    9_999: ("registered_on", "31/02/2026"),
}


def good_row(number: int) -> list[str]:
    commune = ("00097", "00004", "00292")[number % 3]
    return [
        f"Mô hình Dân vận khéo số {number}",
        "culture_society",
        commune,
        "02/03/2026",
        "civilised_urban_areas; chuyển đổi số",
        "Tiêu chí 1; Tiêu chí 2",
    ]


def rows(*, with_errors: bool) -> list[list[str]]:
    table = []
    for number in range(2, ROWS + 2):
        row = good_row(number)
        if with_errors and number in BAD_ROWS:
            column, value = BAD_ROWS[number]
            row[HEADER.index(column)] = value
        table.append(row)
    return table


@pytest.fixture
async def stack(
    make_database: MakeDatabase, fresh_nats: EmbeddedNats, tmp_path: Path
) -> AsyncIterator[RegistryStack]:
    url = await make_database("registry")
    async with registry_stack(tmp_path, fresh_nats.url, url) as running:
        yield running


async def upload(stack: RegistryStack, name: str, content: bytes, media_type: str) -> Any:
    return await stack.client.post(
        "/api/v1/models/import",
        files={"file": (name, content, media_type)},
        headers=stack.auth("01", Role.OFFICER),
    )


async def test_a_file_with_three_bad_rows_registers_nothing_and_the_corrected_file_everything(
    stack: RegistryStack,
) -> None:
    bad = await upload(stack, "mo-hinh.csv", write_csv(HEADER, rows(with_errors=True)), "text/csv")
    assert bad.status_code == 422, bad.text
    error = bad.json()["error"]
    assert {(d["row"], d["field"]) for d in error["details"]} == {
        (row, column) for row, (column, _) in BAD_ROWS.items()
    }
    assert error["message"].startswith("3 of 10000 rows have errors; nothing was registered")
    listing = await stack.client.get("/api/v1/models", headers=stack.auth("01"))
    assert listing.json()["total"] == 0

    good = await upload(
        stack, "mo-hinh.csv", write_csv(HEADER, rows(with_errors=False)), "text/csv"
    )
    assert good.status_code == 201, good.text
    assert good.json()["registered"] == ROWS
    listing = await stack.client.get("/api/v1/models", headers=stack.auth("01"))
    assert listing.json()["total"] == ROWS

    async def all_published() -> bool:
        return await stream_size(stack.nats_url, "REGISTRY") >= ROWS

    await eventually(all_published, timeout=60)
    received = await read_stream(stack.nats_url, "REGISTRY")
    assert len(received) == ROWS
    assert len({r.event["id"] for r in received}) == ROWS
    assert {r.event["data"]["model_id"] for r in received} == set(good.json()["ids"])
    assert {r.event["data"]["topics"][1] for r in received} == {"digital_transformation"}


async def test_a_vietnamese_spreadsheet_with_its_own_headings_is_understood(
    stack: RegistryStack,
) -> None:
    header = ["Tên mô hình", "Lĩnh vực", "Mã đơn vị", "Thôn, tổ dân phố", "Ngày đăng ký"]
    content = write_xlsx(
        header,
        [
            ["Ngõ, xóm liên gia tự quản", "Văn hóa - xã hội", "00097", "Tổ 5", "15/01/2026"],
            ["Hàng cây đại đoàn kết", "Kinh tế", "00097", "", "2026-01-20"],
        ],
    )
    reply = await upload(stack, "Đăng ký.xlsx", content, XLSX_MEDIA_TYPE)
    assert reply.status_code == 201, reply.text
    listing = (
        await stack.client.get(
            "/api/v1/models", params={"sort": "name"}, headers=stack.auth("00097")
        )
    ).json()
    assert [(m["name"], m["field"], m["locality"]) for m in listing["data"]] == [
        ("Hàng cây đại đoàn kết", "economy", ""),
        ("Ngõ, xóm liên gia tự quản", "culture_society", "Tổ 5"),
    ]


async def test_an_unknown_column_is_refused_before_any_row_is_sent(stack: RegistryStack) -> None:
    content = write_csv(["name", "field", "unit_code", "colour"], [["A", "economy", "00097", "x"]])
    reply = await upload(stack, "a.csv", content, "text/csv")
    assert reply.status_code == 422
    (detail,) = reply.json()["error"]["details"]
    assert (detail["row"], detail["field"], detail["reason"]) == (1, "colour", "unknown column")


async def test_a_file_that_is_not_a_spreadsheet_is_refused(stack: RegistryStack) -> None:
    reply = await upload(stack, "notes.txt", b"hello", "text/plain")
    assert reply.status_code == 422
    assert "csv" in reply.json()["error"]["message"].lower()
