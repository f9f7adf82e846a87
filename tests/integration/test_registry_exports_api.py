"""The registry's lists (models, exemplars, organisations, contests) exported as CSV and XLSX
through the gateway, on a real nats-server and a real database (SQLite and PostgreSQL): a
file holds exactly the rows the JSON pages hold, in the same order, with Vietnamese intact;
filters and sort apply; the scope applies; a long list is refused past the cap."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from danvan.contracts.contests import ContestQuery
from danvan.contracts.organisations import OrganisationQuery
from danvan.contracts.paging import PageRequest
from danvan.contracts.registry import ExemplarQuery, ModelQuery
from danvan.contracts.rpc import Role
from danvan.embedded import EmbeddedNats
from danvan.spreadsheets import write_csv
from danvan.text import sort_key
from tests.conftest import MakeDatabase
from tests.list_exports import (
    assert_bad_format_and_sort_refused,
    assert_exports_hold_the_pages,
    csv_table,
    downloaded,
    export,
    ids_in,
    json_pages,
)
from tests.registry_stack import RegistryStack, registry_stack

COMMUNE = "00097"  # Phường Hồng Hà, Hà Nội
OTHER_COMMUNE = "00004"  # Phường Ba Đình, Hà Nội
HANOI = "01"
HO_CHI_MINH_CITY = "79"

LISTS = {
    "models": ModelQuery,
    "exemplars": ExemplarQuery,
    "organisations": OrganisationQuery,
    "contests": ContestQuery,
}


@pytest.fixture
async def stack(
    make_database: MakeDatabase, fresh_nats: EmbeddedNats, tmp_path: Path
) -> AsyncIterator[RegistryStack]:
    url = await make_database("registry")
    async with registry_stack(tmp_path, fresh_nats.url, url) as running:
        yield running


async def created(
    stack: RegistryStack, path: str, body: dict[str, Any], unit: str, role: Role
) -> Any:
    reply = await stack.client.post(path, json=body, headers=stack.auth(unit, role))
    assert reply.status_code == 201, reply.text
    return reply.json()


async def model(stack: RegistryStack, name: str, unit: str = COMMUNE, **details: Any) -> Any:
    body = {"name": name, "field": "culture_society", "unit_code": unit, **details}
    return await created(stack, "/api/v1/models", body, unit, Role.OFFICER)


async def fill_registry(stack: RegistryStack) -> None:
    """A few rows of every list in Hà Nội, and one of each in Hồ Chí Minh City."""
    organisation = await created(
        stack,
        "/api/v1/organisations",
        {
            "name": "Hội Liên hiệp Phụ nữ phường Hồng Hà",
            "kind": "front_or_mass_organisation",
            "unit_code": COMMUNE,
        },
        HANOI,
        Role.ADMIN,
    )
    await created(
        stack,
        "/api/v1/organisations",
        {"name": "Công an thành phố Hà Nội", "kind": "police", "unit_code": HANOI},
        HANOI,
        Role.ADMIN,
    )
    await created(
        stack,
        "/api/v1/organisations",
        {"name": "Công an Thành phố Hồ Chí Minh", "kind": "police", "unit_code": HO_CHI_MINH_CITY},
        HO_CHI_MINH_CITY,
        Role.ADMIN,
    )
    await model(
        stack,
        "Cổng trường an toàn văn minh",
        topics=["civilised_urban_areas"],
        criteria=["Không còn hàng quán lấn chiếm cổng trường", "Học sinh đội mũ bảo hiểm"],
        attachments=[{"url": "https://example.vn/ke-hoach.pdf", "title": "Kế hoạch số 12"}],
        organisation_id=organisation["id"],
        start_date="2026-03-02",
        registered_on="2026-03-02",
    )
    await model(
        stack, "Tổ tự quản đường làng ngõ xóm", unit=OTHER_COMMUNE, registered_on="2026-04-01"
    )
    await model(stack, "Đường hoa phường Hồng Hà", description="=1+1 không phải công thức")
    await model(stack, "Dân vận khéo Sài Gòn", unit=HO_CHI_MINH_CITY)
    for name, kind, unit in [
        ("Nguyễn Thị Lan", "individual", COMMUNE),
        ("Chi hội Cựu chiến binh tổ 5", "collective", OTHER_COMMUNE),
        ("Trần Văn Ơn", "individual", HO_CHI_MINH_CITY),
    ]:
        await created(
            stack,
            "/api/v1/exemplars",
            {
                "kind": kind,
                "name": name,
                "field": "economy",
                "unit_code": unit,
                "achievement": "Vận động 40 hộ hiến đất mở rộng ngõ",
            },
            unit,
            Role.OFFICER,
        )
    for name, level, unit, year in [
        ("Hội thi Dân vận khéo phường Hồng Hà năm 2026", "commune", COMMUNE, 2026),
        ("Hội thi Dân vận khéo thành phố Hà Nội năm 2025", "province", HANOI, 2025),
        ("Hội thi Dân vận khéo Thành phố Hồ Chí Minh", "province", HO_CHI_MINH_CITY, 2026),
    ]:
        await created(
            stack,
            "/api/v1/contests",
            {"name": name, "level": level, "year": year, "unit_code": unit},
            unit,
            Role.LEADER,
        )


def unit_codes(items: list[dict[str, Any]]) -> set[str]:
    return {item["unit_code"] for item in items}


@pytest.mark.parametrize("resource", LISTS)
async def test_each_registry_list_exports_as_csv_and_xlsx_exactly_the_rows_of_its_pages(
    stack: RegistryStack, resource: str
) -> None:
    await fill_registry(stack)
    path = f"/api/v1/{resource}"
    hanoi = await assert_exports_hold_the_pages(
        stack.client, path, stack.auth(HANOI, Role.VIEWER), name=resource
    )
    assert len(hanoi) >= 2
    assert HO_CHI_MINH_CITY not in unit_codes(hanoi)
    # Another province's export holds its own rows and none of Hà Nội's.
    outsider = await assert_exports_hold_the_pages(
        stack.client, path, stack.auth(HO_CHI_MINH_CITY, Role.VIEWER), name=resource
    )
    assert unit_codes(outsider) == {HO_CHI_MINH_CITY}
    refused = await export(
        stack.client,
        path,
        stack.auth(HO_CHI_MINH_CITY, Role.VIEWER),
        {"unit_code": HANOI},
        fmt="csv",
    )
    assert refused.status_code == 403, refused.text


async def test_a_models_export_keeps_nested_and_listed_details_readable(
    stack: RegistryStack,
) -> None:
    await fill_registry(stack)
    reply = await export(
        stack.client, "/api/v1/models", stack.auth(COMMUNE), {"q": "cong truong"}, fmt="csv"
    )
    header, [row] = csv_table(downloaded(reply, "csv", "models"))
    cells = dict(zip(header, row, strict=True))
    assert cells["name"] == "Cổng trường an toàn văn minh"
    assert cells["criteria"] == (
        "Không còn hàng quán lấn chiếm cổng trường; Học sinh đội mũ bảo hiểm"
    )
    assert cells["attachments"] == (
        '[{"url":"https://example.vn/ke-hoach.pdf","title":"Kế hoạch số 12"}]'
    )
    assert (cells["registered_on"], cells["start_date"], cells["status"]) == (
        "2026-03-02",
        "2026-03-02",
        "registered",
    )
    # Excel would run a cell that starts with "=": the CSV keeps it text.
    formula = await export(
        stack.client, "/api/v1/models", stack.auth(COMMUNE), {"q": "duong hoa"}, fmt="csv"
    )
    header, [row] = csv_table(downloaded(formula, "csv", "models"))
    assert row[header.index("description")] == "'=1+1 không phải công thức"


async def test_a_long_models_export_walks_every_page_in_the_lists_filter_and_sort(
    stack: RegistryStack,
) -> None:
    names = [f"Mô hình Dân vận khéo số {n}" for n in range(1, 421)] + [
        f"Tổ tự quản số {n}" for n in range(1, 31)
    ]
    upload = write_csv(
        ["Tên mô hình", "Lĩnh vực", "Mã đơn vị", "Ngày đăng ký"],
        [
            [name, "culture_society", (COMMUNE, OTHER_COMMUNE)[n % 2], "02/03/2026"]
            for n, name in enumerate(names)
        ],
    )
    imported = await stack.client.post(
        "/api/v1/models/import",
        files={"file": ("mo-hinh.csv", upload, "text/csv")},
        headers=stack.auth(HANOI),
    )
    assert imported.status_code == 201, imported.text
    viewer = stack.auth(HANOI, Role.VIEWER)

    by_name = await assert_exports_hold_the_pages(
        stack.client, "/api/v1/models", viewer, {"sort": "name"}, name="models", limit=200
    )
    assert [m["name"] for m in by_name] == sorted(names, key=sort_key)  # "số 2" before "số 10"
    reversed_order = await assert_exports_hold_the_pages(
        stack.client, "/api/v1/models", viewer, {"sort": "-name"}, name="models", limit=200
    )
    assert [m["name"] for m in reversed_order] == sorted(names, key=sort_key, reverse=True)
    found = await assert_exports_hold_the_pages(
        stack.client,
        "/api/v1/models",
        viewer,
        [("q", "to tu quan"), ("unit_code", COMMUNE)],
        name="models",
    )
    assert len(found) == 15
    assert {m["unit_code"] for m in found} == {COMMUNE}


async def test_an_export_longer_than_the_cap_is_refused_with_the_cap_and_the_total(
    make_database: MakeDatabase, fresh_nats: EmbeddedNats, tmp_path: Path
) -> None:
    url = await make_database("registry")
    async with registry_stack(tmp_path, fresh_nats.url, url, export_max_rows=2) as stack:
        for name in ("Đường hoa", "Ngõ sạch", "Tổ tự quản"):
            await model(stack, name)
        for fmt in ("csv", "xlsx"):
            refused = await export(stack.client, "/api/v1/models", stack.auth(COMMUNE), fmt=fmt)
            assert refused.status_code == 422, refused.text
            error = refused.json()["error"]
            assert error["message"].startswith("the list has 3 rows, more than the 2 ")
            assert error["details"] == [
                {
                    "field": "format",
                    "reason": "3 rows match; an export holds at most 2",
                    "hint": None,
                    "row": None,
                }
            ]
        # The JSON pages are not capped, and a filtered export within the cap is a file.
        assert len(await json_pages(stack.client, "/api/v1/models", stack.auth(COMMUNE))) == 3
        narrowed = await export(
            stack.client, "/api/v1/models", stack.auth(COMMUNE), {"q": "duong hoa"}, fmt="xlsx"
        )
        assert len(ids_in("xlsx", downloaded(narrowed, "xlsx", "models"))) == 1


@pytest.mark.parametrize(("resource", "query_type"), LISTS.items())
async def test_a_bad_format_or_sort_is_refused_by_name_for_every_registry_list(
    stack: RegistryStack, resource: str, query_type: type[PageRequest]
) -> None:
    await assert_bad_format_and_sort_refused(
        stack.client,
        f"/api/v1/{resource}",
        stack.auth(HANOI),
        query_type.model_fields["sort"].examples or [],
    )
