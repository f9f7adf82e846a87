"""Reporting's figures through the gateway, on a real nats-server and a real database (SQLite
and PostgreSQL): events published onto the producers' streams as the outbox relay publishes
them, counted in both boundaries, compared with the year before, at the unit's own level and
per child, rates from summed parts, duplicates and disorder, the period basis, freshness, and
figures entered by hand or imported from a spreadsheet."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from danvan.contracts.rpc import Role
from danvan.embedded import EmbeddedNats
from tests.conftest import MakeDatabase
from tests.reporting_stack import (
    Event,
    ReportingStack,
    child_amount,
    crowd_visit,
    figure_of,
    model_registered,
    petition_accepted,
    petition_concluded,
    petition_received,
    reporting_stack,
)
from tests.waiting import eventually

MODELS = "models.registered"
HONG_HA = "00097"  # Phường Hồng Hà, Hà Nội: old-00001 Phúc Xá went into it whole
BA_DINH = "00004"  # Phường Ba Đình, Hà Nội
HAI_BA_TRUNG = "00256"  # Phường Hai Bà Trưng: the default successor of split old-00244
PHUC_XA = "old-00001"  # Phường Phúc Xá of the former Quận Ba Đình (old-001), merged whole
CHUONG_DUONG = "old-00067"  # Phường Chương Dương, also merged whole into 00097
BACH_DANG = "old-00244"  # Phường Bạch Đằng of the former Quận Hai Bà Trưng, split: 00256, 00097
HANOI = "01"


@pytest.fixture
async def stack(
    make_database: MakeDatabase, fresh_nats: EmbeddedNats, tmp_path: Path
) -> AsyncIterator[ReportingStack]:
    url = await make_database("reporting")
    async with reporting_stack(tmp_path, fresh_nats.url, url) as running:
        yield running


def models(unit: str, *days: date) -> list[Event]:
    return [model_registered(unit, day) for day in days]


# ---- boundaries -------------------------------------------------------------------------------


async def test_a_merged_communes_facts_count_in_its_successor_today_and_as_recorded_historically(
    stack: ReportingStack,
) -> None:
    merged = models(PHUC_XA, date(2024, 3, 5), date(2024, 9, 12))
    split = models(BACH_DANG, date(2024, 5, 20))
    await stack.publish_all([*merged, *split])
    await stack.wait_for("VN", "2024", MODELS, 3)
    await stack.settled()

    # Current boundaries: Phúc Xá's facts in Hồng Hà, Bạch Đằng's in its default successor.
    hong_ha = await stack.figure(HONG_HA, "2024", MODELS)
    assert (hong_ha["amount"], hong_ha["attributed"]) == (2, 0)
    hai_ba_trung = await stack.figure(HAI_BA_TRUNG, "2024", MODELS)
    assert (hai_ba_trung["amount"], hai_ba_trung["attributed"]) == (1, 1)
    hanoi = await stack.unit_figures(HANOI, "2024")
    assert (figure_of(hanoi, MODELS)["amount"], figure_of(hanoi, MODELS)["attributed"]) == (3, 1)
    assert child_amount(hanoi, HONG_HA, MODELS) == 2
    assert child_amount(hanoi, HAI_BA_TRUNG, MODELS) == 1
    assert [p["code"] for p in hanoi["parents"]] == ["VN"]
    nation = await stack.figure("VN", "2024", MODELS)
    assert (nation["amount"], nation["attributed"]) == (3, 1)

    # Historical boundaries: where they were recorded, and nothing under today's units.
    for unit, expected in (
        (PHUC_XA, 2),
        ("old-001", 2),  # Quận Ba Đình
        (BACH_DANG, 1),
        ("old-007", 1),  # Quận Hai Bà Trưng
        ("old-01", 3),  # the former Thành phố Hà Nội
        ("VN", 3),
        (HONG_HA, 0),
        (HAI_BA_TRUNG, 0),
        (HANOI, 0),
    ):
        found = await stack.figure(unit, "2024", MODELS, boundaries="historical")
        assert (unit, found["amount"], found["attributed"]) == (unit, expected, 0)
    former_city = await stack.unit_figures("old-01", "2024", boundaries="historical")
    assert child_amount(former_city, "old-001", MODELS) == 2
    assert child_amount(former_city, "old-007", MODELS) == 1

    # A former unit has no figures of its own in today's boundaries: the error says where.
    refused = await stack.client.get(
        f"/api/v1/units/{PHUC_XA}/dashboard",
        params={"period": "2024"},
        headers=stack.auth("VN", Role.VIEWER),
    )
    assert refused.status_code == 422, refused.text
    assert HONG_HA in refused.json()["error"]["message"]


async def test_a_post_reform_commune_compares_2025_with_its_predecessors_2024(
    stack: ReportingStack,
) -> None:
    last_year = [
        *models(PHUC_XA, date(2024, 2, 10), date(2024, 11, 3)),
        *models(CHUONG_DUONG, date(2024, 6, 30), date(2024, 12, 31)),
    ]
    # 2025: a fact before the reform at a predecessor, the rest at Hồng Hà itself.
    this_year = [
        *models(PHUC_XA, date(2025, 3, 15)),
        *models(
            HONG_HA,
            date(2025, 7, 1),
            date(2025, 8, 19),
            date(2025, 10, 10),
            date(2025, 11, 11),
            date(2025, 12, 31),
        ),
    ]
    await stack.publish_all([*this_year, *last_year], shuffle=7)
    await stack.wait_for(HONG_HA, "2025", MODELS, 6)
    await stack.wait_for(HONG_HA, "2024", MODELS, 4)
    await stack.settled()

    year = await stack.figure(HONG_HA, "2025", MODELS)
    assert year["amount"] == 6
    assert year["change"] == {"previous": 4, "absolute": 2, "percent": 50.0}
    second_half = await stack.figure(HONG_HA, "2025S2", MODELS)
    assert second_half["amount"] == 5
    assert second_half["change"] == {"previous": 2, "absolute": 3, "percent": 150.0}
    # The breakdown carries its own comparison.
    economy = next(b for b in year["breakdown"] if b["value"] == "economy")
    assert economy["change"] == {"previous": 4, "absolute": 2, "percent": 50.0}
    # A year with nothing the year before has no percentage, only the difference.
    first = await stack.figure(HONG_HA, "2024", MODELS)
    assert first["change"] == {"previous": 0, "absolute": 4, "percent": None}
    # The province's view lists Hồng Hà with the same comparison.
    hanoi = await stack.unit_figures(HANOI, "2025")
    row = next(r for r in hanoi["children"] if r["unit_code"] == HONG_HA)
    assert row["figures"][MODELS] == {"amount": 6, "previous": 4, "percent": 50.0}


async def test_a_fact_recorded_at_the_province_shows_at_its_own_level_and_in_no_child(
    stack: ReportingStack,
) -> None:
    await stack.publish_all(
        [
            *models(HANOI, date(2026, 1, 5)),
            *models(HONG_HA, date(2026, 1, 9), date(2026, 2, 2)),
            *models(BA_DINH, date(2026, 3, 3)),
            # A former district's fact: no district today, so the province's own level.
            *models("old-001", date(2024, 4, 4)),
            *models(PHUC_XA, date(2024, 4, 5)),
        ]
    )
    await stack.wait_for("VN", "2026Q1", MODELS, 4)
    await stack.wait_for("VN", "2024", MODELS, 2)
    await stack.settled()

    hanoi = await stack.unit_figures(HANOI, "2026Q1")
    own = figure_of(hanoi, MODELS, "at_this_level")
    assert own["amount"] == 1
    assert next(b for b in own["breakdown"] if b["value"] == "economy")["amount"] == 1
    assert figure_of(hanoi, MODELS)["amount"] == 4
    children = {r["unit_code"]: r["figures"][MODELS]["amount"] for r in hanoi["children"]}
    assert {code: n for code, n in children.items() if n} == {HONG_HA: 2, BA_DINH: 1}
    for indicator in ("models.registered", "petitions.received", "supervision.sessions"):
        total = figure_of(hanoi, indicator)["amount"]
        at_level = figure_of(hanoi, indicator, "at_this_level")["amount"]
        below = sum(r["figures"][indicator]["amount"] for r in hanoi["children"])
        assert below + at_level == total, indicator
    nation = await stack.unit_figures("VN", "2026Q1")
    assert figure_of(nation, MODELS, "at_this_level")["amount"] == 0
    assert child_amount(nation, HANOI, MODELS) == 4

    # 2024 in today's boundaries: the former district's fact sits at the province's level.
    before = await stack.unit_figures(HANOI, "2024")
    assert figure_of(before, MODELS)["amount"] == 2
    assert figure_of(before, MODELS, "at_this_level")["amount"] == 1
    assert child_amount(before, HONG_HA, MODELS) == 1
    # As recorded, the district's fact is its own level's, not any of its communes'.
    district = await stack.unit_figures("old-001", "2024", boundaries="historical")
    assert figure_of(district, MODELS)["amount"] == 2
    assert figure_of(district, MODELS, "at_this_level")["amount"] == 1
    assert child_amount(district, PHUC_XA, MODELS) == 1


# ---- rates ------------------------------------------------------------------------------------


def _petitions(unit: str, accepted: int, concluded: list[tuple[bool, int]]) -> list[Event]:
    """`accepted` petitions accepted in January; the first ones concluded in February,
    each (on time, days to resolve)."""
    ids = [uuid.uuid4() for _ in range(accepted)]
    found = [petition_accepted(unit, date(2026, 1, 12), pid) for pid in ids]
    for pid, (on_time, days) in zip(ids, concluded, strict=False):
        found.append(petition_concluded(unit, date(2026, 2, 16), pid, on_time=on_time, days=days))
    return found


def hanoi_child_rate(view: dict[str, Any], child: str) -> Any:
    return child_amount(view, child, "petitions.resolution_rate")


async def test_a_provinces_rates_divide_its_summed_parts_not_average_its_communes_rates(
    stack: ReportingStack,
) -> None:
    await stack.publish_all(
        [
            *_petitions(HONG_HA, 4, [(True, 10), (False, 20)]),
            *_petitions(BA_DINH, 1, [(True, 3)]),
        ]
    )
    await stack.wait_for(HANOI, "2026Q1", "petitions.resolved", 3)
    await stack.settled()

    hong_ha = await stack.unit_figures(HONG_HA, "2026Q1")
    assert figure_of(hong_ha, "petitions.resolution_rate")["amount"] == 50.0
    assert figure_of(hong_ha, "petitions.on_time_rate")["amount"] == 50.0
    assert figure_of(hong_ha, "petitions.average_days")["amount"] == 15.0
    ba_dinh = await stack.unit_figures(BA_DINH, "2026Q1")
    assert figure_of(ba_dinh, "petitions.resolution_rate")["amount"] == 100.0
    assert figure_of(ba_dinh, "petitions.average_days")["amount"] == 3.0

    hanoi = await stack.unit_figures(HANOI, "2026Q1")
    resolution = figure_of(hanoi, "petitions.resolution_rate")
    assert (resolution["numerator"], resolution["denominator"]) == (3, 5)
    assert resolution["amount"] == 60.0  # 3 of 5; the communes' rates average 75
    on_time = figure_of(hanoi, "petitions.on_time_rate")
    assert (on_time["numerator"], on_time["denominator"]) == (2, 3)
    assert on_time["amount"] == 66.67  # 2 of 3; the communes' rates average 75
    average = figure_of(hanoi, "petitions.average_days")
    assert (average["numerator"], average["denominator"]) == (33, 3)
    assert average["amount"] == 11.0  # 33 days over 3; the communes' averages average 9
    # The children's rows carry their own rates; a rate with nothing to divide is None.
    assert hanoi_child_rate(hanoi, HONG_HA) == 50.0
    assert hanoi_child_rate(hanoi, "00292") is None  # Phường Bạch Mai: no petitions
    # The year before had no petitions: no comparison to make.
    assert resolution["change"] == {"previous": None, "absolute": None, "percent": None}


# ---- delivery ---------------------------------------------------------------------------------


async def test_republished_and_shuffled_events_count_once_and_a_crowd_case_at_its_first_visit(
    stack: ReportingStack,
) -> None:
    petitions = [
        petition_received(HONG_HA, day)
        for day in (
            date(2026, 1, 3),
            date(2026, 1, 17),
            date(2026, 1, 31),
            date(2026, 2, 1),
            date(2026, 2, 27),
        )
    ]
    # Each twice, the second time under a new Nats-Msg-Id (a republish JetStream keeps), all
    # in a shuffled order; one more time under its own id, which JetStream drops.
    await stack.publish_all(petitions, twice=True, shuffle=20260318)
    again = await stack.publish(petitions[0])
    assert again.duplicate is True
    assert await stack.size("RECEPTION") == 10

    # A crowd case's two delegations, the later one delivered (and applied) first.
    case = uuid.uuid4()
    first_visit = crowd_visit(HONG_HA, date(2026, 1, 20), case, headcount=12)
    second_visit = crowd_visit(HONG_HA, date(2026, 2, 10), case, headcount=30)
    await stack.publish(second_visit)
    await stack.wait_for(HONG_HA, "202602", "crowd.cases", 1)
    await stack.publish(first_visit)
    await stack.publish(second_visit, msg_id=f"{second_visit.id}-again")
    await stack.wait_for(HONG_HA, "202601", "crowd.cases", 1)
    await stack.settled()

    def amounts(view: dict[str, Any], *indicators: str) -> tuple[Any, ...]:
        return tuple(figure_of(view, i)["amount"] for i in indicators)

    counted = ("petitions.received", "crowd.cases", "crowd.delegations", "crowd.people")
    # The case counts once, in the month of its earliest visit; each delegation in its own.
    assert amounts(await stack.unit_figures(HONG_HA, "202601"), *counted) == (3, 1, 1, 12)
    assert amounts(await stack.unit_figures(HONG_HA, "202602"), *counted) == (2, 0, 1, 30)
    assert amounts(await stack.unit_figures(HONG_HA, "2026Q1"), *counted) == (5, 1, 2, 42)
    assert amounts(await stack.unit_figures(HANOI, "2026Q1"), *counted) == (5, 1, 2, 42)


# ---- periods ----------------------------------------------------------------------------------


async def test_the_cutoff_basis_counts_a_fact_from_the_15th_in_the_next_months_report(
    stack: ReportingStack,
) -> None:
    days = [
        date(2025, 12, 20),
        date(2026, 1, 20),
        date(2026, 2, 5),
        date(2026, 3, 14),
        date(2026, 3, 20),
        date(2026, 3, 25),
    ]
    await stack.publish_all(models(HONG_HA, *days))
    await stack.wait_for(HONG_HA, "2026", MODELS, 6, basis="cutoff")
    await stack.settled()

    expected = {
        # period: (calendar, cutoff)
        "202601": (1, 1),  # cut-off 2025-12-15..2026-01-14 holds 2025-12-20, not 2026-01-20
        "202602": (1, 2),  # cut-off 2026-01-15..2026-02-14 holds 2026-01-20 and 2026-02-05
        "202603": (3, 1),
        "2026Q1": (5, 4),
        "2026Q2": (0, 2),
        "2026": (5, 6),
        "2025": (1, 0),
    }
    found = {
        (period, basis): await stack.amount(HONG_HA, period, MODELS, basis=basis)
        for period in expected
        for basis in ("calendar", "cutoff")
    }
    assert {
        period: (found[(period, "calendar")], found[(period, "cutoff")]) for period in expected
    } == expected
    # A quarter is the sum of its months on either basis.
    for basis in ("calendar", "cutoff"):
        months = sum(found[(month, basis)] for month in ("202601", "202602", "202603"))
        assert months == found[("2026Q1", basis)], basis
    february = await stack.unit_figures(HONG_HA, "202602", basis="cutoff")
    assert (february["start"], february["end"]) == ("2026-01-15", "2026-02-14")
    assert (february["previous_start"], february["previous_end"]) == ("2025-01-15", "2025-02-14")
    assert february["basis"] == "cutoff"
    assert february["period_label"] == {"vi": "Tháng 2/2026", "en": "February 2026"}


# ---- freshness --------------------------------------------------------------------------------


async def test_a_dashboard_says_up_to_which_event_of_each_stream_it_is_current(
    stack: ReportingStack,
) -> None:
    assert (await stack.unit_figures(HONG_HA, "2026"))["current_as_of"] == []
    model = model_registered(HONG_HA, date(2026, 1, 5))
    received = [petition_received(HONG_HA, date(2026, 1, day)) for day in (6, 7)]
    await stack.publish(model)
    await stack.publish_all(received)
    # The relay publishing the first one again: counted once, but the stream's last event.
    await stack.publish(received[0], msg_id=f"{received[0].id}-republished")
    await stack.wait_for(HONG_HA, "2026", "petitions.received", 2)
    await stack.settled()

    view = await stack.unit_figures(HONG_HA, "2026")
    positions = {p["stream"]: p for p in view["current_as_of"]}
    assert {s: p["sequence"] for s, p in positions.items()} == {"REGISTRY": 1, "RECEPTION": 3}
    assert {s: p["sequence"] for s, p in positions.items()} == {
        s: n for s, n in (await stack.last_sequences()).items() if n
    }
    assert [p["stream"] for p in view["current_as_of"]] == ["RECEPTION", "REGISTRY"]
    assert positions["RECEPTION"]["event_time"] is not None
    assert positions["RECEPTION"]["applied_at"] is not None

    await stack.publish(petition_received(HONG_HA, date(2026, 1, 8)))
    await stack.wait_for(HONG_HA, "2026", "petitions.received", 3)
    await stack.settled()
    view = await stack.unit_figures(HONG_HA, "2026")
    assert {p["stream"]: p["sequence"] for p in view["current_as_of"]} == {
        "REGISTRY": 1,
        "RECEPTION": 4,
    }


async def test_freshness_and_rebuild_times_are_the_instants_they_name_with_their_offset(
    stack: ReportingStack,
) -> None:
    written = datetime.fromisoformat("2026-03-18T08:30:00+07:00")
    await stack.publish(petition_received(HONG_HA, date(2026, 1, 5), time=written))
    await stack.wait_for(HONG_HA, "2026", "petitions.received", 1)
    view = await stack.unit_figures(HONG_HA, "2026")
    (position,) = view["current_as_of"]
    problems = []
    if datetime.fromisoformat(position["event_time"]) != written:  # naive ≠ aware
        problems.append(f"event_time {position['event_time']} is not {written.isoformat()}")
    admin = stack.auth("VN", Role.ADMIN)
    started = await stack.client.post("/api/v1/admin/reporting/rebuild", headers=admin)
    assert started.status_code == 202, started.text

    async def done() -> bool:
        reply = await stack.client.get("/api/v1/admin/reporting/rebuild", headers=admin)
        return reply.json()["running"] is False

    await eventually(done)
    status = (await stack.client.get("/api/v1/admin/reporting/rebuild", headers=admin)).json()
    moments = {
        "applied_at": position["applied_at"],
        "started_at": status["started_at"],
        "finished_at": status["finished_at"],
    }
    problems += [
        f"{name} {value} has no offset"
        for name, value in moments.items()
        if datetime.fromisoformat(value).tzinfo is None
    ]
    assert problems == []


# ---- figures entered by hand ------------------------------------------------------------------

SESSIONS = "supervision.sessions"


def entry(unit: str, period: str, value: int, indicator: str = SESSIONS) -> dict[str, Any]:
    return {"unit_code": unit, "period": period, "indicator": indicator, "value": value}


async def enter(
    stack: ReportingStack, *entries: dict[str, Any], unit: str = HONG_HA, role: Role = Role.OFFICER
) -> Any:
    return await stack.client.post(
        "/api/v1/figures", json={"entries": list(entries)}, headers=stack.auth(unit, role)
    )


def assert_outside_scope(reply: Any, unit: str, *, row: int) -> None:
    """Refused for a unit outside the caller's: the entries' check reports every row's problems
    at once, so a 422 naming the row and its unit."""
    assert reply.status_code == 422, reply.text
    error = reply.json()["error"]
    assert unit in error["message"] + "".join(d["reason"] for d in error["details"])
    assert [(d["row"], d["field"]) for d in error["details"]] == [(row, "unit_code")]


async def test_figures_entered_by_hand_sum_into_the_quarter_replace_and_refuse_overlaps(
    stack: ReportingStack,
) -> None:
    saved = await enter(stack, entry(HONG_HA, "202601", 3), entry(HONG_HA, "202602", 4))
    assert saved.status_code == 201, saved.text
    assert saved.json() == {"saved": 2}
    await stack.wait_for(HONG_HA, "2026Q1", SESSIONS, 7)
    quarter = await stack.figure(HONG_HA, "2026Q1", SESSIONS)
    assert (quarter["manual"], quarter["imported"]) == (7, 0)
    assert (await stack.figure(HANOI, "2026Q1", SESSIONS))["manual"] == 7
    # Entered figures name a period: the basis does not move them.
    assert await stack.amount(HONG_HA, "202601", SESSIONS, basis="cutoff") == 3

    # January again replaces what was entered for it.
    replaced = await enter(stack, entry(HONG_HA, "202601", 5))
    assert replaced.status_code == 201, replaced.text
    await stack.wait_for(HONG_HA, "2026Q1", SESSIONS, 9)
    assert (await stack.figure(HONG_HA, "2026Q1", SESSIONS))["manual"] == 9

    # Refused whole, saving nothing: the quarter over an entered month (409); an unknown
    # indicator, an indicator the services count, a unit outside the caller's (422 or 403).
    overlap = await enter(
        stack, entry(HONG_HA, "202603", 1, "inspections.held"), entry(HONG_HA, "2026Q1", 20)
    )
    assert overlap.status_code == 409, overlap.text
    assert [(d["row"], d["field"]) for d in overlap.json()["error"]["details"]] == [(2, "period")]
    unknown = await enter(
        stack, entry(HONG_HA, "202603", 1), entry(HONG_HA, "202603", 2, "supervision.meetings")
    )
    assert unknown.status_code == 422, unknown.text
    assert [(d["row"], d["field"]) for d in unknown.json()["error"]["details"]] == [
        (2, "indicator")
    ]
    counted = await enter(stack, entry(HONG_HA, "202603", 2, "petitions.received"))
    assert counted.status_code == 422, counted.text
    sibling = await enter(stack, entry(HONG_HA, "202603", 1), entry(BA_DINH, "202603", 1))
    assert_outside_scope(sibling, BA_DINH, row=2)
    other_province = await enter(stack, entry(HONG_HA, "202603", 1), unit="79")  # Hồ Chí Minh City
    assert_outside_scope(other_province, HONG_HA, row=1)
    viewer = await enter(stack, entry(HONG_HA, "202603", 1), role=Role.VIEWER)
    assert viewer.status_code == 403, viewer.text

    # A later entry's event comes after any the refused ones could have made: once it shows,
    # nothing else has moved.
    barrier = await enter(stack, entry(HONG_HA, "202603", 2, "critique.sessions"))
    assert barrier.status_code == 201, barrier.text
    await stack.wait_for(HONG_HA, "2026Q1", "critique.sessions", 2)
    await stack.settled()
    assert await stack.amount(HONG_HA, "2026Q1", SESSIONS) == 9
    assert await stack.amount(HONG_HA, "202603", SESSIONS) == 0
    assert await stack.amount(HONG_HA, "2026Q1", "inspections.held") == 0
    assert await stack.amount(BA_DINH, "2026Q1", SESSIONS) == 0
    assert await stack.amount(HANOI, "2026Q1", SESSIONS) == 9
    assert await stack.amount(HANOI, "2026Q1", "petitions.received") == 0


# ---- figures imported from a spreadsheet ------------------------------------------------------


async def upload(stack: ReportingStack, text: str, name: str = "so-lieu-2024.csv") -> Any:
    return await stack.client.post(
        "/api/v1/figures/import",
        files={"file": (name, text.encode(), "text/csv")},
        headers=stack.auth(HANOI, Role.OFFICER),
    )


async def test_imported_figures_of_a_former_commune_show_as_imported_and_the_next_year_compares(
    stack: ReportingStack,
) -> None:
    # Refused files first: nothing of them may appear.
    not_a_number = await upload(
        stack,
        "Mã đơn vị,Kỳ,Chỉ tiêu,Số liệu\n"
        f"{PHUC_XA},2023,Mô hình đăng ký,7\n"
        f"{PHUC_XA},2023,Mô hình đăng ký,bảy\n",
    )
    assert not_a_number.status_code == 422, not_a_number.text
    assert [(d["row"], d["field"]) for d in not_a_number.json()["error"]["details"]] == [
        (3, "value")
    ]
    unknown_unit = await upload(
        stack,
        "Mã đơn vị,Kỳ,Chỉ tiêu,Số liệu\n"
        f"{PHUC_XA},2023,Mô hình đăng ký,7\n"
        "\n"
        "old-99999,2023,Mô hình đăng ký,8\n",
    )
    assert unknown_unit.status_code == 422, unknown_unit.text
    assert [(d["row"], d["field"]) for d in unknown_unit.json()["error"]["details"]] == [
        (4, "unit_code")
    ]

    imported = await upload(
        stack,
        "Mã đơn vị,Kỳ,Chỉ tiêu,Số liệu\n"
        f"{PHUC_XA},2024,Đơn thư tiếp nhận,22.858\n"
        f"{PHUC_XA},2024,Mô hình đăng ký,4\n",
    )
    assert imported.status_code == 201, imported.text
    assert imported.json() == {"saved": 2}
    await stack.publish_all(
        [
            *[petition_received(HONG_HA, date(2025, 9, day)) for day in (3, 4)],
            *models(HONG_HA, *(date(2025, 10, day) for day in range(1, 7))),
        ]
    )
    await stack.wait_for(HONG_HA, "2025", MODELS, 6)
    await stack.wait_for(HONG_HA, "2024", "petitions.received", 22858)
    await stack.settled()

    petitions = await stack.figure(HONG_HA, "2024", "petitions.received")
    assert (petitions["amount"], petitions["imported"], petitions["manual"]) == (22858, 22858, 0)
    as_recorded = await stack.figure(PHUC_XA, "2024", "petitions.received", boundaries="historical")
    assert (as_recorded["amount"], as_recorded["imported"]) == (22858, 22858)
    assert (await stack.figure(HANOI, "2024", "petitions.received"))["imported"] == 22858
    # The next year, counted from events, compares with the imported year.
    next_year = await stack.figure(HONG_HA, "2025", MODELS)
    assert next_year["imported"] == 0
    assert next_year["change"] == {"previous": 4, "absolute": 2, "percent": 50.0}
    received = await stack.figure(HONG_HA, "2025", "petitions.received")
    assert received["amount"] == 2
    assert received["change"]["previous"] == 22858
    assert received["change"]["absolute"] == -22856
    # The refused files saved nothing.
    assert await stack.amount(PHUC_XA, "2023", MODELS, boundaries="historical") == 0


async def test_a_figure_imported_over_one_entered_by_hand_is_all_imported(
    stack: ReportingStack,
) -> None:
    by_hand = await enter(stack, entry(HONG_HA, "202601", 7))
    assert by_hand.status_code == 201, by_hand.text
    await stack.wait_for(HONG_HA, "202601", SESSIONS, 7)
    imported = await upload(
        stack, f"Mã đơn vị,Kỳ,Chỉ tiêu,Số liệu\n{HONG_HA},202601,Cuộc giám sát,5\n"
    )
    assert imported.status_code == 201, imported.text
    await stack.wait_for(HONG_HA, "202601", SESSIONS, 5)
    found = await stack.figure(HONG_HA, "202601", SESSIONS)
    assert (found["amount"], found["manual"], found["imported"]) == (5, 0, 5)
