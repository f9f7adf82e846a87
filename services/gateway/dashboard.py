"""A unit's dashboard, composed from four parts asked at once: the period's figures and the
children's work reports (reporting), the models' pipeline (registry), and the petitions'
deadlines (reception). A part whose service does not answer is missing with a warning."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from nats.js.client import JetStreamContext

from danvan.bus import EVENT_STREAMS, ServiceClient
from danvan.contracts.reception import DeadlineSummary, DigestQuery
from danvan.contracts.registry import Pipeline, PipelineQuery
from danvan.contracts.reporting import (
    AREA_LABELS,
    HEADLINE,
    Boundaries,
    ChildFigure,
    FiguresQuery,
    FiguresView,
    UnitRow,
)
from danvan.contracts.reports import Completeness, CompletenessQuery, ReportKind
from danvan.contracts.rpc import Language, Message, Principal
from danvan.periods import Basis, Period
from danvan.units import Unit, UnitTree
from services.gateway.composition import Composed, MissingPart, Part
from services.gateway.views import (
    AreaRef,
    ChildRow,
    Dashboard,
    PartFreshness,
    StreamFreshness,
    UnitRef,
    ViewWarning,
)

HEADLINE_CODES = tuple(code for codes in HEADLINE.values() for code in codes)
FIGURES, COMPLETENESS, PIPELINE, DEADLINES, STREAMS = (
    "figures",
    "completeness",
    "pipeline",
    "deadlines",
    "streams",
)
PART_SERVICES = {
    FIGURES: "reporting",
    COMPLETENESS: "reporting",
    PIPELINE: "registry",
    DEADLINES: "reception",
}
PART_NAMES: dict[str, Message] = {
    FIGURES: Message(vi="số liệu của kỳ", en="the period's figures"),
    COMPLETENESS: Message(vi="tình hình gửi báo cáo", en="the reports' completeness"),
    PIPELINE: Message(vi="mô hình, điển hình theo trạng thái", en="models and exemplars by status"),
    DEADLINES: Message(vi="đơn thư sắp đến hạn, quá hạn", en="petitions nearly due and overdue"),
}


@dataclass(frozen=True)
class DashboardRequest:
    unit: Unit
    period: Period
    basis: Basis
    boundaries: Boundaries


def parts(
    services: ServiceClient,
    principal: Principal,
    request: DashboardRequest,
    jetstream: Callable[[], JetStreamContext],
) -> list[Part]:
    unit_code = request.unit.id

    def asking(name: str, resource: str, action: str, data: Any) -> Part:
        service = PART_SERVICES[name]

        async def ask(seconds: float) -> Any:
            return await services.ask(service, resource, action, principal, data, timeout=seconds)

        return Part(name, service, ask)

    async def stream_ends(_seconds: float) -> dict[str, int]:
        js = jetstream()
        ends = {}
        for stream in EVENT_STREAMS.values():
            info = await js.stream_info(stream)
            ends[stream] = info.state.last_seq
        return ends

    completeness = CompletenessQuery(
        unit_code=unit_code, period=request.period.code, kind=ReportKind.WORK
    )
    figures = FiguresQuery(
        unit_code=unit_code,
        period=request.period.code,
        basis=request.basis.value,
        boundaries=request.boundaries,
    )
    return [
        asking(FIGURES, "figures", "get", figures),
        asking(COMPLETENESS, "reports", "completeness", completeness),
        asking(PIPELINE, "pipeline", "get", PipelineQuery(unit_code=unit_code)),
        asking(DEADLINES, "deadlines", "summary", DigestQuery(unit_code=unit_code)),
        Part(STREAMS, "nats", stream_ends),
    ]


def assemble(
    units: UnitTree,
    request: DashboardRequest,
    composed: Composed,
    language: Language,
    now: datetime,
) -> Dashboard:
    unit, period, basis = request.unit, request.period, request.basis
    start, end = period.date_range(basis)
    previous_start, previous_end = period.same_period_last_year().date_range(basis)
    found = composed.results
    view = FiguresView.model_validate(found[FIGURES]) if FIGURES in found else None
    children = [_child_row(row) for row in view.children] if view else []
    _rank(children)
    return Dashboard(
        unit=UnitRef.of(unit),
        level=unit.level.value,
        parents=[UnitRef.of(parent) for parent in reversed(units.ancestors(unit.id))],
        period=period.code,
        period_label={"vi": period.label("vi"), "en": period.label("en")},
        basis=basis.value,
        boundaries=request.boundaries,
        start=start,
        end=end,
        previous_start=previous_start,
        previous_end=previous_end,
        areas=[
            AreaRef(area=area, labels=AREA_LABELS[area], indicators=list(codes))
            for area, codes in HEADLINE.items()
        ],
        figures=_headline_figures(view) if view else [],
        children=children,
        completeness=_model(Completeness, found.get(COMPLETENESS)),
        pipeline=_model(Pipeline, found.get(PIPELINE)),
        deadlines=_model(DeadlineSummary, found.get(DEADLINES)),
        freshness=_freshness(composed, view, found.get(STREAMS), now),
        warnings=[
            _warning(missing, language) for missing in composed.missing if missing.part != STREAMS
        ],
    )


def _model(model: Any, data: Any) -> Any:
    return model.model_validate(data) if data is not None else None


def _headline_figures(view: FiguresView) -> list[Any]:
    by_code = {figure.indicator: figure for figure in view.figures}
    return [by_code[code] for code in HEADLINE_CODES if code in by_code]


def _child_row(row: UnitRow) -> ChildRow:
    return ChildRow(
        unit_code=row.unit_code,
        name=row.name,
        level=row.level,
        figures={code: row.figures[code] for code in HEADLINE_CODES if code in row.figures},
        ranks={},
    )


def _rank(rows: Sequence[ChildRow]) -> None:
    """1 for the highest amount among siblings; equal amounts share a rank."""
    for code in HEADLINE_CODES:
        amounts = [amount for row in rows if (amount := _amount(row.figures.get(code))) is not None]
        for row in rows:
            amount = _amount(row.figures.get(code))
            if amount is not None:
                row.ranks[code] = 1 + sum(1 for other in amounts if other > amount)


def _amount(figure: ChildFigure | None) -> float | None:
    return figure.amount if figure is not None else None


def _freshness(
    composed: Composed, view: FiguresView | None, ends: dict[str, int] | None, now: datetime
) -> list[PartFreshness]:
    result = []
    for part, service in PART_SERVICES.items():
        answered = part in composed.results
        streams = []
        if part == FIGURES and view is not None:
            for position in view.current_as_of:
                last = (ends or {}).get(position.stream)
                streams.append(
                    StreamFreshness(
                        stream=position.stream,
                        applied_sequence=position.sequence,
                        last_sequence=last,
                        pending=max(0, last - position.sequence) if last is not None else None,
                        last_event_time=position.event_time,
                    )
                )
        result.append(
            PartFreshness(
                part=part,
                service=service,
                answered=answered,
                as_of=now if answered else None,
                streams=streams,
            )
        )
    return result


def _warning(missing: MissingPart, language: Language) -> ViewWarning:
    what = PART_NAMES[missing.part]
    return ViewWarning(
        part=missing.part,
        service=missing.service,
        code=missing.error.code,
        message=Message(
            vi=f"thiếu phần {what.vi}: {missing.error.message.vi}",
            en=f"{what.en} missing: {missing.error.message.en}",
        ).in_language(language),
    )
