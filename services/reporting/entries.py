"""Figures a unit enters by hand (supervision, critique, inspections: no service records them)
or imports from its old spreadsheets (any counted indicator, marked imported), per period.

An entry replaces what the unit entered before for the same period, indicator and breakdown;
its event carries both values, so the projection adds the difference. Entries for one unit,
indicator and breakdown may not overlap in time under different periods (202401 and 2024Q1),
or a quarter's figure would count its months twice. A request is checked whole first: one bad
row saves nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from danvan.access import in_scope, no_unit_with_code, outside_scope
from danvan.contracts.reporting import (
    DIMENSIONS,
    INDICATORS,
    TOTAL,
    FigureEntered,
    FigureEntries,
    FigureEntry,
    FigureSource,
)
from danvan.contracts.rpc import WRITERS, ErrorCode, ErrorDetail, Message, Principal, ServiceError
from danvan.db import upsert_insert
from danvan.emit import Fact, emit
from danvan.periods import InvalidPeriod, Period, overlaps, periods_of_year
from danvan.units import UnitTree
from services.reporting.store import figure_entries_table

E = figure_entries_table


@dataclass(frozen=True, slots=True)
class CheckedEntry:
    entry: FigureEntry
    period: Period


def _overlapping(period: Period) -> list[str]:
    """Codes of the other periods that share a month with `period`."""
    return [p.code for p in periods_of_year(period.year) if p != period and overlaps(p, period)]


def check(units: UnitTree, principal: Principal, request: FigureEntries) -> list[CheckedEntry]:
    """Every row checked, every error reported with its row; nothing is saved on any error."""
    errors: list[ErrorDetail] = []
    checked: list[CheckedEntry] = []
    seen: dict[tuple[str, str, str], list[tuple[Period, int]]] = {}
    if not principal.has_any(*WRITERS):
        raise ServiceError(
            ErrorCode.FORBIDDEN,
            Message(
                vi="chỉ cán bộ hoặc lãnh đạo mới được nhập số liệu",
                en="entering figures needs an officer or a leader",
            ),
        )
    for row, entry in enumerate(request.entries, start=1):
        problems = _check_entry(units, principal, request.source, entry)
        if not problems:
            period = Period.parse(entry.period)
            same = seen.setdefault((entry.unit_code, entry.indicator, entry.dimension), [])
            clash = next((r for p, r in same if overlaps(p, period)), None)
            if clash is not None:
                problems.append(
                    (
                        "period",
                        Message(
                            vi=f"dòng {clash} đã nhập số liệu này cho một kỳ trùng thời gian",
                            en=f"row {clash} gives this figure for an overlapping period",
                        ),
                    )
                )
            same.append((period, row))
            checked.append(CheckedEntry(entry, period))
        errors += [ErrorDetail(field=f, reason=r, row=row) for f, r in problems]
    if errors:
        raise ServiceError(
            ErrorCode.VALIDATION,
            Message(
                vi=f"số liệu có {len(errors)} lỗi; không số liệu nào được lưu",
                en=f"{len(errors)} problem(s) in the figures; none was saved",
            ),
            errors,
        )
    return checked


def _check_entry(
    units: UnitTree, principal: Principal, source: FigureSource, entry: FigureEntry
) -> list[tuple[str, Message]]:
    problems: list[tuple[str, Message]] = []
    indicator = INDICATORS.get(entry.indicator)
    if indicator is None or not indicator.stored:
        problems.append(
            (
                "indicator",
                Message(
                    vi=f"{entry.indicator!r} không phải chỉ tiêu được lưu dưới dạng số",
                    en=f"{entry.indicator!r} is not an indicator kept as a number",
                ),
            )
        )
    elif source is FigureSource.MANUAL and not indicator.manual:
        problems.append(
            (
                "indicator",
                Message(
                    vi=f"{entry.indicator} được đếm từ hồ sơ của các dịch vụ; "
                    "với chỉ tiêu này chỉ được nhập từ tệp số liệu của những năm trước",
                    en=f"{entry.indicator} is counted from the services' records; "
                    "only figures of earlier years may be imported for it",
                ),
            )
        )
    elif entry.dimension != TOTAL:
        name, _, value = entry.dimension.partition("=")
        if name not in indicator.dimensions or value not in DIMENSIONS[name].values:
            allowed = ", ".join(indicator.dimensions)
            problems.append(
                (
                    "dimension",
                    Message(
                        vi=f"{entry.dimension!r} không phải một cách phân tổ của chỉ tiêu này "
                        f"(được phép: {allowed or 'không có'})",
                        en=f"{entry.dimension!r} is not a breakdown of it "
                        f"(allowed: {allowed or 'none'})",
                    ),
                )
            )
    try:
        period = Period.parse(entry.period)
    except InvalidPeriod as error:
        problems.append(("period", error.message))
        return problems
    unit = units.find(entry.unit_code)
    if unit is None:
        problems.append(("unit_code", no_unit_with_code(entry.unit_code)))
        return problems
    start, end = period.date_range()
    if not unit.in_force_during(start, end):
        name = units.display_name(unit.id)
        problems.append(
            (
                "unit_code",
                Message(
                    vi=f"{name} không có hiệu lực trong kỳ {period.code}: "
                    "hãy nhập số liệu cho đơn vị của thời điểm đó",
                    en=f"{name} was not in force in {period.code}: "
                    "enter the figure against the unit of that time",
                ),
            )
        )
    if not in_scope(units, principal, unit.id):
        problems.append(("unit_code", outside_scope(unit.id, principal)))
    return problems


async def save(
    session: AsyncSession,
    units: UnitTree,
    principal: Principal,
    source: FigureSource,
    checked: list[CheckedEntry],
    now: datetime,
) -> int:
    earlier = await _earlier_entries(session, checked)
    _refuse_overlaps(checked, earlier)
    facts: list[Fact] = []
    for item in checked:
        entry = item.entry
        previous, previous_source = earlier.get(_figure_key(entry), {}).get(
            item.period.code, (0, None)
        )
        await _upsert(session, item, source, principal, now)
        payload = FigureEntered(
            unit_code=entry.unit_code,
            period=item.period.code,
            indicator=entry.indicator,
            dimension=entry.dimension,
            source=source,
            value=entry.value,
            previous=previous,
            previous_source=previous_source,
            by=principal.sub,
        )
        aggregate = f"{entry.unit_code}/{item.period.code}/{entry.indicator}/{entry.dimension}"
        facts.append(Fact(payload, aggregate, entry.unit_code, item.period.date_range()[1]))
    await emit(session, units, facts, now=now)
    return len(facts)


FigureKey = tuple[str, str, str]  # unit, indicator, dimension
# figure → period → (value, source) of what the unit entered before
Earlier = dict[FigureKey, dict[str, tuple[int, FigureSource | None]]]

_CHUNK = 500


def _figure_key(entry: FigureEntry) -> FigureKey:
    return entry.unit_code, entry.indicator, entry.dimension


async def _earlier_entries(session: AsyncSession, checked: list[CheckedEntry]) -> Earlier:
    """What the units entered before for these indicators, read once for the whole request
    (locked on PostgreSQL, so two requests replacing one figure take turns)."""
    wanted = {_figure_key(item.entry) for item in checked}
    unit_ids = sorted({unit for unit, _, _ in wanted})
    indicators = sorted({indicator for _, indicator, _ in wanted})
    found: Earlier = {}
    for start in range(0, len(unit_ids), _CHUNK):
        result = await session.execute(
            select(E.c.unit_id, E.c.indicator, E.c.dimension, E.c.period, E.c.value, E.c.source)
            .where(E.c.unit_id.in_(unit_ids[start : start + _CHUNK]), E.c.indicator.in_(indicators))
            .with_for_update()
        )
        for unit_id, indicator, dimension, period, value, source in result.all():
            key = (unit_id, indicator, dimension)
            if key in wanted:
                found.setdefault(key, {})[period] = (int(value), FigureSource(source))
    return found


async def _upsert(
    session: AsyncSession,
    item: CheckedEntry,
    source: FigureSource,
    principal: Principal,
    now: datetime,
) -> None:
    entry = item.entry
    values = {
        "unit_id": entry.unit_code,
        "period": item.period.code,
        "indicator": entry.indicator,
        "dimension": entry.dimension,
        "source": source.value,
        "value": entry.value,
        "note": entry.note,
        "entered_by": principal.sub,
        "entered_at": now,
    }
    statement = upsert_insert(session)(E).values(**values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["unit_id", "period", "indicator", "dimension"],
            set_={
                k: v
                for k, v in values.items()
                if k in ("source", "value", "note", "entered_by", "entered_at")
            },
        )
    )


def _refuse_overlaps(checked: list[CheckedEntry], earlier: Earlier) -> None:
    errors: list[ErrorDetail] = []
    for row, item in enumerate(checked, start=1):
        others = set(_overlapping(item.period))
        entered = earlier.get(_figure_key(item.entry), {})
        found = next((period for period in sorted(entered) if period in others), None)
        if found is not None:
            errors.append(
                ErrorDetail(
                    field="period",
                    reason=Message(
                        vi=f"đã có số liệu cho kỳ {found}, trùng thời gian với kỳ "
                        f"{item.period.code}; hãy sửa hoặc xóa số liệu đó trước",
                        en=f"a figure for {found} is already entered and overlaps "
                        f"{item.period.code}; correct that one or remove it first",
                    ),
                    row=row,
                )
            )
    if errors:
        raise ServiceError(
            ErrorCode.CONFLICT,
            Message(
                vi=f"{len(errors)} số liệu trùng thời gian với số liệu đã nhập trước đó; "
                "không số liệu nào được lưu",
                en=f"{len(errors)} figure(s) overlap earlier entries; none was saved",
            ),
            errors,
        )
