"""`danvan seed`'s generator, without a platform: the same seed writes the same requests,
every request is one the contracts accept, dated and placed as the units were on its day,
and the proportions are those of the source articles."""

from __future__ import annotations

import unicodedata
from collections import Counter
from datetime import date
from functools import cache
from typing import Any

import pytest
from faker.providers.person.vi_VN import Provider as VietnameseNames
from pydantic import BaseModel

from danvan.contracts.reception import (
    PETITION_STEP_BODIES,
    DialogueCreate,
    PetitionAction,
    PetitionCreate,
    VisitCreate,
)
from danvan.contracts.registry import (
    STEP_BODIES,
    Action,
    ExemplarCreate,
    ModelCreate,
)
from danvan.contracts.reporting import FigureEntries
from danvan.seeding.plans import Chain, SeedPlan
from danvan.seeding.volumes import ANNUAL, BadYears, Kind, Years, count_for
from danvan.units import REFORM_DATE, UnitTree, load_units

TODAY = date(2026, 11, 23)


@cache
def tree() -> UnitTree:
    return load_units()


@cache
def chains(scale: float, first: int, last: int, seed: int = 7) -> tuple[Chain, ...]:
    plan = SeedPlan(tree(), scale=scale, years=Years(first, last), seed=seed, today=TODAY)
    return tuple(plan.chains())


def creations(found: tuple[Chain, ...], kind: Kind) -> list[dict[str, Any]]:
    return [c.body for chain in found if chain.kind is kind for c in chain.calls if c.creates]


def actions(found: tuple[Chain, ...], resource: str) -> Counter[str]:
    return Counter(c.action for chain in found for c in chain.calls if c.resource == resource)


def test_the_same_seed_writes_the_same_requests_and_another_seed_others() -> None:
    again = SeedPlan(tree(), scale=0.0005, years=Years(2024, 2025), seed=7, today=TODAY)
    other = SeedPlan(tree(), scale=0.0005, years=Years(2024, 2025), seed=8, today=TODAY)
    assert tuple(again.chains()) == chains(0.0005, 2024, 2025)
    assert tuple(other.chains()) != chains(0.0005, 2024, 2025)


def test_each_kind_holds_its_national_yearly_load_times_the_scale() -> None:
    plan = SeedPlan(tree(), scale=0.001, years=Years(2023, 2023), seed=7, today=TODAY)
    totals = plan.totals()
    # 2023 is the year the figures describe: 446 petitions, 300 visits at 1/1000.
    assert totals[Kind.PETITIONS] == 446
    assert totals[Kind.VISITS] == 300
    assert totals[Kind.MODELS] == round(13_663 / 0.085 / 1000)
    found = chains(0.001, 2023, 2023)
    for kind in Kind:
        assert len(creations(found, kind)) == totals[kind], kind


def test_a_year_not_over_yet_holds_only_the_days_gone_by() -> None:
    whole = ANNUAL[Kind.PETITIONS] * 0.01
    assert count_for(Kind.PETITIONS, 2026, 0.01, TODAY) == round(whole * 327 / 365)
    for chain in chains(0.0005, 2026, 2026):
        assert all(call.on <= TODAY for call in chain.calls)


def test_every_request_is_one_the_services_contracts_accept() -> None:
    creates: dict[str, type[BaseModel]] = {
        "models": ModelCreate,
        "exemplars": ExemplarCreate,
        "visits": VisitCreate,
        "petitions": PetitionCreate,
        "dialogues": DialogueCreate,
        "figures": FigureEntries,
    }
    steps: dict[tuple[str, str], type[BaseModel]] = {
        **{("models", a.value): body for a, body in STEP_BODIES.items()},
        **{("exemplars", a.value): body for a, body in STEP_BODIES.items()},
        **{("petitions", a.value): body for a, body in PETITION_STEP_BODIES.items()},
    }
    for chain in chains(0.0005, 2024, 2026):
        for call in chain.calls:
            if call.creates:
                creates[call.resource].model_validate(call.body)
            elif (call.resource, call.action) in steps:
                steps[call.resource, call.action].model_validate(call.body)
            else:
                assert (call.resource, call.action) in {
                    ("visits", "reply"),
                    ("dialogues", "follow_up"),
                }


def test_records_before_the_reform_go_to_the_former_units_and_later_ones_to_the_new() -> None:
    units = tree()
    seen = Counter[bool]()
    for chain in chains(0.0005, 2024, 2026):
        first = chain.calls[0]
        unit = units.get(first.body.get("unit_code") or first.body["entries"][0]["unit_code"])
        assert unit.in_force_on(first.on), (unit.id, first.on)
        assert unit.is_legacy == (first.on < REFORM_DATE)
        seen[unit.is_legacy] += 1
        assert all(call.on <= TODAY for call in chain.calls)
        if chain.kind in (Kind.MODELS, Kind.EXEMPLARS, Kind.PETITIONS):  # one record's life
            days = [call.on for call in chain.calls]
            assert days == sorted(days)
    assert seen[True]
    assert seen[False]


def test_petitions_of_all_four_classes_resolved_on_time_late_or_left_open() -> None:
    found = chains(0.002, 2023, 2023)
    classes = Counter(body["petition_class"] for body in creations(found, Kind.PETITIONS))
    assert set(classes) >= {"complaint", "denunciation", "recommendation", "feedback"}
    total = sum(classes.values())
    assert 0.62 < (classes["recommendation"] + classes["feedback"]) / total < 0.74  # 0.68
    steps = actions(found, "petitions")
    assert steps[PetitionAction.ACCEPT.value] > steps[PetitionAction.CONCLUDE.value] > 0
    assert steps[PetitionAction.FORWARD.value]
    assert steps[PetitionAction.REJECT.value]


def test_about_a_quarter_of_models_and_a_sixth_of_exemplars_are_recognised() -> None:
    # Tây Hồ, 2019: 66 models registered, 17 recognised; 72 exemplars, 11 recognised.
    found = chains(0.005, 2022, 2022)
    models = len(creations(found, Kind.MODELS))
    exemplars = len(creations(found, Kind.EXEMPLARS))
    assert 0.21 < actions(found, "models")[Action.RECOGNISE.value] / models < 0.30  # 0.258
    assert 0.11 < actions(found, "exemplars")[Action.RECOGNISE.value] / exemplars < 0.20  # 0.153
    assert 1.0 < exemplars / models < 1.2


def test_crowd_delegations_and_district_dialogues_only_before_the_reform() -> None:
    found = chains(0.01, 2024, 2024)
    visits = creations(found, Kind.VISITS)
    crowds = [v for v in visits if v["headcount"] >= 10]
    assert 0.001 < len(crowds) / len(visits) < 0.004
    assert all(1 <= len(v["representatives"]) <= 5 for v in crowds)
    dialogues = creations(found, Kind.DIALOGUES)
    levels = Counter(d["level"] for d in dialogues)
    # Hà Nội, six months: 525 at commune, 35 at district, 2 at city level.
    assert levels["commune"] > 10 * levels["district"] > 0
    assert all(
        d["held_on"] < REFORM_DATE.isoformat() for d in dialogues if d["level"] == "district"
    )


def test_names_are_vietnamese_family_name_first_in_nfc() -> None:
    family_names = set(VietnameseNames.last_names)
    # Faker's own formats would give "Hạnh Trần" or "Quý ông Châu Bùi", and "Thị" to men.
    male_only = set(VietnameseNames.first_names_male) - set(VietnameseNames.first_names_female)
    names = [
        person["name"]
        for body in creations(chains(0.0005, 2024, 2025), Kind.VISITS)
        for person in body["visitors"]
    ]
    assert len(names) > 100
    for name in names:
        assert unicodedata.is_normalized("NFC", name)
        family, middle, given = name.split()
        assert family in family_names, name
        assert not (middle == "Thị" and given in male_only), name


@pytest.mark.parametrize(
    ("text", "problem"),
    [("2019-x", "FROM-TO"), ("2026-2019", "after"), ("2025-2027", "future"), ("1980", "1990")],
)
def test_years_the_seed_cannot_fill_are_refused_with_the_reason(text: str, problem: str) -> None:
    with pytest.raises(BadYears, match=problem):
        Years.parse(text, TODAY)
    assert list(Years.parse("2024-2026", TODAY)) == [2024, 2025, 2026]


def test_each_province_enters_its_supervision_figures_for_each_half_year_ended() -> None:
    found = chains(0.0001, 2025, 2026)
    bodies = creations(found, Kind.FIGURES)
    periods = Counter(body["entries"][0]["period"] for body in bodies)
    # 63 provinces before the reform, 34 after; 2026's second half has not ended.
    assert periods == {"2025S1": 63, "2025S2": 34, "2026S1": 34}
    sessions = sum(
        entry["value"]
        for body in bodies
        for entry in body["entries"]
        if entry["indicator"] == "supervision.sessions" and entry["period"] == "2025S2"
    )
    # Hà Nội: 10,665 supervision sessions in six months, 8.5 % of the people; each
    # province's share rounded up or down at random.
    assert abs(sessions - 10_665 / 0.085 * 0.0001) < 10
