"""The unit directory's index without a server: matching, ranking, default generations,
order keys, and one index per tree (a later reorganisation gets its own)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from danvan.units import Unit, UnitTree, load_units
from danvan.units.directory import (
    DirectoryError,
    GenerationFilter,
    OrderKey,
    UnitOrder,
    UnitQuery,
    UnitSort,
)
from danvan.units.reorganisation import apply, parse

ALL = GenerationFilter.ALL
EXAMPLE = Path(__file__).parents[1] / "data" / "reorganisation-2027-example.json"
NEW_TAY_HO = "2027-00103"  # the example's ward of 2027: Hồng Hà, Tây Hồ and most of Phú Thượng


@pytest.fixture(scope="module")
def tree() -> UnitTree:
    return load_units()


def ids(tree: UnitTree, query: UnitQuery, order: UnitOrder | None = None) -> list[str]:
    return [unit.id for unit in tree.directory().select(query, order).units]


def test_the_index_is_built_once_per_tree(tree: UnitTree) -> None:
    assert tree.directory() is tree.directory()
    later = apply(tree, parse(EXAMPLE.read_bytes()), key="example")
    assert later.directory() is not tree.directory()
    assert NEW_TAY_HO in ids(later, UnitQuery(q="tay ho"))
    assert NEW_TAY_HO not in ids(tree, UnitQuery(q="tay ho", generation=ALL))


def test_a_reorganised_tree_lists_the_wards_in_force_on_each_side_of_its_day() -> None:
    later = apply(load_units(), parse(EXAMPLE.read_bytes()), key="example")
    today = ids(later, UnitQuery(parent="01"))
    assert NEW_TAY_HO in today
    assert "00097" not in today  # Hồng Hà ceased on 2027-01-01
    before = ids(later, UnitQuery(parent="01", on=date(2026, 12, 31)))
    assert "00097" in before
    assert NEW_TAY_HO not in before


def test_the_name_itself_comes_first_then_names_beginning_with_the_query(tree: UnitTree) -> None:
    found = tree.directory().select(UnitQuery(q="tay ho")).units
    names = [unit.short_name for unit in found]
    exact = [name for name in names if name == "Tây Hồ"]
    beginning = [name for name in names if name != "Tây Hồ" and name.startswith("Tây H")]
    assert exact
    assert beginning
    assert names[: len(exact)] == exact
    assert names[len(exact) : len(exact) + len(beginning)] == beginning
    assert len(names) > len(exact) + len(beginning)  # "An Hòa Tây" matches too, last


def test_a_query_word_must_begin_a_word(tree: UnitTree) -> None:
    names = {unit.name for unit in tree.directory().select(UnitQuery(q="xuan")).units}
    assert "Phường Thanh Xuân" in names
    assert "Phường Thanh Xuân" not in {
        unit.name for unit in tree.directory().select(UnitQuery(q="uan")).units
    }


def test_punctuation_separates_words(tree: UnitTree) -> None:
    # The old province's name is written "Bà Rịa - Vũng Tàu".
    assert ids(tree, UnitQuery(q="Bà Rịa-Vũng Tàu", generation=ALL))[0] == "old-77"


def test_the_generation_defaults_to_the_units_in_force_unless_a_day_or_an_old_parent_says(
    tree: UnitTree,
) -> None:
    directory = tree.directory()

    def total(**filters: Any) -> int:
        return directory.select(UnitQuery(**filters), limit=0).total

    assert total(parent="VN") == 34
    assert total(parent="VN", on=date(2024, 6, 1)) == 63
    assert total(parent="old-003") == 8
    assert total(parent="old-003", generation=GenerationFilter.CURRENT) == 0
    assert total(parent="VN", generation=GenerationFilter.LEGACY) == 63
    assert total(parent="VN", generation=ALL) == 97


def test_within_keeps_only_the_units_given(tree: UnitTree) -> None:
    within = frozenset({"00097", "old-00097", "79"})
    assert ids(tree, UnitQuery(generation=ALL, within=within)) == ["79", "00097", "old-00097"]
    assert ids(tree, UnitQuery(q="hong ha", generation=ALL, within=within)) == ["00097"]


@pytest.mark.parametrize("sort", list(UnitSort))
def test_descending_is_ascending_reversed_and_pages_follow_each_other(
    tree: UnitTree, sort: UnitSort
) -> None:
    query = UnitQuery(q="ha" if sort is UnitSort.RELEVANCE else None, generation=ALL)
    directory = tree.directory()
    ascending = directory.select(query, UnitOrder(sort)).units
    descending = directory.select(query, UnitOrder(sort, descending=True)).units
    assert descending == ascending[::-1]
    paged: list[Unit] = []
    after: OrderKey | None = None
    while True:
        page = directory.select(query, UnitOrder(sort, True), limit=1_000, after=after)
        paged.extend(page.units)
        if page.next_after is None:
            break
        after = page.next_after
    assert paged == list(descending)


def test_a_position_of_another_order_is_refused(tree: UnitTree) -> None:
    directory = tree.directory()
    with pytest.raises(DirectoryError) as caught:
        directory.select(UnitQuery(), UnitOrder(UnitSort.LEVEL), after=(5,))
    assert caught.value.field == "cursor"
    with pytest.raises(DirectoryError) as caught:
        directory.select(UnitQuery(), UnitOrder(UnitSort.NAME), after=(True,))
    assert caught.value.field == "cursor"


def test_sort_codes_parse_or_name_the_choices() -> None:
    assert UnitOrder.parse("-code") == UnitOrder(UnitSort.CODE, descending=True)
    assert UnitOrder.parse("name").code == "name"
    with pytest.raises(DirectoryError, match="name, code, level, relevance") as caught:
        UnitOrder.parse("population")
    assert caught.value.field == "sort"


def test_relevance_needs_a_search_and_a_search_needs_a_letter(tree: UnitTree) -> None:
    with pytest.raises(DirectoryError) as caught:
        tree.directory().select(UnitQuery(), UnitOrder(UnitSort.RELEVANCE))
    assert caught.value.field == "sort"
    with pytest.raises(DirectoryError) as caught:
        tree.directory().select(UnitQuery(q="--"))
    assert caught.value.field == "q"
