"""A later reorganisation loaded as data: checked, kept, applied on its day, taken back."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from danvan.access import facts_scope, in_scope
from danvan.cli import app
from danvan.clock import VIETNAM, FixedClock
from danvan.config import Settings
from danvan.contracts.rpc import Principal, Role, ServiceError
from danvan.fact_units import unit_for_fact
from danvan.units import BASE_KEY, Generation, UnitTree, load_units, units_key
from danvan.units.loaded import loaded_files, save, withdraw
from danvan.units.reorganisation import ReorganisationError, apply, parse
from danvan.units_command import run_list

EXAMPLE = Path(__file__).parents[1] / "data" / "reorganisation-2027-example.json"
DAY = date(2027, 1, 1)
NEW = "2027-00103"  # Phường Tây Hồ of the example: Hồng Hà, Tây Hồ and most of Phú Thượng
HONG_HA, TAY_HO, PHU_THUONG, NGOC_HA = "00097", "00103", "00091", "00008"


def example() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def after() -> UnitTree:
    return apply(load_units(), parse(EXAMPLE.read_bytes()), key="example")


def problems_of(document: dict[str, Any]) -> tuple[str, ...]:
    with pytest.raises(ReorganisationError) as raised:
        apply(load_units(), parse(json.dumps(document)), key="bad")
    return raised.value.problems


def test_merged_wards_cease_on_the_day_and_the_new_ward_starts(after: UnitTree) -> None:
    for gone in (HONG_HA, TAY_HO, PHU_THUONG):
        unit = after.get(gone)
        assert unit.generation is Generation.LEGACY
        assert unit.valid_to == DAY
        assert unit.in_force_on(date(2026, 12, 31))
        assert not unit.in_force_on(DAY)
    new = after.get(NEW)
    assert (new.name, new.short_name, new.parent_id, new.valid_from) == (
        "Phường Tây Hồ",
        "Tây Hồ",
        "01",
        DAY,
    )
    assert not new.in_force_on(date(2026, 12, 31))
    hanoi_today = [u.id for u in after.children("01", Generation.CURRENT)]
    assert NEW in hanoi_today
    assert HONG_HA not in hanoi_today
    assert NGOC_HA in hanoi_today
    assert len(hanoi_today) == 126 - 3 + 1
    # The units before the reform are untouched, and the base tree is not changed.
    assert load_units().get(HONG_HA).generation is Generation.CURRENT
    assert after.key == "example"
    assert load_units().key == BASE_KEY


def test_default_successor_follows_every_reorganisation(after: UnitTree) -> None:
    # Phường Tứ Liên (old-00097) went mostly into Hồng Hà in 2025, Hồng Hà into the new ward.
    assert after.default_path("old-00097") == ("old-00097", HONG_HA, NEW)
    assert after.default_successor("old-00097").id == NEW
    assert after.default_successor(PHU_THUONG).id == NEW
    assert after.default_successor(NGOC_HA).id == NGOC_HA
    assert after.current_province_of(HONG_HA) is not None
    assert after.current_province_of(HONG_HA).id == "01"  # type: ignore[union-attr]


def test_a_split_on_the_way_marks_facts_as_attributed(after: UnitTree) -> None:
    assert after.is_split(PHU_THUONG)  # to the new ward and, in part, to Ngọc Hà
    assert not after.is_split(HONG_HA)  # wholly into the new ward
    assert after.is_split("old-00097")  # Tứ Liên was split in 2025
    assert after.went_into(PHU_THUONG) == {NEW, NGOC_HA}
    assert after.went_into("old-00097") == {NEW}  # Hồng Hà and Tây Hồ both went into it
    assert {e.predecessor_id for e in after.predecessors(NEW)} == {HONG_HA, TAY_HO, PHU_THUONG}


def test_a_fact_after_the_day_must_name_the_new_ward(after: UnitTree) -> None:
    assert unit_for_fact(after, HONG_HA, date(2026, 12, 31), field="unit_code") == HONG_HA
    with pytest.raises(ServiceError) as raised:
        unit_for_fact(after, HONG_HA, date(2027, 1, 5), field="unit_code")
    assert f"use {NEW}" in raised.value.message.en
    with pytest.raises(ServiceError) as before:
        unit_for_fact(after, NEW, date(2026, 12, 31), field="unit_code")
    assert "came into force on 2027-01-01" in before.value.details[0].reason.en


def test_the_new_wards_officers_see_what_its_former_units_recorded(after: UnitTree) -> None:
    officer = Principal(sub="a", name="A", unit=NEW, roles=(Role.OFFICER,))
    for former in (HONG_HA, TAY_HO, PHU_THUONG, "old-00097", "old-00109"):
        assert in_scope(after, officer, former), former
    assert not in_scope(after, officer, NGOC_HA)
    ngoc_ha = Principal(sub="b", name="B", unit=NGOC_HA, roles=(Role.OFFICER,))
    assert in_scope(after, ngoc_ha, PHU_THUONG)  # part of Phú Thượng went to Ngọc Hà
    scope = facts_scope(after, NEW)
    assert scope is not None
    assert {HONG_HA, TAY_HO, PHU_THUONG, "old-00097", "old-00109", NEW} <= scope


def test_every_problem_of_a_bad_file_is_named_at_once() -> None:
    document = example()
    document["units"].append(dict(document["units"][0], id="00004"))  # Phường Ba Đình's id
    document["units"].append(dict(document["units"][0], id="2027-x", parent_id="99"))
    document["units"].append(dict(document["units"][0], id="2027-y", parent_id="00008"))
    document["successions"][2]["is_default"] = False  # Phú Thượng split, no default left
    document["successions"].append({"predecessor_id": "nowhere", "successor_id": NEW})
    document["successions"].append({"predecessor_id": "old-00001", "successor_id": NEW})
    problems = problems_of(document)
    expected = [
        "the id already names Phường Ba Đình",
        "unknown parent '99'",
        "a commune cannot sit under the commune 00008",
        "00091: split among 2 units, so exactly one succession must be is_default",
        "unknown unit 'nowhere'",
        "old-00001 (Phường Phúc Xá) is not in force on 2026-12-31",
    ]
    for text in expected:
        assert any(text in problem for problem in problems), (text, problems)
    assert len(problems) == len(expected)


def test_a_reorganisation_must_come_after_the_last_change() -> None:
    problems = problems_of(dict(example(), effective_on="2025-07-01"))
    assert problems == (
        "effective_on: 2025-07-01 is not after the latest change already in the units "
        "(2025-07-01); reorganisations are loaded in the order they take effect",
    )


def test_a_province_cannot_cease_and_leave_its_communes_behind() -> None:
    document = example()
    document["units"] = [
        {
            "id": "2027-01",
            "code": "01",
            "name": "Thủ đô Hà Nội",
            "kind": "Thủ đô",
            "level": "province",
            "parent_id": "VN",
        }
    ]
    document["successions"] = [{"predecessor_id": "01", "successor_id": "2027-01"}]
    problems = problems_of(document)
    assert len(problems) == 126
    assert any(
        problem.startswith("00097 (Phường Hồng Hà) lies under 01, which ceases on 2027-01-01")
        for problem in problems
    )


def test_a_malformed_file_names_the_field() -> None:
    with pytest.raises(ReorganisationError) as missing:
        parse(b'{"name": "x", "effective_on": "2027-13-01", "successions": []}')
    assert any(p.startswith("effective_on:") for p in missing.value.problems)
    assert any(p.startswith("successions:") for p in missing.value.problems)
    with pytest.raises(ReorganisationError) as level:
        parse(json.dumps(dict(example(), units=[dict(example()["units"][0], level="hamlet")])))
    assert level.value.problems[0].startswith("units.0.level:")
    with pytest.raises(ReorganisationError):
        parse(b"not json")


def test_a_loaded_reorganisation_is_in_effect_from_its_day(tmp_path: Path) -> None:
    item, reorganisation = save(tmp_path, load_units(), EXAMPLE.read_bytes())
    assert item.path.parent == tmp_path
    assert item.effective_on == DAY
    assert reorganisation.name.startswith("Ví dụ")
    assert load_units(tmp_path, date(2026, 12, 31)) is load_units()
    on_the_day = load_units(tmp_path, DAY)
    assert on_the_day.default_successor(HONG_HA).id == NEW
    assert load_units(tmp_path, date(2027, 6, 1)) is on_the_day  # built once
    assert units_key(tmp_path, date(2026, 12, 31)) == BASE_KEY
    assert units_key(tmp_path, DAY) == on_the_day.key == f"{BASE_KEY}+{item.key}"
    # Loading the same file again changes nothing.
    again, _ = save(tmp_path, load_units(), EXAMPLE.read_bytes())
    assert again == item
    assert len(loaded_files(tmp_path)) == 1


def test_a_second_reorganisation_builds_on_the_first(tmp_path: Path) -> None:
    save(tmp_path, load_units(), EXAMPLE.read_bytes())
    later: dict[str, Any] = {
        "name": "Ví dụ thứ hai",
        "effective_on": "2028-01-01",
        "units": [
            {
                "id": "2028-00008",
                "code": "00008",
                "name": "Phường Ngọc Hà",
                "kind": "Phường",
                "level": "commune",
                "parent_id": "01",
            }
        ],
        "successions": [
            {"predecessor_id": NEW, "successor_id": "2028-00008"},
            {"predecessor_id": NGOC_HA, "successor_id": "2028-00008"},
        ],
    }
    save(tmp_path, load_units(), json.dumps(later).encode())
    tree = load_units(tmp_path, date(2028, 1, 1))
    assert tree.default_path("old-00097") == ("old-00097", HONG_HA, NEW, "2028-00008")
    # One naming a ward that has ceased by then is refused, and nothing is kept.
    stale = dict(later, effective_on="2029-01-01", units=[dict(later["units"][0], id="2029-1")])
    stale["successions"] = [{"predecessor_id": HONG_HA, "successor_id": "2029-1"}]
    with pytest.raises(ReorganisationError, match="is not in force on 2028-12-31"):
        save(tmp_path, load_units(), json.dumps(stale).encode())
    assert len(loaded_files(tmp_path)) == 2
    # Only the last one, and only before its day, can be withdrawn.
    with pytest.raises(ReorganisationError, match="withdraw the reorganisation of 2028-01-01"):
        withdraw(tmp_path, DAY, today=date(2026, 11, 23))
    with pytest.raises(ReorganisationError, match="in effect already"):
        withdraw(tmp_path, date(2028, 1, 1), today=date(2028, 1, 1))
    withdraw(tmp_path, date(2028, 1, 1), today=date(2026, 11, 23))
    assert [item.effective_on for item in loaded_files(tmp_path)] == [DAY]


def test_units_load_command_keeps_a_good_file_and_refuses_a_bad_one(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"DANVAN_HOME": str(tmp_path)}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(dict(example(), effective_on="2020-01-01")), encoding="utf-8")
    refused = runner.invoke(app, ["units", "load", str(bad)], env=env)
    assert refused.exit_code == 1
    assert "was not loaded (1 problem)" in flat(refused.output)
    assert not (tmp_path / "units").exists()

    loaded = runner.invoke(app, ["units", "load", str(EXAMPLE)], env=env)
    assert loaded.exit_code == 0, loaded.output
    assert "1 new unit, 3 ceasing, 4 successions" in flat(loaded.output)
    assert len(loaded_files(tmp_path / "units")) == 1
    before_the_day = FixedClock(datetime(2026, 11, 23, 9, tzinfo=VIETNAM))
    console = Console(record=True, width=200)
    assert run_list(Settings(home=tmp_path), before_the_day, console) == 0
    listed = console.export_text()
    assert "01/01/2027" in listed
    assert "loaded" in listed
    assert "in effect" not in listed
    missing = runner.invoke(app, ["units", "load", str(tmp_path / "nope.json")], env=env)
    assert missing.exit_code == 2
    assert "cannot read" in flat(missing.output)


def flat(output: str) -> str:
    """The command's output with rich's line wrapping undone."""
    return " ".join(output.split())


@pytest.mark.parametrize(
    "edit",
    [
        {"successions": []},  # no longer a reorganisation at all
        {"name": "Sửa tay"},  # still valid, but not what every service's key says was loaded
    ],
)
def test_a_kept_file_changed_by_hand_stops_a_service_naming_the_file(
    tmp_path: Path, edit: dict[str, Any]
) -> None:
    item, _ = save(tmp_path, load_units(), EXAMPLE.read_bytes())
    item.path.write_text(json.dumps(dict(example(), **edit)), encoding="utf-8")
    with pytest.raises(ReorganisationError) as raised:
        load_units(tmp_path, DAY)
    assert raised.value.problems == (
        f"{item.path}: changed since it was loaded; load the new version instead",
    )
