"""The administrative units of both generations, read from ``vietnamadminunits`` 1.0.4."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest

from danvan.units import (
    REFORM_DATE,
    Generation,
    Level,
    Succession,
    Unit,
    UnitTree,
    UnknownUnit,
    load_units,
)
from danvan.units.loader import assemble

# Counts found in vietnamadminunits 1.0.4.
CURRENT_PROVINCES = 34
CURRENT_COMMUNES = 3_321
LEGACY_PROVINCES = 63
LEGACY_DISTRICTS = 696
LEGACY_COMMUNES = 10_035  # 10,040 rows minus the five island districts without a commune
HANOI_CURRENT_COMMUNES = 126

# Island districts with no commune of their own; each became a special zone ("đặc khu").
ISLAND_DISTRICTS = {
    "old-318": ("Huyện Bạch Long Vĩ", "11948", "Đặc khu Bạch Long Vĩ", "31"),
    "old-471": ("Huyện Cồn Cỏ", "19742", "Đặc khu Cồn Cỏ", "44"),
    "old-498": ("Huyện Hoàng Sa", "20333", "Đặc khu Hoàng Sa", "48"),
    "old-536": ("Huyện Lý Sơn", "21548", "Đặc khu Lý Sơn", "51"),
    "old-755": ("Huyện Côn Đảo", "26732", "Đặc khu Côn Đảo", "79"),
}

# Legacy communes the conversion data gives no successor for (they fall back to their new
# province). Every one joins today, so this is empty; a future data release that breaks a
# join must list the commune here, with the reason.
UNMATCHED_LEGACY_COMMUNES: frozenset[str] = frozenset()

# Current communes with no predecessor at all: none (the five island special zones have a
# district as predecessor).
CURRENT_COMMUNES_WITHOUT_PREDECESSOR: frozenset[str] = frozenset()

BEFORE = date(2025, 6, 30)


@pytest.fixture(scope="module")
def tree() -> UnitTree:
    return load_units()


def _ids(units: object) -> list[str]:
    return [u.id for u in units]  # type: ignore[attr-defined]


# -- counts ----------------------------------------------------------------------------------


def test_current_tree_has_34_provinces_and_3321_communes(tree: UnitTree) -> None:
    assert len(tree.units(Level.PROVINCE, Generation.CURRENT)) == CURRENT_PROVINCES
    assert len(tree.units(Level.COMMUNE, Generation.CURRENT)) == CURRENT_COMMUNES
    assert tree.units(Level.DISTRICT, Generation.CURRENT) == ()
    assert len(tree.children("VN", Generation.CURRENT)) == CURRENT_PROVINCES


def test_legacy_tree_has_63_provinces_696_districts_and_10035_communes(tree: UnitTree) -> None:
    assert len(tree.units(Level.PROVINCE, Generation.LEGACY)) == LEGACY_PROVINCES
    assert len(tree.units(Level.DISTRICT, Generation.LEGACY)) == LEGACY_DISTRICTS
    assert len(tree.units(Level.COMMUNE, Generation.LEGACY)) == LEGACY_COMMUNES
    assert len(tree.children("VN", Generation.LEGACY)) == LEGACY_PROVINCES
    assert len(tree) == 1 + CURRENT_PROVINCES + CURRENT_COMMUNES + LEGACY_PROVINCES + (
        LEGACY_DISTRICTS + LEGACY_COMMUNES
    )


def test_five_island_districts_have_no_commune(tree: UnitTree) -> None:
    empty = {d.id for d in tree.units(Level.DISTRICT) if not tree.children(d.id)}
    assert empty == set(ISLAND_DISTRICTS)
    for district_id, (name, *_) in ISLAND_DISTRICTS.items():
        assert tree.get(district_id).name == name


# -- identity: a bare code is the current unit, "old-" the legacy one ------------------------


def test_code_00097_is_phuong_hong_ha_in_hanoi_today(tree: UnitTree) -> None:
    unit = tree.get("00097")
    assert (unit.name, unit.short_name, unit.kind) == ("Phường Hồng Hà", "Hồng Hà", "Phường")
    assert unit.level is Level.COMMUNE
    assert unit.generation is Generation.CURRENT
    assert unit.code == "00097"
    assert unit.parent_id == "01"
    assert unit.valid_from == REFORM_DATE
    assert unit.valid_to is None
    assert unit.area_km2 == pytest.approx(15.09)
    assert tree.get("01").name == "Thành phố Hà Nội"


def test_old_00097_was_phuong_tu_lien_of_tay_ho_district(tree: UnitTree) -> None:
    unit = tree.get("old-00097")
    assert (unit.name, unit.code, unit.generation) == (
        "Phường Tứ Liên",
        "00097",
        Generation.LEGACY,
    )
    assert unit.valid_to == REFORM_DATE
    assert unit.valid_from is None
    assert unit.parent_id == "old-003"
    district = tree.get("old-003")
    assert (district.name, district.kind, district.level) == (
        "Quận Tây Hồ",
        "Quận",
        Level.DISTRICT,
    )
    assert district.parent_id == "old-01"
    assert tree.get("old-01").name == "Thành phố Hà Nội"
    assert tree.get("old-30").name == "Tỉnh Hải Dương"


def test_province_kind_comes_from_the_name(tree: UnitTree) -> None:
    assert tree.get("01").kind == "Thành phố"
    assert tree.get("24").kind == "Tỉnh"
    assert tree.get("old-30").kind == "Tỉnh"
    cities = {u.short_name for u in tree.units(Level.PROVINCE, Generation.CURRENT)} & {
        u.short_name for u in tree.units(Level.PROVINCE) if u.kind == "Thành phố"
    }
    assert cities == {"Hà Nội", "Hải Phòng", "Huế", "Đà Nẵng", "Hồ Chí Minh", "Cần Thơ"}


def test_every_name_starts_with_its_kind(tree: UnitTree) -> None:
    for level in (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE):
        for unit in tree.units(level):
            assert unit.name.startswith(unit.kind + " "), unit


def test_wrong_type_column_and_capitalisation_are_repaired(tree: UnitTree) -> None:
    # The data types "Phường 5" of Phú Nhuận and "Thị trấn Ngọc Lặc" as "Xã"; the name wins.
    assert tree.get("old-27046").kind == "Phường"
    assert tree.get("old-15061").kind == "Thị trấn"
    assert tree.get("10543").kind == "Phường"  # Phường Việt Hòa, typed "Xã"
    assert {row[0] for row in tree.report.kind_disagreements} == {
        "10543",
        "11848",
        "31213",
        "31299",
        "old-15061",
        "old-27046",
        "old-27076",
    }
    # "Thành Phố Bắc Kạn" in the data.
    assert tree.get("old-058").name == "Thành phố Bắc Kạn"
    assert tree.get("old-058").kind == "Thành phố"


def test_short_names_drop_the_type_the_data_adds_to_tell_twins_apart(tree: UnitTree) -> None:
    # The data writes "Kỳ Anh (Huyện)" and "Kỳ Anh (Thị xã)".
    assert tree.get("old-447").short_name == "Kỳ Anh"
    assert tree.get("old-449").short_name == "Kỳ Anh"
    assert tree.get("old-447").name == "Huyện Kỳ Anh"
    assert tree.get("old-449").name == "Thị xã Kỳ Anh"
    assert not any("(" in u.short_name for u in tree.units(Level.COMMUNE))


def test_unit_names_are_folded_for_search(tree: UnitTree) -> None:
    assert tree.get("old-003").folded == "quan tay ho"
    assert tree.get("01").folded == "thanh pho ha noi"


# -- successions -----------------------------------------------------------------------------


def test_phuc_xa_merged_wholly_into_phuong_hong_ha(tree: UnitTree) -> None:
    assert tree.get("old-00001").name == "Phường Phúc Xá"
    (edge,) = tree.successors("old-00001")
    assert edge.successor_id == "00097"
    assert edge.is_default
    assert edge.effective_on == REFORM_DATE
    assert tree.default_successor("old-00001").name == "Phường Hồng Hà"


def test_tu_lien_was_split_and_mostly_went_to_hong_ha(tree: UnitTree) -> None:
    # The conversion data splits Phường Tứ Liên between Hồng Hà (default) and Tây Hồ.
    edges = tree.successors("old-00097")
    assert [(e.successor_id, e.is_default) for e in edges] == [
        ("00097", True),
        ("00103", False),
    ]
    assert tree.get("00103").name == "Phường Tây Hồ"
    assert edges[0].successor_area_km2 == pytest.approx(15.09)
    assert tree.default_successor("old-00097").id == "00097"


def test_hong_ha_has_the_old_wards_it_took_in(tree: UnitTree) -> None:
    wholly = {e.predecessor_id for e in tree.predecessors("00097") if e.is_default}
    assert {"old-00001", "old-00037", "old-00067", "old-00097"} <= wholly
    partly = {e.predecessor_id for e in tree.predecessors("00097") if not e.is_default}
    assert "old-00094" in partly  # part of Phường Nhật Tân


def test_xuan_la_split_four_ways_has_one_default(tree: UnitTree) -> None:
    edges = tree.successors("old-00103")
    assert tree.get("old-00103").name == "Phường Xuân La"
    assert len(edges) == 4
    assert [e.is_default for e in edges].count(True) == 1
    assert tree.default_successor("old-00103").name == "Phường Xuân Đỉnh"


def test_hai_duong_province_went_into_hai_phong(tree: UnitTree) -> None:
    (edge,) = tree.successors("old-30")
    assert (edge.successor_id, edge.is_default) == ("31", True)
    assert tree.default_successor("old-30").name == "Thành phố Hải Phòng"
    assert tree.current_province_of("old-30") == tree.get("31")


def test_new_bac_ninh_was_bac_giang_and_bac_ninh(tree: UnitTree) -> None:
    provinces = [
        e.predecessor_id
        for e in tree.predecessors("24")
        if tree.get(e.predecessor_id).level is Level.PROVINCE
    ]
    assert provinces == ["old-24", "old-27"]
    assert tree.get("old-24").name == "Tỉnh Bắc Giang"
    assert tree.get("old-27").name == "Tỉnh Bắc Ninh"


def test_a_district_succeeds_to_its_current_province(tree: UnitTree) -> None:
    (edge,) = tree.successors("old-003")
    assert (edge.successor_id, edge.is_default) == ("01", True)
    assert tree.default_successor("old-003").id == "01"
    for district in tree.units(Level.DISTRICT):
        province = tree.current_province_of(district.id)
        assert province is not None
        assert province == tree.default_successor(district.parent_id or "")


def test_island_districts_succeed_to_their_special_zone(tree: UnitTree) -> None:
    for district_id, (_, zone_id, zone_name, province_id) in ISLAND_DISTRICTS.items():
        (edge,) = tree.successors(district_id)
        assert (edge.successor_id, edge.is_default) == (zone_id, True)
        zone = tree.default_successor(district_id)
        assert (zone.name, zone.kind, zone.level) == (zone_name, "Đặc khu", Level.COMMUNE)
        assert tree.current_province_of(district_id) == tree.get(province_id)
    # Côn Đảo left Bà Rịa - Vũng Tàu for Hồ Chí Minh city with its province.
    assert tree.get("old-755").parent_id == "old-77"


def test_every_legacy_commune_has_exactly_one_default_successor(tree: UnitTree) -> None:
    assert tree.report.unmatched_legacy_communes == UNMATCHED_LEGACY_COMMUNES
    for commune in tree.units(Level.COMMUNE, Generation.LEGACY):
        edges = tree.successors(commune.id)
        assert [e.is_default for e in edges].count(True) == 1, commune
        for edge in edges:
            successor = tree.get(edge.successor_id)
            assert successor.generation is Generation.CURRENT
            if commune.id not in UNMATCHED_LEGACY_COMMUNES:
                assert successor.level is Level.COMMUNE


def test_every_legacy_unit_has_a_current_default_successor(tree: UnitTree) -> None:
    for level in (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE):
        for unit in tree.units(level, Generation.LEGACY):
            assert tree.default_successor(unit.id).generation is Generation.CURRENT


def test_every_current_unit_has_a_predecessor(tree: UnitTree) -> None:
    orphans = {
        u.id for u in tree.units(Level.COMMUNE, Generation.CURRENT) if not tree.predecessors(u.id)
    }
    assert orphans == CURRENT_COMMUNES_WITHOUT_PREDECESSOR
    for province in tree.units(Level.PROVINCE, Generation.CURRENT):
        assert tree.predecessors(province.id)
    assert tree.report.unresolved_keys == ()


def test_split_communes_are_counted(tree: UnitTree) -> None:
    split = [
        u for u in tree.units(Level.COMMUNE, Generation.LEGACY) if len(tree.successors(u.id)) > 1
    ]
    assert len(split) == 471


def test_current_units_succeed_to_themselves(tree: UnitTree) -> None:
    assert tree.default_successor("00097").id == "00097"
    assert tree.default_successor("VN").id == "VN"
    assert tree.successors("00097") == ()
    assert tree.predecessors("old-00097") == ()


def test_current_province_of_any_unit(tree: UnitTree) -> None:
    assert tree.current_province_of("VN") is None
    assert tree.current_province_of("01") == tree.get("01")
    assert tree.current_province_of("00097") == tree.get("01")
    assert tree.current_province_of("old-00097") == tree.get("01")
    assert tree.current_province_of("old-01") == tree.get("01")


# -- navigation ------------------------------------------------------------------------------


def test_ancestors_run_from_parent_up_to_vn(tree: UnitTree) -> None:
    assert _ids(tree.ancestors("old-00097")) == ["old-003", "old-01", "VN"]
    assert _ids(tree.ancestors("00097")) == ["01", "VN"]
    assert tree.ancestors("VN") == ()
    assert tree.parent("old-003") == tree.get("old-01")
    assert tree.parent("VN") is None


def test_chain_runs_from_vn_down_to_the_unit(tree: UnitTree) -> None:
    assert _ids(tree.chain("old-00097")) == ["VN", "old-01", "old-003", "old-00097"]
    assert _ids(tree.chain("VN")) == ["VN"]


def test_is_within_keeps_the_generations_apart(tree: UnitTree) -> None:
    assert tree.is_within("00097", "01")
    assert tree.is_within("00097", "00097")
    assert tree.is_within("00097", "VN")
    assert tree.is_within("old-00097", "old-003")
    assert tree.is_within("old-00097", "old-01")
    assert not tree.is_within("old-00097", "01")  # old units sit in the old tree
    assert not tree.is_within("00097", "old-01")
    assert not tree.is_within("01", "00097")


def test_subtree_sizes(tree: UnitTree) -> None:
    hanoi = tree.subtree_ids("01")
    assert len(tree.children("01")) == HANOI_CURRENT_COMMUNES
    assert len(hanoi) == 1 + HANOI_CURRENT_COMMUNES
    assert "00097" in hanoi
    assert "old-00097" not in hanoi
    old_hanoi = tree.subtree_ids("old-01")
    assert len(old_hanoi) == 1 + 30 + 526  # 30 districts, 526 communes on 2025-06-30
    tay_ho = tree.subtree_ids("old-003")
    assert len(tay_ho) == 1 + 8
    everything = tree.subtree_ids("VN")
    assert len(everything) == len(tree)
    assert {"01", "old-01", "00097", "old-00097"} <= everything
    assert tree.subtree_ids("01") is hanoi  # cached


def test_children_are_in_vietnamese_order_and_filter_by_generation(tree: UnitTree) -> None:
    kids = tree.children("VN")
    assert len(kids) == CURRENT_PROVINCES + LEGACY_PROVINCES
    assert kids[:CURRENT_PROVINCES] == tree.children("VN", Generation.CURRENT)
    assert kids[CURRENT_PROVINCES:] == tree.children("VN", Generation.LEGACY)
    assert tree.children("01", Generation.LEGACY) == ()
    phu_nhuan = [u.short_name for u in tree.children("old-768")]
    assert phu_nhuan[:3] == ["Phường 1", "Phường 2", "Phường 4"]
    assert phu_nhuan[-1] == "Phường 15"  # numbers sort as numbers
    hanoi = [u.short_name for u in tree.children("01")]
    assert hanoi.index("Ba Đình") < hanoi.index("Bạch Mai") < hanoi.index("Cầu Giấy")
    assert hanoi.index("Đông Anh") < hanoi.index("Đống Đa") < hanoi.index("Gia Lâm")
    assert tree.children("00097") == ()


# -- effective dates -------------------------------------------------------------------------


def test_old_units_stop_and_new_units_start_on_1_july_2025(tree: UnitTree) -> None:
    assert tree.in_force("old-00097", BEFORE)
    assert not tree.in_force("old-00097", REFORM_DATE)
    assert not tree.in_force("00097", BEFORE)
    assert tree.in_force("00097", REFORM_DATE)
    assert tree.in_force("00097", date(2030, 1, 1))
    assert tree.in_force("old-00097", date(2000, 1, 1))
    assert tree.in_force("VN", BEFORE)
    assert tree.in_force("VN", REFORM_DATE)


def test_units_in_force_per_level_on_either_side_of_the_reform(tree: UnitTree) -> None:
    assert len(tree.units_in_force(Level.PROVINCE, BEFORE)) == LEGACY_PROVINCES
    assert len(tree.units_in_force(Level.PROVINCE, REFORM_DATE)) == CURRENT_PROVINCES
    assert len(tree.units_in_force(Level.DISTRICT, BEFORE)) == LEGACY_DISTRICTS
    assert tree.units_in_force(Level.DISTRICT, REFORM_DATE) == []
    assert len(tree.units_in_force(Level.COMMUNE, BEFORE)) == LEGACY_COMMUNES
    assert len(tree.units_in_force(Level.COMMUNE, REFORM_DATE)) == CURRENT_COMMUNES
    assert _ids(tree.units_in_force(Level.NATION, REFORM_DATE)) == ["VN"]


# -- search and display ----------------------------------------------------------------------


def test_search_tay_ho_finds_the_old_district_and_the_new_ward(tree: UnitTree) -> None:
    found = _ids(tree.search("tay ho"))
    assert "old-003" in found  # Quận Tây Hồ
    assert "00103" in found  # Phường Tây Hồ
    assert found.index("old-003") < found.index("00103")  # districts before communes
    assert _ids(tree.search("Tây Hồ", generation=Generation.CURRENT))[:1] == ["00103"]


def test_search_ha_noi_puts_the_provinces_first(tree: UnitTree) -> None:
    found = _ids(tree.search("ha noi"))
    assert found[:2] == ["01", "old-01"]
    assert _ids(tree.search("HÀ NỘI", generation=Generation.LEGACY))[:1] == ["old-01"]


def test_search_xa_ba_vi_finds_two_provinces_told_apart(tree: UnitTree) -> None:
    found = tree.search("xa ba vi", generation=Generation.CURRENT)
    assert _ids(found[:2]) == ["09700", "21529"]
    assert [tree.display_name(u.id) for u in found[:2]] == [
        "Xã Ba Vì, Thành phố Hà Nội",
        "Xã Ba Vì, Tỉnh Quảng Ngãi",
    ]
    assert tree.display_name("old-09703") == "Xã Ba Vì, Huyện Ba Vì, Thành phố Hà Nội"


def test_search_ranks_exact_then_prefix_then_substring(tree: UnitTree) -> None:
    found = tree.search("ba vi", limit=50, generation=Generation.CURRENT)
    names = [u.name for u in found]
    assert names[:2] == ["Xã Ba Vì", "Xã Ba Vì"]
    assert names.index("Xã Ba Vinh") > 1  # prefix after the exact matches
    # Communes whose name starts with "Giang" come before the province of An Giang.
    giang = _ids(tree.search("giang", generation=Generation.CURRENT))
    assert giang[:3] == ["30796", "00025", "91"]  # Giang Thành, Giảng Võ, then An Giang
    assert tree.search("ba vi", limit=1) != []
    assert len(tree.search("xa", limit=5)) == 5
    assert tree.search("   ") == []
    assert tree.search("no such place zzz") == []


def test_search_ignores_punctuation_and_accepts_codes(tree: UnitTree) -> None:
    assert _ids(tree.search("ba ria vung tau"))[:1] == ["old-77"]
    assert _ids(tree.search("00097")) == ["00097", "old-00097"]
    assert _ids(tree.search("old-003"))[:1] == ["old-003"]


def test_display_name_of_every_level(tree: UnitTree) -> None:
    assert tree.display_name("VN") == "Việt Nam"
    assert tree.display_name("01") == "Thành phố Hà Nội"
    assert tree.display_name("old-003") == "Quận Tây Hồ, Thành phố Hà Nội"
    assert tree.display_name("00097") == "Phường Hồng Hà, Thành phố Hà Nội"
    assert tree.display_name("old-00097") == "Phường Tứ Liên, Quận Tây Hồ, Thành phố Hà Nội"


# -- errors and loading ----------------------------------------------------------------------


@pytest.mark.parametrize("bad_id", ["99999", "old-99", "", "vn"])
def test_unknown_id_raises_unknown_unit_naming_the_id(tree: UnitTree, bad_id: str) -> None:
    with pytest.raises(UnknownUnit, match=repr(bad_id)) as caught:
        tree.get(bad_id)
    assert isinstance(caught.value, LookupError)
    assert caught.value.unit_id == bad_id
    assert tree.find(bad_id) is None
    assert bad_id not in tree
    for call in (tree.children, tree.ancestors, tree.subtree_ids, tree.successors):
        with pytest.raises(UnknownUnit):
            call(bad_id)
    with pytest.raises(UnknownUnit):
        tree.is_within(bad_id, "VN")
    with pytest.raises(UnknownUnit):
        tree.is_within("00097", bad_id)


def test_a_bare_legacy_code_hints_at_the_old_prefix(tree: UnitTree) -> None:
    with pytest.raises(UnknownUnit, match="'old-003'"):
        tree.get("003")


def test_units_are_loaded_once_per_process(tree: UnitTree) -> None:
    assert load_units() is tree


def test_loading_never_imports_the_package_or_its_geocoder() -> None:
    code = (
        "import sys; from danvan.units import load_units; load_units(); "
        "bad = {'vietnamadminunits', 'shapely', 'geopy'} & set(sys.modules); "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


# -- quirks of the source data, on a small made-up data set ----------------------------------

_NEW = [
    # provinceCode, province, provinceShort, provinceKey, wardCode, ward, wardShort, wardType,
    # wardKey, wardAreaKm2
    ("02", "Tỉnh Hải Nam", "Hải Nam", "tinhhainam", "00010", "Xã Cẩm Giàng", "Cẩm Giàng",
     "Xã", "xãcẩmgiàng", 30.5),
    ("02", "Tỉnh Hải Nam", "Hải Nam", "tinhhainam", "00011", "Xã Cẩm Giang", "Cẩm Giang",
     "Xã", "xãcẩmgiang", 20.0),
    ("02", "Tỉnh Hải Nam", "Hải Nam", "tinhhainam", "00012", "Phường An Bình", "An Bình",
     "Xã", "phuonganbinh", None),
]  # fmt: skip
_OLD = [
    # province (4 columns), district (5 columns), commune (5 columns)
    ("02", "Tỉnh Hải Nam", "Hải Nam", "tinhhainam", "020", "Huyện Cẩm Giàng", "Cẩm Giàng",
     "Huyện", "huyencamgiang", "00100", "Xã Cẩm Điền", "Cẩm Điền", "Xã", "xacamdien"),
    ("02", "Tỉnh Hải Nam", "Hải Nam", "tinhhainam", "020", "Huyện Cẩm Giàng", "Cẩm Giàng",
     "Huyện", "huyencamgiang", "00101", "Thị Trấn Lai Cách", "Lai Cách", "Thị trấn",
     "thitranlaicach"),
    ("02", "Tỉnh Hải Nam", "Hải Nam", "tinhhainam", "020", "Huyện Cẩm Giàng", "Cẩm Giàng",
     "Huyện", "huyencamgiang", "00102", "Xã Cẩm Vũ", "Cẩm Vũ", "Xã", "xacamvu"),
    ("02", "Tỉnh Hải Nam", "Hải Nam", "tinhhainam", "021", "Huyện Đảo", "Đảo", "Huyện",
     "huyendao", None, None, None, None, None),
]  # fmt: skip
_CONVERTER = {
    "DICT_PROVINCE": {"tinhhainam": ["tinhhainam"]},
    "DICT_PROVINCE_WARD_NO_DIVIDED": {
        "tinhhainam": {
            # Folds to two communes (Cẩm Giàng, Cẩm Giang): ambiguous, so no successor.
            "xacamgiang": ["tinhhainam_huyencamgiang_xacamdien"],
            # Written unlike the table's key; joins once normalised.
            "Phường An Bình": ["tinhhainam_huyencamgiang_thitranlaicach"],
            "xãcẩmgiang": ["tinhhainam_huyendao_"],
        }
    },
    "DICT_PROVINCE_WARD_DIVIDED": {
        "tinhhainam": {
            "tinhhainam_huyencamgiang_xacamvu": [
                {"newWardKey": "xãcẩmgiàng", "isDefaultNewWard": True, "newWardAreaKm2": 30.5},
                {"newWardKey": "xãcẩmgiang", "isDefaultNewWard": False, "newWardAreaKm2": 20.0},
            ]
        }
    },
}


@pytest.fixture(scope="module")
def small() -> UnitTree:
    return assemble(_NEW, _OLD, _CONVERTER)


def test_keys_with_diacritics_join_exactly_and_do_not_collapse(small: UnitTree) -> None:
    edges = small.successors("old-00102")
    assert [(e.successor_id, e.is_default, e.successor_area_km2) for e in edges] == [
        ("00010", True, 30.5),
        ("00011", False, 20.0),
    ]


def test_a_key_written_differently_joins_after_normalising(small: UnitTree) -> None:
    assert small.default_successor("old-00101").id == "00012"
    assert small.report.normalised_key_matches == ("tinhhainam_Phường An Bình",)


def test_an_ambiguous_key_falls_back_to_the_new_province(small: UnitTree) -> None:
    assert small.report.unmatched_legacy_communes == {"old-00100"}
    assert "tinhhainam_xacamgiang" in small.report.unresolved_keys
    (edge,) = small.successors("old-00100")
    assert (edge.successor_id, edge.is_default) == ("02", True)
    assert small.current_province_of("old-00100") == small.get("02")


def test_districts_succeed_to_their_province_or_their_island_zone(small: UnitTree) -> None:
    assert small.default_successor("old-020").id == "02"
    assert small.default_successor("old-021").id == "00011"
    assert small.default_successor("old-02").id == "02"


def test_names_and_kinds_are_repaired(small: UnitTree) -> None:
    assert small.get("00012").kind == "Phường"
    assert small.get("old-00101").name == "Thị trấn Lai Cách"
    assert small.report.name_case_fixes == (("old-00101", "Thị Trấn Lai Cách"),)
    assert small.report.kind_disagreements == (("00012", "Phường An Bình", "Xã"),)


def _unit(unit_id: str, level: Level, generation: Generation, parent: str | None) -> Unit:
    legacy = generation is Generation.LEGACY
    return Unit(
        id=unit_id,
        code=unit_id.removeprefix("old-"),
        name=f"Tỉnh {unit_id}",
        short_name=unit_id,
        kind="Tỉnh",
        level=level,
        generation=generation,
        parent_id=parent,
        valid_from=None if legacy else REFORM_DATE,
        valid_to=REFORM_DATE if legacy else None,
    )


def test_a_tree_refuses_a_legacy_unit_without_one_default_successor() -> None:
    root = _unit("VN", Level.NATION, Generation.CURRENT, None)
    new = _unit("01", Level.PROVINCE, Generation.CURRENT, "VN")
    old = _unit("old-01", Level.PROVINCE, Generation.LEGACY, "VN")
    edge = Succession("old-01", "01", True, None, REFORM_DATE)
    assert UnitTree([root, new, old], [edge]).default_successor("old-01") == new
    with pytest.raises(ValueError, match="0 default successors"):
        UnitTree([root, new, old], [])
    # A succession runs forward: to a unit in force on the day its predecessor ceased.
    with pytest.raises(ValueError, match="out of its units' dates"):
        UnitTree([root, new, old], [edge, Succession("old-01", "old-01", False, None, REFORM_DATE)])
    # A unit in force never sits under a former one (a former one may sit under one in force).
    with pytest.raises(ValueError, match="cannot sit under"):
        UnitTree(
            [root, new, old, _unit("00001", Level.COMMUNE, Generation.CURRENT, "old-01")], [edge]
        )


def test_a_former_commune_is_in_force_during_a_span_that_reaches_back_before_the_reform(
    tree: UnitTree,
) -> None:
    former = tree.get("old-00001")
    assert former.in_force_during(date(2025, 6, 1), date(2025, 12, 31))
    assert not former.in_force_during(date(2025, 7, 1), date(2025, 12, 31))
    assert tree.get("00097").in_force_during(date(2025, 1, 1), date(2025, 7, 1))
    assert not tree.get("00097").in_force_during(date(2024, 1, 1), date(2025, 6, 30))
