"""Build the unit tree from the data files of the ``vietnamadminunits`` package (MIT, 1.0.4).

The package is never imported (importing it loads shapely and geopy and builds an online
geocoder): its folder is found with :func:`importlib.util.find_spec` and two files are read:

- ``data/dataset.db`` (SQLite): ``admin_units`` (communes since 2025-07-01) and
  ``admin_units_legacy`` (province, district, commune rows in force until 2025-06-30; five
  island districts have a row with no commune);
- ``data/converter_2025.json``: old → new provinces and communes, keyed by normalised names
  that join to the tables' key columns.
"""

from __future__ import annotations

import gc
import importlib.util
import json
import re
import sqlite3
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from contextlib import closing
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from danvan.text import fold
from danvan.units.loaded import in_effect, tree_with
from danvan.units.model import (
    NATION_ID,
    REFORM_DATE,
    Generation,
    Level,
    LoadReport,
    Succession,
    Unit,
    legacy_id,
)
from danvan.units.tree import UnitTree

PACKAGE = "vietnamadminunits"

PROVINCE_KINDS = ("Thành phố", "Tỉnh")
DISTRICT_KINDS = ("Thành phố", "Thị xã", "Quận", "Huyện")
COMMUNE_KINDS = ("Đặc khu", "Thị trấn", "Phường", "Xã")
_ALL_KINDS = frozenset((*PROVINCE_KINDS, *DISTRICT_KINDS, *COMMUNE_KINDS))
# "Kỳ Anh (Huyện)": the data disambiguates some short names with the type in brackets.
_KIND_SUFFIX = re.compile(r"\s*\(([^()]*)\)\s*$")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def data_dir() -> Path:
    """The package's ``data`` folder, found without importing the package."""
    spec = importlib.util.find_spec(PACKAGE)
    locations = None if spec is None else spec.submodule_search_locations
    if not locations:
        raise RuntimeError(f"the package {PACKAGE!r} is not installed (pin 1.0.4)")
    return Path(next(iter(locations))) / "data"


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def _norm_key(key: str) -> str:
    """Robust form of a converter key: folded, non-alphanumerics removed."""
    return _NON_ALNUM.sub("", fold(key))


def _split_kind(
    name: str, kinds: tuple[str, ...], type_column: str | None
) -> tuple[str, str, bool]:
    """(name with the type prefix as written officially, kind, whether the case was fixed).

    The name's prefix wins over the type column: where they disagree in the data the name
    agrees with the resolutions ("Phường 5" of Phú Nhuận is typed "Xã").
    """
    lowered = name.lower()
    for kind in kinds:
        if lowered.startswith(kind.lower() + " "):
            fixed = kind + name[len(kind) :]
            return fixed, kind, fixed != name
    return name, _nfc(type_column or ""), False


def _clean_short(short: str | None, name: str, kind: str) -> str:
    if not short:
        return name[len(kind) :].strip() or name
    short = _nfc(short)
    match = _KIND_SUFFIX.search(short)
    if match and match.group(1).strip().lower() in {k.lower() for k in _ALL_KINDS}:
        short = short[: match.start()]
    return short


class _KeyIndex:
    """Joins converter keys to units: exact first (then NFC), then normalised if unambiguous.

    The normalised index (which also absorbs any Unicode form of the tables' keys) is built
    only on the first miss: the data joins exactly today.
    """

    def __init__(self) -> None:
        self._exact: dict[tuple[str, ...], str] = {}
        self._normalised: dict[tuple[str, ...], list[str]] | None = None
        self.normalised_hits: list[str] = []

    def add(self, key: tuple[str, ...], unit_id: str) -> None:
        self._exact[key] = unit_id

    def get(self, key: tuple[str, ...]) -> str | None:
        found = self._exact.get(key)
        if found is None:
            found = self._exact.get(tuple(_nfc(k) for k in key))
        if found is not None:
            return found
        if self._normalised is None:
            self._normalised = defaultdict(list)
            for exact, unit_id in self._exact.items():
                self._normalised[tuple(_norm_key(k) for k in exact)].append(unit_id)
        candidates = self._normalised.get(tuple(_norm_key(k) for k in key), [])
        if len(candidates) == 1:
            self.normalised_hits.append("_".join(key))
            return candidates[0]
        return None


class _Builder:
    def __init__(self) -> None:
        self.units: dict[str, Unit] = {}
        self.kind_disagreements: list[tuple[str, str, str]] = []
        self.case_fixes: list[tuple[str, str]] = []

    def add(
        self,
        *,
        unit_id: str,
        code: str,
        raw_name: str,
        raw_short: str | None,
        kinds: tuple[str, ...],
        type_column: str | None,
        level: Level,
        generation: Generation,
        parent_id: str,
        area_km2: float | None = None,
    ) -> None:
        if unit_id in self.units:
            raise ValueError(f"the data names unit {unit_id!r} twice")
        raw_name = _nfc(raw_name)
        name, kind, case_fixed = _split_kind(raw_name, kinds, type_column)
        if case_fixed:
            self.case_fixes.append((unit_id, raw_name))
        if type_column is not None and _nfc(type_column).lower() != kind.lower():
            self.kind_disagreements.append((unit_id, name, type_column))
        legacy = generation is Generation.LEGACY
        self.units[unit_id] = Unit(
            id=unit_id,
            code=code,
            name=name,
            short_name=_clean_short(raw_short, name, kind),
            kind=kind,
            level=level,
            generation=generation,
            parent_id=parent_id,
            valid_from=None if legacy else REFORM_DATE,
            valid_to=REFORM_DATE if legacy else None,
            area_km2=area_km2,
        )


CURRENT_COLUMNS = (
    "provinceCode, province, provinceShort, provinceKey,"
    " wardCode, ward, wardShort, wardType, wardKey, wardAreaKm2"
)
LEGACY_COLUMNS = (
    "provinceCode, province, provinceShort, provinceKey,"
    " districtCode, district, districtShort, districtType, districtKey,"
    " wardCode, ward, wardShort, wardType, wardKey"
)


def build_tree(data: Path | None = None) -> UnitTree:
    """Read the package's files (or those in ``data``) and build a fresh tree."""
    folder = data if data is not None else data_dir()
    uri = (folder / "dataset.db").resolve().as_uri() + "?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as connection:
        current_rows = connection.execute(f"SELECT {CURRENT_COLUMNS} FROM admin_units").fetchall()
        legacy_rows = connection.execute(
            f"SELECT {LEGACY_COLUMNS} FROM admin_units_legacy"
        ).fetchall()
    converter = json.loads((folder / "converter_2025.json").read_text(encoding="utf-8"))
    # Some 60,000 objects and no cycles: collecting while building only costs time.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return assemble(current_rows, legacy_rows, converter)
    finally:
        if gc_was_enabled:
            gc.enable()


def assemble(
    current_rows: Iterable[tuple[Any, ...]],
    legacy_rows: Iterable[tuple[Any, ...]],
    converter: Mapping[str, Any],
) -> UnitTree:
    """Build the tree from rows of ``admin_units`` and ``admin_units_legacy`` (the columns
    :data:`CURRENT_COLUMNS` and :data:`LEGACY_COLUMNS`, in that order) and the parsed
    ``converter_2025.json``.

    Converter keys join exactly when they can, else after normalising (folded, non-letters
    removed) when that names one unit; a legacy commune left without a successor falls back
    to the current province its old province went into. :attr:`UnitTree.report` says what
    was repaired.
    """
    builder = _Builder()
    root = Unit(
        id=NATION_ID,
        code=NATION_ID,
        name="Việt Nam",
        short_name="Việt Nam",
        kind="Quốc gia",
        level=Level.NATION,
        generation=Generation.CURRENT,
        parent_id=None,
        valid_from=None,
        valid_to=None,
    )
    current = Generation.CURRENT
    legacy = Generation.LEGACY
    new_provinces = _KeyIndex()
    new_communes = _KeyIndex()
    units = builder.units
    for pcode, pname, pshort, pkey, wcode, wname, wshort, wtype, wkey, area in current_rows:
        if pcode not in units:
            builder.add(
                unit_id=pcode,
                code=pcode,
                raw_name=pname,
                raw_short=pshort,
                kinds=PROVINCE_KINDS,
                type_column=None,
                level=Level.PROVINCE,
                generation=current,
                parent_id=NATION_ID,
            )
            new_provinces.add((pkey,), pcode)
        builder.add(
            unit_id=wcode,
            code=wcode,
            raw_name=wname,
            raw_short=wshort,
            kinds=COMMUNE_KINDS,
            type_column=wtype,
            level=Level.COMMUNE,
            generation=current,
            parent_id=pcode,
            area_km2=None if area is None else float(area),
        )
        new_communes.add((pkey, wkey), wcode)

    old_provinces = _KeyIndex()
    old_units = _KeyIndex()  # (province, district, commune or "") → legacy id
    old_province_of: dict[str, str] = {}  # legacy commune or district id → legacy province id
    legacy_communes: list[str] = []
    for row in legacy_rows:
        pcode, pname, pshort, pkey, dcode, dname, dshort, dtype, dkey = row[:9]
        wcode, wname, wshort, wtype, wkey = row[9:]
        pid, did = legacy_id(pcode), legacy_id(dcode)
        if pid not in units:
            builder.add(
                unit_id=pid,
                code=pcode,
                raw_name=pname,
                raw_short=pshort,
                kinds=PROVINCE_KINDS,
                type_column=None,
                level=Level.PROVINCE,
                generation=legacy,
                parent_id=NATION_ID,
            )
            old_provinces.add((pkey,), pid)
        if did not in units:
            builder.add(
                unit_id=did,
                code=dcode,
                raw_name=dname,
                raw_short=dshort,
                kinds=DISTRICT_KINDS,
                type_column=dtype,
                level=Level.DISTRICT,
                generation=legacy,
                parent_id=pid,
            )
            old_units.add((pkey, dkey, ""), did)
            old_province_of[did] = pid
        if wcode is None:  # an island district without communes
            continue
        wid = legacy_id(wcode)
        builder.add(
            unit_id=wid,
            code=wcode,
            raw_name=wname,
            raw_short=wshort,
            kinds=COMMUNE_KINDS,
            type_column=wtype,
            level=Level.COMMUNE,
            generation=legacy,
            parent_id=did,
        )
        old_units.add((pkey, dkey, wkey), wid)
        old_province_of[wid] = pid
        legacy_communes.append(wid)

    unresolved: list[str] = []
    edges: dict[str, dict[str, Succession]] = defaultdict(dict)  # predecessor → successor → edge
    extra_defaults: list[str] = []

    def add_edge(pred: str, succ: str, is_default: bool, area: float | None) -> None:
        by_successor = edges[pred]
        if is_default and any(
            e.is_default and e.successor_id != succ for e in by_successor.values()
        ):
            extra_defaults.append(pred)
            is_default = False
        previous = by_successor.get(succ)
        if previous is not None and (previous.is_default or not is_default):
            return
        by_successor[succ] = Succession(pred, succ, is_default, area, REFORM_DATE)

    # Provinces.
    new_province_of_old: dict[str, str] = {}
    for new_key, old_keys in converter["DICT_PROVINCE"].items():
        new_id = new_provinces.get((new_key,))
        if new_id is None:
            unresolved.append(new_key)
            continue
        for old_key in old_keys:
            old_id = old_provinces.get((old_key,))
            if old_id is None:
                unresolved.append(old_key)
                continue
            new_province_of_old[old_id] = new_id
            add_edge(old_id, new_id, True, None)

    def old_unit(full_key: str) -> str | None:
        parts = full_key.split("_")
        if len(parts) != 3:
            return None
        return old_units.get((parts[0], parts[1], parts[2]))

    # Communes wholly merged into one new commune (and the island districts, whose key has an
    # empty commune part: "tinhbariavungtau_huyencondao_" → Đặc khu Côn Đảo).
    for new_pkey, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_wkey, old_keys in wards.items():
            new_id = new_communes.get((new_pkey, new_wkey))
            if new_id is None:
                unresolved.append(f"{new_pkey}_{new_wkey}")
                continue
            for old_key in old_keys:
                old_id = old_unit(old_key)
                if old_id is None:
                    unresolved.append(old_key)
                    continue
                add_edge(old_id, new_id, True, units[new_id].area_km2)

    # Communes split among several new communes: one edge each, one marked default.
    for new_pkey, olds in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, parts in olds.items():
            old_id = old_unit(old_key)
            if old_id is None:
                unresolved.append(old_key)
                continue
            for part in parts:
                new_id = new_communes.get((new_pkey, part["newWardKey"]))
                if new_id is None:
                    unresolved.append(f"{new_pkey}_{part['newWardKey']}")
                    continue
                area = part.get("newWardAreaKm2")
                add_edge(
                    old_id,
                    new_id,
                    bool(part.get("isDefaultNewWard")),
                    None if area is None else float(area),
                )

    # Every legacy commune needs one default successor: promote the first edge if the data
    # marks none; with no edge at all fall back to the new province of its old province.
    unmatched: set[str] = set()
    for wid in legacy_communes:
        by_successor = edges[wid]
        if not by_successor:
            unmatched.add(wid)
            province = new_province_of_old.get(old_province_of[wid])
            if province is not None:
                add_edge(wid, province, True, None)
        elif not any(e.is_default for e in by_successor.values()):
            first = next(iter(by_successor.values()))
            by_successor[first.successor_id] = Succession(
                wid, first.successor_id, True, first.successor_area_km2, REFORM_DATE
            )

    # Districts: the current province their communes mostly went to, unless the data already
    # gives a commune-level successor (the island districts).
    communes_of: dict[str, list[str]] = defaultdict(list)
    for wid in legacy_communes:
        parent = units[wid].parent_id
        assert parent is not None
        communes_of[parent].append(wid)
    for did, unit in units.items():
        if unit.level is not Level.DISTRICT or edges.get(did):
            continue
        votes: Counter[str] = Counter()
        for wid in communes_of[did]:
            for edge in edges[wid].values():
                if edge.is_default:
                    holder = units[edge.successor_id]
                    while holder.level is not Level.PROVINCE and holder.parent_id:
                        holder = units[holder.parent_id]
                    votes[holder.id] += 1
        fallback = new_province_of_old.get(old_province_of[did])
        target: str | None
        if votes:
            top = max(votes.values())
            leaders = [p for p, n in votes.items() if n == top]
            target = fallback if fallback in leaders else sorted(leaders)[0]
        else:
            target = fallback
        if target is not None:
            add_edge(did, target, True, None)

    report = LoadReport(
        unmatched_legacy_communes=frozenset(unmatched),
        unresolved_keys=tuple(unresolved),
        normalised_key_matches=tuple(
            new_provinces.normalised_hits
            + new_communes.normalised_hits
            + old_provinces.normalised_hits
            + old_units.normalised_hits
        ),
        kind_disagreements=tuple(builder.kind_disagreements),
        name_case_fixes=tuple(builder.case_fixes),
        extra_defaults=tuple(extra_defaults),
    )
    successions = [edge for by_successor in edges.values() for edge in by_successor.values()]
    return UnitTree([root, *units.values()], successions, report)


@cache
def _package_tree() -> UnitTree:
    return build_tree()


def load_units(folder: Path | None = None, on: date = date.max) -> UnitTree:
    """The tree of both generations, built once per process; with `folder`, also the
    reorganisations loaded there (`danvan units load`) that are in effect on `on`."""
    base = _package_tree()
    if folder is None:
        return base
    return tree_with(base, in_effect(folder, on))
