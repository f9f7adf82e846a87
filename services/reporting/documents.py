"""A unit's report for a period as a document: its figures (frozen ones once the report is
approved, today's otherwise), the narrative and concerns of its submitted report if there is
one, and the header lines of a Vietnamese administrative report."""

from __future__ import annotations

import base64
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from danvan.contracts.reporting import (
    ExportFile,
    ExportFormat,
    ExportQuery,
    FiguresQuery,
    FiguresView,
)
from danvan.contracts.reports import ReportKind, ReportStatus
from danvan.lifecycle import period_of
from danvan.units import NATION_ID, Level, Unit, UnitTree
from services.reporting import report_store
from services.reporting.exports import (
    DOCX_MEDIA_TYPE,
    XLSX_MEDIA_TYPE,
    Concern,
    Narrative,
    ReportDocument,
    export_filename,
    render_docx,
    render_xlsx,
)
from services.reporting.figures import FiguresReader


def party_committee(units: UnitTree, unit: Unit) -> str:
    """The party committee a unit's mass-mobilisation board belongs to, as its header names it:
    "THÀNH ỦY HÀ NỘI", "TỈNH ỦY BẮC NINH", "ĐẢNG ỦY PHƯỜNG HỒNG HÀ"."""
    if unit.id == NATION_ID:
        return "BAN CHẤP HÀNH TRUNG ƯƠNG"
    if unit.level is Level.PROVINCE:
        committee = "THÀNH ỦY" if unit.kind.lower().startswith("thành phố") else "TỈNH ỦY"
        return f"{committee} {unit.short_name.upper()}"
    return f"ĐẢNG ỦY {unit.name.upper()}"


def place_of(units: UnitTree, unit: Unit) -> str:
    """Where the report is signed: the (current) province's short name."""
    province = units.current_province_of(unit.id)
    return province.short_name if province is not None else "Hà Nội"


class Documents:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        units: UnitTree,
        figures: FiguresReader,
    ) -> None:
        self._sessions = sessions
        self._units = units
        self._figures = figures

    async def export(self, query: ExportQuery, today: date) -> ExportFile:
        document = await self.document(query, today)
        if query.format is ExportFormat.DOCX:
            content, media_type = render_docx(document), DOCX_MEDIA_TYPE
        else:
            content, media_type = render_xlsx(document), XLSX_MEDIA_TYPE
        return ExportFile(
            filename=export_filename(document, query.format.value),
            media_type=media_type,
            content_base64=base64.b64encode(content).decode("ascii"),
        )

    async def document(self, query: ExportQuery, today: date) -> ReportDocument:
        unit = self._figures.unit(query.unit_code, query.boundaries)
        period = period_of(query.period).code  # as reports are stored: "2025q1" is 2025Q1
        async with self._sessions() as session:
            report = await report_store.find_report(session, unit.id, period, ReportKind.WORK)
            # Concerns are raised in the month's report on the people's situation.
            situation = await report_store.find_report(
                session, unit.id, period, ReportKind.PEOPLE_SITUATION
            )
            concerns = (
                await report_store.concerns_of(session, situation.id)
                if situation is not None
                else []
            )
        if report is not None and report.status == ReportStatus.APPROVED and report.figures:
            view = FiguresView.model_validate(report.figures)  # as approved: locked
        else:
            view = await self._figures.view(
                FiguresQuery(
                    unit_code=unit.id,
                    period=period,
                    basis=query.basis,
                    boundaries=query.boundaries,
                )
            )
        title = f"BÁO CÁO Kết quả công tác dân vận {view.period_label['vi'].lower()}"
        return ReportDocument(
            view=view,
            issuing_body="BAN DÂN VẬN",
            parent_body=party_committee(self._units, unit),
            number=(report.number or "") if report is not None else "",
            place=(report.place or place_of(self._units, unit))
            if report is not None
            else place_of(self._units, unit),
            issued_on=today,
            title=title,
            narrative=Narrative(
                results=report.results if report is not None else "",
                limitations=report.limitations if report is not None else "",
                tasks=report.tasks if report is not None else "",
            ),
            concerns=[
                Concern(
                    topic=row.topic,
                    description=row.description,
                    units=[self._units.display_name(u) for u in row.unit_ids if u in self._units],
                    hot_spot=row.hot_spot,
                )
                for row in concerns
            ],
            status=report.status if report is not None else "draft",
            language=query.language,
        )
