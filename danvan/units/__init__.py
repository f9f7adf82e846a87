"""Vietnam's administrative units, both generations, effective-dated, with successions.

Later reorganisations are data: ``danvan units load FILE`` keeps one in the units folder, and
``load_units(folder, today)`` applies those in effect (see ``danvan.units.reorganisation``).

Two trees hang under the root ``VN``: the units in force since 2025-07-01 (34 provinces and
3,321 communes, id = bare GSO code: ``01``, ``00097``) and those that ceased that day (63
provinces, 696 districts, 10,035 communes, id = ``old-<code>``: ``old-01``, ``old-003``,
``old-00097``). A bare code does not name one place across the reform: ``00097`` is Phường
Hồng Hà, ``old-00097`` was Phường Tứ Liên. Successions join the generations.

>>> tree = load_units()
>>> tree.get("00097").name
'Phường Hồng Hà'
>>> tree.default_successor("old-30").name
'Thành phố Hải Phòng'
"""

from danvan.units.loaded import units_key
from danvan.units.loader import build_tree, data_dir, load_units
from danvan.units.model import (
    BASE_KEY,
    LEGACY_PREFIX,
    NATION_ID,
    REFORM_DATE,
    Generation,
    Level,
    LoadReport,
    Succession,
    Unit,
    UnknownUnit,
    legacy_id,
)
from danvan.units.tree import UnitTree

__all__ = [
    "BASE_KEY",
    "LEGACY_PREFIX",
    "NATION_ID",
    "REFORM_DATE",
    "Generation",
    "Level",
    "LoadReport",
    "Succession",
    "Unit",
    "UnitTree",
    "UnknownUnit",
    "build_tree",
    "data_dir",
    "legacy_id",
    "load_units",
    "units_key",
]
