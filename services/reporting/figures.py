"""A unit's figures for a period: every indicator with its breakdown and its change against the
same period of the year before, what was recorded at the unit's own level, its children's
figures, and how far the projection is current."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from danvan.access import no_unit_with_code, unknown_unit
from danvan.clock import Clock
from danvan.contracts.reporting import (
    ATTRIBUTED,
    DIMENSIONS,
    INDICATORS,
    TOTAL,
    Boundaries,
    Breakdown,
    Change,
    ChildFigure,
    Figure,
    FigureSource,
    FiguresQuery,
    FiguresView,
    Indicator,
    IndicatorKind,
    UnitRow,
    dimension_key,
)
from danvan.contracts.rpc import ErrorCode, ErrorDetail, Message, ServiceError
from danvan.lifecycle import compared_period_of
from danvan.periods import Basis, Period
from danvan.units import Generation, Unit, UnitTree
from services.reporting.builds import read_builds
from services.reporting.requirements import Requirements
from services.reporting.rollup import Placer
from services.reporting.sums import UnitSums, positions, sums

REQUIRED = "reception.head_days_required"


def parse_period(code: str, basis: str) -> tuple[Period, Basis]:
    period = compared_period_of(code)
    try:
        return period, Basis(basis)
    except ValueError as error:
        reason = Message(vi="phải là calendar hoặc cutoff", en="must be calendar or cutoff")
        raise ServiceError(
            ErrorCode.VALIDATION,
            Message(vi=f"cách tính kỳ basis {reason.vi}", en=f"basis {reason.en}"),
            [ErrorDetail(field="basis", reason=reason)],
        ) from error


class FiguresReader:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        units: UnitTree,
        clock: Clock,
        placer: Placer,
    ) -> None:
        self._sessions = sessions
        self._units = units
        self._clock = clock
        self._requirements = Requirements(units, placer)

    def unit(self, code: str, boundaries: Boundaries) -> Unit:
        unit = self._units.find(code)
        if unit is None:
            raise ServiceError(
                ErrorCode.NOT_FOUND,
                unknown_unit(code),
                [ErrorDetail(field="unit_code", reason=no_unit_with_code(code))],
            )
        if boundaries is Boundaries.CURRENT and unit.is_legacy:
            successor = self._units.default_successor(unit.id)
            raise ServiceError(
                ErrorCode.VALIDATION,
                Message(
                    vi=f"{unit.id} đã chấm dứt hoạt động từ ngày {unit.valid_to}: theo địa giới "
                    f"hiện nay, số liệu của đơn vị này được tính vào {successor.id}; "
                    "hãy truy vấn với boundaries=historical để xem như trước đây",
                    en=f"{unit.id} ceased on {unit.valid_to}: in current boundaries its figures "
                    f"are counted in {successor.id}; ask for boundaries=historical to see it "
                    "as it was",
                ),
                [
                    ErrorDetail(
                        field="boundaries",
                        reason=Message(
                            vi="đơn vị cũ không có số liệu theo địa giới hiện nay",
                            en="a former unit has no current figures",
                        ),
                    )
                ],
            )
        return unit

    async def view(self, query: FiguresQuery) -> FiguresView:
        period, basis = parse_period(query.period, query.basis)
        unit = self.unit(query.unit_code, query.boundaries)
        boundaries = query.boundaries
        start, end = period.date_range(basis)
        last_year = period.same_period_last_year()
        previous_start, previous_end = last_year.date_range(basis)
        candidates = self._candidates(unit, boundaries) if query.children else []
        ids = [unit.id, *(c.id for c in candidates)]
        async with self._sessions() as session:
            builds = await read_builds(session)
            now = await sums(session, builds, boundaries, ids, period, basis)
            before = await sums(session, builds, boundaries, ids, last_year, basis)
            as_of = await positions(session, builds.active)
        today = self._clock.today()
        self._add_required(now, boundaries, start, end, today)
        self._add_required(before, boundaries, previous_start, previous_end, today)
        children = [
            c
            for c in candidates
            if boundaries is Boundaries.CURRENT
            or c.in_force_during(start, end)
            or _has_any(now[c.id])
            or _has_any(before[c.id])
        ]
        child_ids = [c.id for c in children]
        return FiguresView(
            unit_code=unit.id,
            name=unit.name,
            level=unit.level.value,
            period=period.code,
            period_label={"vi": period.label("vi"), "en": period.label("en")},
            basis=basis.value,
            boundaries=boundaries,
            start=start,
            end=end,
            previous_start=previous_start,
            previous_end=previous_end,
            figures=figures(now[unit.id], before[unit.id], breakdown=True),
            at_this_level=figures(
                _own(now[unit.id], [now[c] for c in child_ids]),
                _own(before[unit.id], [before[c] for c in child_ids]),
                breakdown=True,
            ),
            children=[
                UnitRow.model_construct(
                    unit_code=child.id,
                    name=child.name,
                    level=child.level.value,
                    figures=child_figures(now[child.id], before[child.id]),
                )
                for child in children
            ],
            current_as_of=as_of,
        )

    def _candidates(self, unit: Unit, boundaries: Boundaries) -> list[Unit]:
        if boundaries is Boundaries.CURRENT:
            return list(self._units.children(unit.id, Generation.CURRENT))
        return list(self._units.children(unit.id))

    def _add_required(
        self,
        found: dict[str, UnitSums],
        boundaries: Boundaries,
        start: date,
        end: date,
        today: date,
    ) -> None:
        required = self._requirements.rolled(boundaries, start, end, today)
        for unit_id, unit_sums in found.items():
            unit_sums.amounts[REQUIRED][TOTAL] = required.get(unit_id, 0)


def _has_any(unit_sums: UnitSums) -> bool:
    return any(
        amount
        for indicator, dims in unit_sums.amounts.items()
        if indicator != REQUIRED
        for amount in dims.values()
    )


def _own(unit: UnitSums, children: Sequence[UnitSums]) -> UnitSums:
    """What was recorded at the unit itself: its figure less its children's."""
    own = UnitSums()
    for indicator, dims in unit.amounts.items():
        for dimension, amount in dims.items():
            own.amounts[indicator][dimension] = amount - sum(
                c.total(indicator, dimension) for c in children
            )
    for indicator, parts in unit.sources.items():
        for source, amount in parts.items():
            own.sources[indicator][source] = amount - sum(
                c.sources.get(indicator, {}).get(source, 0) for c in children
            )
    return own


# ---- figures from sums ------------------------------------------------------------------------
# The figures' models are made with model_construct: their values come from the sums, numbers
# and labels the fields hold already, and validating a national view's thousands of them took a
# third of its time.


def figures(now: UnitSums, before: UnitSums, *, breakdown: bool) -> list[Figure]:
    return [_figure(i, now, before, breakdown) for i in INDICATORS.values()]


def child_figures(now: UnitSums, before: UnitSums) -> dict[str, ChildFigure]:
    """What `figures` says of each indicator's total, worked out directly: a province's view
    has over a hundred children, and building each one's full figures to keep three numbers
    was most of the view's time."""
    found: dict[str, ChildFigure] = {}
    for indicator in INDICATORS.values():
        amount, previous = _value(indicator, now), _value(indicator, before)
        found[indicator.code] = ChildFigure.model_construct(
            amount=amount, previous=previous, percent=_percent(amount, previous)
        )
    return found


def _value(indicator: Indicator, sums: UnitSums, dimension: str = TOTAL) -> float | None:
    """An indicator's amount, or its ratio for one that divides two others."""
    if indicator.numerator is None or indicator.denominator is None:
        return sums.total(indicator.code, dimension)
    top, bottom = INDICATORS[indicator.numerator], INDICATORS[indicator.denominator]
    return ratio(
        indicator.kind, sums.total(top.code, dimension), sums.total(bottom.code, dimension)
    )


def _figure(indicator: Indicator, now: UnitSums, before: UnitSums, breakdown: bool) -> Figure:
    if indicator.numerator is not None and indicator.denominator is not None:
        return _ratio_figure(indicator, now, before, breakdown)
    amount = now.total(indicator.code)
    previous = before.total(indicator.code)
    return Figure.model_construct(
        indicator=indicator.code,
        area=indicator.area,
        kind=indicator.kind,
        labels=indicator.labels,
        amount=amount,
        change=change(amount, previous),
        imported=now.part(indicator.code, FigureSource.IMPORTED),
        manual=now.part(indicator.code, FigureSource.MANUAL),
        attributed=now.total(indicator.code, ATTRIBUTED),
        breakdown=_breakdown(indicator, now, before) if breakdown else [],
    )


def _breakdown(indicator: Indicator, now: UnitSums, before: UnitSums) -> list[Breakdown]:
    return [
        Breakdown.model_construct(
            dimension=dimension,
            value=value,
            labels=labels,
            amount=now.total(indicator.code, dimension_key(dimension, value)),
            change=change(
                now.total(indicator.code, dimension_key(dimension, value)),
                before.total(indicator.code, dimension_key(dimension, value)),
            ),
        )
        for dimension in indicator.dimensions
        for value, labels in DIMENSIONS[dimension].values.items()
    ]


def ratio(kind: IndicatorKind, numerator: int, denominator: int) -> float | None:
    if denominator == 0:
        return None
    scale = 100.0 if kind is IndicatorKind.RATE else 1.0
    return round(scale * numerator / denominator, 2)


def _ratio_figure(indicator: Indicator, now: UnitSums, before: UnitSums, breakdown: bool) -> Figure:
    assert indicator.numerator is not None
    assert indicator.denominator is not None
    top, bottom = INDICATORS[indicator.numerator], INDICATORS[indicator.denominator]

    shared = [d for d in top.dimensions if d in bottom.dimensions] if breakdown else []
    rows = [
        Breakdown.model_construct(
            dimension=dimension,
            value=key,
            labels=labels,
            amount=_value(indicator, now, dimension_key(dimension, key)),
            change=change(
                _value(indicator, now, dimension_key(dimension, key)),
                _value(indicator, before, dimension_key(dimension, key)),
            ),
        )
        for dimension in shared
        for key, labels in DIMENSIONS[dimension].values.items()
    ]
    return Figure.model_construct(
        indicator=indicator.code,
        area=indicator.area,
        kind=indicator.kind,
        labels=indicator.labels,
        amount=_value(indicator, now),
        numerator=now.total(top.code),
        denominator=now.total(bottom.code),
        change=change(_value(indicator, now), _value(indicator, before)),
        breakdown=rows,
    )


def change(amount: float | None, previous: float | None) -> Change:
    if amount is None or previous is None:
        return Change.model_construct(previous=previous, absolute=None, percent=None)
    absolute = round(amount - previous, 2)
    return Change.model_construct(
        previous=previous, absolute=absolute, percent=_percent(amount, previous)
    )


def _percent(amount: float | None, previous: float | None) -> float | None:
    if amount is None or previous is None or previous == 0:
        return None
    return round(100.0 * (amount - previous) / previous, 1)
