"""What each event counts and where the counts are kept, in both views of the 2025 reform."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from danvan.contracts.envelope import EventPayload, RawCloudEvent, make_event
from danvan.contracts.reception import (
    Conclusion,
    PetitionClass,
    PetitionConcluded,
    PetitionStatus,
    ReceiverRole,
    ReceptionMode,
    Sector,
    VisitRecorded,
)
from danvan.contracts.registry import ModelField, ModelRegistered
from danvan.contracts.reporting import ATTRIBUTED, FigureEntered, FigureSource
from danvan.periods import Basis, Period
from danvan.units import UnitTree, load_units
from services.reporting.counting import Count, Once, PeriodAmount, effects
from services.reporting.rollup import Placer, spread_counts


@pytest.fixture(scope="module")
def units() -> UnitTree:
    return load_units()


def raw(payload: EventPayload, unit: str, day: date) -> RawCloudEvent:
    event = make_event(
        payload, subject="x", unit_code=unit, occurred_on=day, time=datetime(2026, 1, 1, tzinfo=UTC)
    )
    return RawCloudEvent.model_validate_json(event.model_dump_json())


def registered(unit: str, day: date, field: ModelField = ModelField.ECONOMY) -> RawCloudEvent:
    payload = ModelRegistered(
        model_id=uuid.uuid4(),
        name="Ngõ, xóm liên gia tự quản",
        field=field,
        unit_code=unit,
        registered_on=day,
        registered_by="o",
    )
    return raw(payload, unit, day)


def totals(units: UnitTree, event: RawCloudEvent) -> dict[str, list[str]]:
    """Per row view, the units a count's total is kept at."""
    found: dict[str, list[str]] = {}
    counts = [e for e in effects(event) if isinstance(e, Count)]
    for view, unit, _, dimension, _ in spread_counts(Placer(units), counts):
        if dimension == "":
            found.setdefault(view, []).append(unit)
    return found


def test_a_current_communes_model_is_kept_once_for_both_views_at_commune_city_and_nation(
    units: UnitTree,
) -> None:
    assert totals(units, registered("00097", date(2026, 3, 2))) == {"both": ["VN", "01", "00097"]}


def test_a_former_communes_model_counts_in_its_successor_today_and_as_recorded_then(
    units: UnitTree,
) -> None:
    counted = totals(units, registered("old-00001", date(2024, 5, 2)))
    assert counted == {
        "both": ["VN"],
        "historical": ["old-01", "old-001", "old-00001"],
        "current": ["01", "00097"],
    }


def test_a_split_communes_model_goes_to_its_default_successor_and_is_marked_attributed(
    units: UnitTree,
) -> None:
    # Phường Bạch Đằng (old-00244) was split; the conversion data's default is 00256.
    counts = [e for e in effects(registered("old-00244", date(2024, 5, 2))) if isinstance(e, Count)]
    rows = spread_counts(Placer(units), counts)
    attributed = sorted((view, unit) for view, unit, _, dim, _ in rows if dim == ATTRIBUTED)
    assert attributed == [("current", "00256"), ("current", "01"), ("current", "VN")]
    merged = [e for e in effects(registered("old-00001", date(2024, 5, 2))) if isinstance(e, Count)]
    assert not [key for key in spread_counts(Placer(units), merged) if key[3] == ATTRIBUTED]


def test_each_count_is_kept_by_its_breakdowns_too(units: UnitTree) -> None:
    (count,) = effects(registered("00004", date(2026, 1, 5), ModelField.DEFENCE_SECURITY))
    assert count == Count(
        "00004", date(2026, 1, 5), "models.registered", ("", "field=defence_security")
    )


def test_an_event_reporting_does_not_count_adds_nothing() -> None:
    event = registered("00004", date(2026, 1, 5)).model_copy(
        update={"type": "vn.danvan.registry.model.renamed.v1"}
    )
    assert effects(event) == []


def visit(case: uuid.UUID, *, crowd: bool, mode: ReceptionMode, headcount: int) -> RawCloudEvent:
    payload = VisitRecorded(
        visit_id=uuid.uuid4(),
        case_id=case,
        unit_code="00097",
        mode=mode,
        received_on=date(2026, 3, 2),
        receiver_role=ReceiverRole.HEAD,
        headcount=headcount,
        crowd=crowd,
        representatives=min(headcount, 5),
        repeat=True,
        matter="Đền bù giải phóng mặt bằng",
        by="o",
    )
    return raw(payload, "00097", date(2026, 3, 2))


def test_a_crowd_visit_counts_the_delegation_its_people_and_its_case_once() -> None:
    case = uuid.uuid4()
    found = effects(visit(case, crowd=True, mode=ReceptionMode.PERIODIC, headcount=30))
    counts = {
        (e.indicator, e.dimensions[1:] if len(e.dimensions) > 1 else ()): e.amount
        for e in found
        if isinstance(e, Count)
    }
    assert counts[("visits.received", ("mode=periodic", "visit=repeat"))] == 1
    assert counts[("visits.people", ("mode=periodic",))] == 30
    assert counts[("crowd.delegations", ())] == 1
    assert counts[("crowd.people", ())] == 30
    onces = {e.key for e in found if isinstance(e, Once)}
    assert onces == {f"crowd_case:{case}", "head_day:00097:2026-03-02"}


def test_a_regular_visit_is_no_head_reception_day() -> None:
    found = effects(visit(uuid.uuid4(), crowd=False, mode=ReceptionMode.REGULAR, headcount=1))
    assert not [e for e in found if isinstance(e, Once)]
    assert {e.indicator for e in found if isinstance(e, Count)} == {
        "visits.received",
        "visits.people",
    }


def test_a_conclusion_counts_resolved_on_time_and_the_days_it_took() -> None:
    payload = PetitionConcluded(
        petition_id=uuid.uuid4(),
        unit_code="00097",
        petition_class=PetitionClass.COMPLAINT,
        sector=next(iter(Sector)),
        status=PetitionStatus.CONCLUDED,
        record_version=5,
        on=date(2026, 3, 2),
        by="l",
        conclusion=Conclusion.PARTLY_UPHELD,
        decision_number="12/QĐ-UBND",
        on_time=True,
        days_to_resolve=27,
    )
    found = {
        e.indicator: e
        for e in effects(raw(payload, "00097", date(2026, 3, 2)))
        if isinstance(e, Count)
    }
    assert "conclusion=partly_upheld" in found["petitions.resolved"].dimensions
    assert found["petitions.resolved_on_time"].amount == 1
    assert found["petitions.days_to_resolve"].amount == 27


def test_a_figure_entered_again_counts_only_its_difference() -> None:
    payload = FigureEntered(
        unit_code="00097",
        period="2026Q1",
        indicator="supervision.sessions",
        dimension="",
        source=FigureSource.MANUAL,
        value=12,
        previous=9,
        by="o",
    )
    assert effects(raw(payload, "00097", date(2026, 3, 31))) == [
        PeriodAmount("00097", "2026Q1", "supervision.sessions", "", FigureSource.MANUAL, 3)
    ]


def test_a_figure_imported_over_one_entered_by_hand_moves_it_all_to_imported() -> None:
    payload = FigureEntered(
        unit_code="00097",
        period="202601",
        indicator="supervision.sessions",
        dimension="",
        source=FigureSource.IMPORTED,
        value=5,
        previous=7,
        previous_source=FigureSource.MANUAL,
        by="o",
    )
    where = ("00097", "202601", "supervision.sessions", "")
    assert effects(raw(payload, "00097", date(2026, 1, 31))) == [
        PeriodAmount(*where, FigureSource.MANUAL, -7),
        PeriodAmount(*where, FigureSource.IMPORTED, 5),
    ]


def test_counts_are_kept_per_half_month_the_pieces_of_every_calendar_and_cutoff_month(
    units: UnitTree,
) -> None:
    days = [date(2026, 3, 1), date(2026, 3, 14), date(2026, 3, 15), date(2026, 3, 31)]
    counts = [e for day in days for e in effects(registered("00097", day)) if isinstance(e, Count)]
    kept = {
        key[4]: amount
        for key, amount in spread_counts(Placer(units), counts).items()
        if key[1] == "00097" and key[3] == ""
    }
    assert kept == {date(2026, 3, 1): 2, date(2026, 3, 15): 2}
    for period in (Period.parse("202603"), Period.parse("202604")):
        for basis in Basis:
            start, end = period.date_range(basis)
            # Every half-month row is inside a period's range or wholly outside it.
            for half in kept:
                last = half.replace(day=14) if half.day == 1 else date(2026, 3, 31)
                assert (start <= half <= end) == (start <= last <= end)
