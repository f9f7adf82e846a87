"""Reception's lists (visits, petitions, dialogues, the personal-data audit) exported as CSV
and XLSX through the gateway, on a real nats-server and a real database (SQLite and
PostgreSQL): a file holds exactly the rows the JSON pages hold, identities masked as in the
pages and every identity shown audited; filters apply; the scope applies."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from danvan.contracts.paging import PageRequest
from danvan.contracts.reception import AuditQuery, DialogueQuery, PetitionQuery, VisitQuery
from danvan.contracts.rpc import Role
from danvan.embedded import EmbeddedNats
from tests.conftest import MakeDatabase
from tests.list_exports import (
    assert_bad_format_and_sort_refused,
    assert_exports_hold_the_pages,
    csv_table,
    downloaded,
    export,
    json_pages,
)
from tests.reception_stack import ReceptionStack, reception_stack

COMMUNE = "00097"  # Phường Hồng Hà, Hà Nội
OTHER_COMMUNE = "00004"  # Phường Ba Đình, Hà Nội
HANOI = "01"
HO_CHI_MINH_CITY = "79"
AUDIT = "/api/v1/audit/personal-data"

LISTS = {
    "visits": VisitQuery,
    "petitions": PetitionQuery,
    "dialogues": DialogueQuery,
    "audit/personal-data": AuditQuery,
}
FILE_NAMES = {"audit/personal-data": "personal-data-audit"}


def person(name: str, id_number: str, street: str, unit: str = COMMUNE) -> dict[str, Any]:
    return {
        "name": name,
        "id_number": id_number,
        "phone": "0912345678",
        "address": {"unit_code": unit, "street": street},
    }


@pytest.fixture
async def stack(
    make_database: MakeDatabase, fresh_nats: EmbeddedNats, tmp_path: Path
) -> AsyncIterator[ReceptionStack]:
    url = await make_database("reception")
    async with reception_stack(tmp_path, fresh_nats.url, url) as running:
        yield running


async def created(stack: ReceptionStack, path: str, body: dict[str, Any], unit: str) -> Any:
    reply = await stack.client.post(path, json=body, headers=stack.auth(unit, Role.OFFICER))
    assert reply.status_code == 201, reply.text
    return reply.json()


async def fill_reception(stack: ReceptionStack) -> None:
    """Visits, petitions and dialogues in two communes of Hà Nội and in Hồ Chí Minh City."""
    visits = [
        (COMMUNE, "periodic", "head", 12, person("Lê Thị Hoa", "001190012345", "Ngõ 12 Âu Cơ")),
        (
            OTHER_COMMUNE,
            "regular",
            "officer",
            1,
            person("Phạm Văn Nam", "001090054321", "Phố Đội Cấn", OTHER_COMMUNE),
        ),
        (
            HO_CHI_MINH_CITY,
            "regular",
            "officer",
            1,
            person("Võ Thị Sáu", "079190011111", "Đường Lê Lợi", HO_CHI_MINH_CITY),
        ),
    ]
    for n, (unit, mode, role, headcount, visitor) in enumerate(visits):
        await created(
            stack,
            "/api/v1/visits",
            {
                "unit_code": unit,
                "mode": mode,
                "receiver_name": "Trần Văn Bình",
                "receiver_role": role,
                "headcount": headcount,
                "visitors": [visitor],
                "representatives": [visitor] if headcount >= 5 else [],
                "matter": ("Bồi thường giải phóng mặt bằng", "Cấp giấy chứng nhận", "Ồn ào")[n],
            },
            unit,
        )
    petitions = [
        (
            COMMUNE,
            "complaint",
            "compensation",
            "Khiếu nại đơn giá bồi thường",
            person("Đỗ Thị Hương", "001190099999", "Ngõ 5 Âu Cơ"),
        ),
        (
            OTHER_COMMUNE,
            "recommendation",
            "administration",
            "Kiến nghị cải cách thủ tục",
            person("Ngô Văn Tám", "001090077777", "Phố Kim Mã", OTHER_COMMUNE),
        ),
        (
            HO_CHI_MINH_CITY,
            "feedback",
            "other",
            "Phản ánh tiếng ồn",
            person("Lý Thị Mai", "079190022222", "Đường Nguyễn Huệ", HO_CHI_MINH_CITY),
        ),
    ]
    for unit, petition_class, sector, summary, petitioner in petitions:
        await created(
            stack,
            "/api/v1/petitions",
            {
                "unit_code": unit,
                "source": "in_person",
                "petition_class": petition_class,
                "sector": sector,
                "petitioner": petitioner,
                "respondent": "Ủy ban nhân dân phường",
                "summary": summary,
            },
            unit,
        )
    dialogues = [
        (COMMUNE, "commune", "Trật tự vỉa hè và chiếu sáng ngõ"),
        (OTHER_COMMUNE, "commune", "Chỉnh trang đô thị"),
        (HO_CHI_MINH_CITY, "province", "Giải phóng mặt bằng Thủ Thiêm"),
    ]
    for unit, level, topic in dialogues:
        await created(
            stack,
            "/api/v1/dialogues",
            {
                "unit_code": unit,
                "level": level,
                "held_on": "2026-11-10",
                "chair": "Trần Văn Bình, Chủ tịch",
                "participants": 120,
                "opinions_raised": 14,
                "topic": topic,
                "follow_ups": [
                    {
                        "description": "Lắp đèn ngõ 12",
                        "owner": "Phòng Kinh tế",
                        "due_on": "2026-12-31",
                    },
                    {
                        "description": "Dọn vỉa hè",
                        "owner": "Công an phường",
                        "due_on": "2026-12-15",
                    },
                ],
            },
            unit,
        )
    # Each unit's officer reads its own records, identities shown: the audit has rows.
    for unit in (COMMUNE, OTHER_COMMUNE, HO_CHI_MINH_CITY):
        for resource in ("visits", "petitions"):
            await json_pages(stack.client, f"/api/v1/{resource}", stack.auth(unit))


def reader(resource: str, unit: str, role: Role = Role.VIEWER) -> tuple[str, Role]:
    """Who reads a list: the audit is for admins only."""
    return unit, Role.ADMIN if resource == "audit/personal-data" else role


@pytest.mark.parametrize("resource", LISTS)
async def test_each_reception_list_exports_as_csv_and_xlsx_exactly_the_rows_of_its_pages(
    stack: ReceptionStack, resource: str
) -> None:
    await fill_reception(stack)
    path = f"/api/v1/{resource}"
    name = FILE_NAMES.get(resource, resource)
    hanoi = await assert_exports_hold_the_pages(
        stack.client, path, stack.auth(*reader(resource, HANOI)), name=name
    )
    assert len(hanoi) >= 2
    assert HO_CHI_MINH_CITY not in {item["unit_code"] for item in hanoi}
    outsider = await assert_exports_hold_the_pages(
        stack.client, path, stack.auth(*reader(resource, HO_CHI_MINH_CITY)), name=name
    )
    assert {item["unit_code"] for item in outsider} <= {HO_CHI_MINH_CITY}
    refused = await export(
        stack.client,
        path,
        stack.auth(*reader(resource, HO_CHI_MINH_CITY)),
        {"unit_code": COMMUNE},
        fmt="xlsx",
    )
    assert refused.status_code == 403, refused.text


async def test_an_export_shows_identities_only_to_the_handling_unit_and_audits_each_one_shown(
    stack: ReceptionStack,
) -> None:
    await fill_reception(stack)
    admin = stack.auth(HANOI, Role.ADMIN)
    before = len(await json_pages(stack.client, AUDIT, admin))

    # The city reads its communes' visits and petitions masked: nothing to audit.
    for resource in ("visits", "petitions"):
        masked = await assert_exports_hold_the_pages(
            stack.client, f"/api/v1/{resource}", stack.auth(HANOI), name=resource
        )
        people = [p for item in masked for p in (item.get("visitors") or [item.get("petitioner")])]
        assert {p["name"] for p in people} == {"***"}
    assert len(await json_pages(stack.client, AUDIT, admin)) == before

    # The commune's officer exports its own visit with the visitor's identity: one audit row,
    # the newest.
    stack.clock.advance(timedelta(minutes=5))
    reply = await export(stack.client, "/api/v1/visits", stack.auth(COMMUNE), fmt="csv")
    header, [row] = csv_table(downloaded(reply, "csv", "visits"))
    visitors = row[header.index("visitors")]
    assert "Lê Thị Hoa" in visitors
    assert "001190012345" in visitors
    audit = await assert_exports_hold_the_pages(
        stack.client, AUDIT, admin, name="personal-data-audit"
    )
    assert len(audit) == before + 1
    assert (audit[0]["reader"], audit[0]["record_kind"], audit[0]["action"]) == (
        "00097-officer",
        "visit",
        "read",
    )
    leader = await export(stack.client, AUDIT, stack.auth(HANOI, Role.LEADER), fmt="csv")
    assert leader.status_code == 403


@pytest.mark.parametrize(
    ("resource", "params", "expected"),
    [
        ("visits", {"crowd": "true"}, 1),
        ("visits", {"q": "cap giay chung nhan"}, 1),
        ("petitions", [("petition_class", "complaint"), ("sort", "status")], 1),
        ("petitions", {"q": "do thi huong"}, 0),  # names are not searched, summaries are
        ("petitions", {"q": "don gia boi thuong"}, 1),
        ("dialogues", {"q": "trat tu via he"}, 1),
        ("dialogues", {"q": "tran van binh", "sort": "held_on"}, 2),
        ("dialogues", {"unit_code": OTHER_COMMUNE}, 1),
    ],
)
async def test_an_export_holds_only_the_rows_its_filters_find(
    stack: ReceptionStack, resource: str, params: Any, expected: int
) -> None:
    await fill_reception(stack)
    found = await assert_exports_hold_the_pages(
        stack.client, f"/api/v1/{resource}", stack.auth(HANOI), params, name=resource
    )
    assert len(found) == expected


@pytest.mark.parametrize(("resource", "query_type"), LISTS.items())
async def test_a_bad_format_or_sort_is_refused_by_name_for_every_reception_list(
    stack: ReceptionStack, resource: str, query_type: type[PageRequest]
) -> None:
    await assert_bad_format_and_sort_refused(
        stack.client,
        f"/api/v1/{resource}",
        stack.auth(*reader(resource, HANOI)),
        query_type.model_fields["sort"].examples or [],
    )
