"""The unit directory: find and list administrative units by name, level, parent and date.

A portal's search box and its tree by level both read it. Its index is built once per tree
(:meth:`UnitTree.directory`): every unit's name folded into words, its code, and its place in
each order, so a query over all 14,000 units folds nothing but the query itself.

Matching: every word of the query, folded ("tay ho", "Tây Hồ" and "TÂY HỒ" alike), begins a
word of the unit's name or begins its code; or the whole query is the unit's code or id
(``old-003``). Names are made of syllables, so a word matches where a syllable begins: "ha"
finds "Hà Nội" and "Hải Phòng", never the "ha" inside "Thanh".

>>> from danvan.units import load_units
>>> directory = load_units().directory()
>>> found = directory.select(UnitQuery(q="tay ho", generation=GenerationFilter.ALL), limit=2)
>>> [unit.id for unit in found.units]
['old-003', '00103']
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

from danvan.contracts.rpc import Message
from danvan.messages import MessageError
from danvan.text import fold
from danvan.units.model import LEVEL_RANK, NATION_ID, Generation, Level, Unit

if TYPE_CHECKING:
    from danvan.units.tree import UnitTree

_NON_ALNUM = re.compile(r"[^0-9a-z]+")

#: A unit's place in an order: integers only, so it travels in a cursor as JSON.
OrderKey = tuple[int, ...]


def search_key(text: str) -> str:
    """Folded, punctuation as single spaces: "Bà Rịa - Vũng Tàu" → "ba ria vung tau"."""
    return _NON_ALNUM.sub(" ", fold(text)).strip()


class GenerationFilter(StrEnum):
    """Which generation a list shows; the nation ``VN`` belongs to both."""

    CURRENT = "current"
    LEGACY = "legacy"
    ALL = "all"


class UnitSort(StrEnum):
    #: The name without its kind ("Tây Hồ" for "Phường Tây Hồ") in Vietnamese dictionary
    #: order, then the full name; a unit in force before a former one of the same name.
    NAME = "name"
    #: The GSO code as text ("00097" before "01"), then the id (``01`` before ``old-01``).
    CODE = "code"
    #: Province, district, commune; by name within a level.
    LEVEL = "level"
    #: Only with a search: the name is the query, then it begins with the query, then the
    #: other matches; by level, then by name, within each.
    RELEVANCE = "relevance"


class DirectoryError(MessageError):
    """A query the directory cannot answer; ``field`` names the parameter at fault."""

    def __init__(self, field: str, message: Message) -> None:
        self.field = field
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class UnitOrder:
    sort: UnitSort = UnitSort.NAME
    descending: bool = False

    @property
    def code(self) -> str:
        return f"-{self.sort.value}" if self.descending else self.sort.value

    @classmethod
    def parse(cls, code: str) -> UnitOrder:
        """``name`` or ``-name`` (descending), for each :class:`UnitSort`."""
        try:
            sort = UnitSort(code.removeprefix("-"))
        except ValueError:
            choices = ", ".join(sort.value for sort in UnitSort)
            raise DirectoryError(
                "sort",
                Message(
                    vi=f"không sắp xếp được theo {code!r}: chọn một trong {choices}, "
                    "thêm - để đảo chiều",
                    en=f"cannot sort by {code!r}: choose one of {choices}, with - to reverse",
                ),
            ) from None
        return cls(sort, code.startswith("-"))


@dataclass(frozen=True, slots=True)
class UnitQuery:
    """What a list asks for; every filter given must hold."""

    #: Words to find in the name or code (see the module's notes).
    q: str | None = None
    level: Level | None = None
    #: Only the direct children of this unit.
    parent: str | None = None
    #: None: the units in force today, unless `on` is given (then the units in force that
    #: day, of either generation) or `parent` is a former unit (its children ceased with it).
    generation: GenerationFilter | None = None
    #: Only units in force on this day.
    on: date | None = None
    #: Only these unit ids (the caller's scope); None: every unit.
    within: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class UnitListing:
    units: tuple[Unit, ...]
    #: How many units match, whatever page this is.
    total: int
    #: The order key of the last unit, to pass as ``after`` for the next page; None on the
    #: last page.
    next_after: OrderKey | None


@dataclass(frozen=True, slots=True)
class _Entry:
    unit: Unit
    #: " " + the search keys of the name, the code and (when it differs) the id:
    #: " word" is in it exactly when a word of them begins with "word".
    words: str
    name_key: str
    short_key: str
    code: str
    id: str
    name_rank: int
    code_rank: int
    level_rank: int


def _entry(unit: Unit, name_rank: int, code_rank: int) -> _Entry:
    name_key = _NON_ALNUM.sub(" ", unit.folded).strip()  # unit.folded is fold(unit.name)
    code, unit_id = unit.code.lower(), unit.id.lower()
    words = f" {name_key} {search_key(code)}"
    if unit_id != code:
        words += f" {search_key(unit_id)}"
    return _Entry(
        unit=unit,
        words=words,
        name_key=name_key,
        short_key=search_key(unit.short_name),
        code=code,
        id=unit_id,
        name_rank=name_rank,
        code_rank=code_rank,
        level_rank=LEVEL_RANK[unit.level],
    )


@dataclass(frozen=True, slots=True)
class _Search:
    needles: tuple[str, ...]  # " word" for each word
    phrase: str
    raw: str

    @classmethod
    def of(cls, text: str) -> _Search | None:
        raw = text.strip().lower()
        if not raw:
            return None  # an empty search box: no search
        phrase = search_key(text)
        if not phrase:
            raise DirectoryError(
                "q",
                Message(
                    vi=f"{text!r} không có chữ cái hay chữ số nào để tìm",
                    en=f"{text!r} has no letter or digit to search for",
                ),
            )
        return cls(tuple(f" {word}" for word in phrase.split()), phrase, raw)

    def matching(self, entries: Sequence[_Entry]) -> list[_Entry]:
        """The entries with every word; one pass per word, the rarest-looking (longest)
        first, so later passes see few entries."""
        found = list(entries)
        for needle in sorted(self.needles, key=len, reverse=True):
            found = [entry for entry in found if needle in entry.words]
        return found

    def rank(self, entry: _Entry) -> int:
        """Of a matching entry: 0 for the name or code itself, 1 for a name or id that begins
        with the query, 2 for any other match."""
        if self.raw in (entry.code, entry.id) or self.phrase in (entry.short_key, entry.name_key):
            return 0
        if (
            entry.id.startswith(self.raw)
            or entry.short_key.startswith(self.phrase)
            or entry.name_key.startswith(self.phrase)
        ):
            return 1
        return 2


Pool = tuple[Level | None, Generation | None]


class UnitDirectory:
    """Lists and searches one tree's units; build it once per tree (``tree.directory()``)."""

    def __init__(self, tree: UnitTree) -> None:
        self._tree = tree
        units = tree.all_units()  # the tree's name order
        by_code = sorted(units, key=lambda unit: (unit.code, unit.id))
        code_rank = {unit.id: rank for rank, unit in enumerate(by_code)}
        entries = tuple(
            _entry(unit, name_rank, code_rank[unit.id]) for name_rank, unit in enumerate(units)
        )
        self._by_id = {entry.unit.id: entry for entry in entries}
        # Every combination of level and generation filter, each in name order: a list that
        # filters by nothing else starts from one of them and checks no entry.
        self._pools: dict[Pool, tuple[_Entry, ...]] = {
            (level, generation): tuple(
                entry for entry in entries if _of(entry.unit, level, generation)
            )
            for level in (None, *Level)
            for generation in (None, *Generation)
        }

    def select(
        self,
        query: UnitQuery,
        order: UnitOrder | None = None,
        *,
        limit: int | None = None,
        after: OrderKey | None = None,
    ) -> UnitListing:
        """The units matching `query` in `order` (by relevance when searching, else by name),
        at most `limit` of them, starting after the unit whose order key is `after`."""
        search = _Search.of(query.q) if query.q is not None else None
        if order is None:
            order = default_order(query)
        if order.sort is UnitSort.RELEVANCE and search is None:
            raise DirectoryError(
                "sort",
                Message(
                    vi="sắp xếp theo mức phù hợp cần có từ khóa tìm kiếm (q)",
                    en="sorting by relevance needs a search (q)",
                ),
            )
        entries = self._filtered(query, search)
        order_key = _order_key(order.sort, search)
        # The entries come in name order: sorting by name would only cost time.
        ordered = entries if order.sort is UnitSort.NAME else sorted(entries, key=order_key)
        if order.descending:
            ordered = ordered[::-1]
        start = 0
        if after is not None:
            start = _start_after(ordered, _checked(after, order), order_key, order.descending)
        stop = len(ordered) if limit is None else start + limit
        page = ordered[start:stop]
        next_after = order_key(page[-1]) if page and stop < len(ordered) else None
        return UnitListing(tuple(entry.unit for entry in page), len(ordered), next_after)

    def search(
        self, text: str, limit: int = 20, generation: Generation | None = None
    ) -> list[Unit]:
        """The best `limit` matches of `text` among every unit (or one generation's)."""
        if limit <= 0 or not search_key(text):
            return []
        chosen = GenerationFilter.ALL if generation is None else GenerationFilter(generation.value)
        return list(self.select(UnitQuery(q=text, generation=chosen), limit=limit).units)

    def _generation(self, query: UnitQuery) -> Generation | None:
        if query.generation is GenerationFilter.ALL:
            return None
        if query.generation is not None:
            return Generation(query.generation.value)
        parent = self._tree.find(query.parent) if query.parent is not None else None
        if query.on is not None or (parent is not None and parent.is_legacy):
            return None
        return Generation.CURRENT

    def _filtered(self, query: UnitQuery, search: _Search | None) -> Sequence[_Entry]:
        """The entries that pass every filter, in name order; the cheapest filters first."""
        generation = self._generation(query)
        pool = self._pools[query.level, generation]
        within = query.within
        entries: Sequence[_Entry]
        if query.parent is not None:
            if query.parent not in self._tree:
                raise DirectoryError(
                    "parent",
                    Message(
                        vi=f"không có đơn vị hành chính {query.parent}",
                        en=f"no administrative unit {query.parent}",
                    ),
                )
            entries = self._in_name_order(
                (self._by_id[unit.id] for unit in self._tree.children(query.parent)),
                query.level,
                generation,
            )
        elif within is not None and len(within) < len(pool):
            # A commune's or a province's caller sees a few hundred or thousand units: start
            # from those rather than look each of 14,000 up among them.
            entries = self._in_name_order(
                (entry for entry in map(self._by_id.get, within) if entry is not None),
                query.level,
                generation,
            )
            within = None
        else:
            entries = pool
        if search is not None:
            entries = search.matching(entries)
        if query.on is not None:
            day = query.on
            entries = [entry for entry in entries if entry.unit.in_force_on(day)]
        if within is not None:
            entries = [entry for entry in entries if entry.unit.id in within]
        return entries

    @staticmethod
    def _in_name_order(
        entries: Iterable[_Entry], level: Level | None, generation: Generation | None
    ) -> list[_Entry]:
        """Those of `entries` of that level and generation, in name order."""
        return sorted(
            (entry for entry in entries if _of(entry.unit, level, generation)),
            key=lambda entry: entry.name_rank,
        )


def default_order(query: UnitQuery) -> UnitOrder:
    """By relevance when searching, else by name."""
    searching = query.q is not None and bool(query.q.strip())
    return UnitOrder(UnitSort.RELEVANCE if searching else UnitSort.NAME)


def _of(unit: Unit, level: Level | None, generation: Generation | None) -> bool:
    """Whether the unit is of that level and generation (None: any); the nation is of both."""
    return (level is None or unit.level is level) and (
        generation is None or unit.generation is generation or unit.id == NATION_ID
    )


def _order_key(sort: UnitSort, search: _Search | None) -> Callable[[_Entry], OrderKey]:
    """Each key is unique (the name's rank is), so a page starts exactly after the unit its
    cursor names."""
    match sort:
        case UnitSort.NAME:
            return lambda entry: (entry.name_rank,)
        case UnitSort.CODE:
            return lambda entry: (entry.code_rank,)
        case UnitSort.LEVEL:
            return lambda entry: (entry.level_rank, entry.name_rank)
        case UnitSort.RELEVANCE:
            assert search is not None
            rank = search.rank
            return lambda entry: (rank(entry), entry.level_rank, entry.name_rank)


def _start_after(
    ordered: Sequence[_Entry],
    position: OrderKey,
    order_key: Callable[[_Entry], OrderKey],
    descending: bool,
) -> int:
    """The index of the first entry that comes after `position` in `ordered`."""
    if not descending:
        return bisect_right(ordered, position, key=order_key)
    low, high = 0, len(ordered)
    while low < high:
        middle = (low + high) // 2
        if order_key(ordered[middle]) < position:
            high = middle
        else:
            low = middle + 1
    return low


_KEY_LENGTH = {UnitSort.NAME: 1, UnitSort.CODE: 1, UnitSort.LEVEL: 2, UnitSort.RELEVANCE: 3}


def _checked(after: OrderKey, order: UnitOrder) -> OrderKey:
    """`after`, once it is known to be a key of this order (a page's `next_after`)."""
    if len(after) != _KEY_LENGTH[order.sort] or not all(
        isinstance(value, int) and not isinstance(value, bool) for value in after
    ):
        raise DirectoryError(
            "cursor",
            Message(
                vi=f"không phải một vị trí trong cách sắp xếp {order.code}",
                en=f"not a position in the order {order.code}",
            ),
        )
    return after
