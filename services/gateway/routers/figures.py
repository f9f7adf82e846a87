"""Reporting's figures: the indicator catalog, figures a unit enters or imports for a period,
and the rebuild of the projection (reporting service)."""

from __future__ import annotations

import asyncio
import base64
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Response, UploadFile
from pydantic import BaseModel, ConfigDict

from danvan.access import require_nation, require_role
from danvan.contracts.registry import Labels
from danvan.contracts.reporting import (
    AREA_LABELS,
    DIMENSIONS,
    INDICATORS,
    Boundaries,
    ExportFile,
    ExportFormat,
    ExportQuery,
    FigureEntries,
    FigureEntriesResult,
    RebuildStatus,
)
from danvan.contracts.rpc import WRITERS, ErrorDetail, Role, ServiceError
from danvan.figure_import import MAX_FIGURE_ROWS, figure_entries
from danvan.periods import Basis
from danvan.spreadsheets import DOCX_MEDIA_TYPE, XLSX_MEDIA_TYPE, SpreadsheetError, read_table
from services.gateway.deps import CurrentPrincipal, ServicesDep
from services.gateway.openapi import ERROR_RESPONSES, SPREADSHEET_UPLOAD
from services.gateway.parameters import PeriodQuery, UnitCodePath
from services.gateway.uploads import file_too_large, unreadable_file

SERVICE = "reporting"
MAX_UPLOAD_BYTES = 10 * 2**20

router = APIRouter(tags=["figures"])


class DimensionPublic(BaseModel):
    code: str
    labels: Labels
    values: dict[str, Labels]


class IndicatorPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "models.recognised",
                    "area": "models",
                    "area_labels": {
                        "vi": "Mô hình, điển hình “Dân vận khéo”",
                        "en": "“Dân vận khéo” models",
                    },
                    "kind": "count",
                    "labels": {"vi": "Mô hình được công nhận", "en": "Models recognised"},
                    "dimensions": [
                        {
                            "code": "level",
                            "labels": {"vi": "Cấp công nhận", "en": "Level of recognition"},
                            "values": {
                                "province": {"vi": "Cấp tỉnh, thành phố", "en": "Province or city"},
                                "commune": {"vi": "Cấp xã", "en": "Commune"},
                            },
                        }
                    ],
                    "numerator": None,
                    "denominator": None,
                    "manual": False,
                    "derived": False,
                }
            ]
        }
    )

    code: str
    area: str
    area_labels: Labels
    kind: str
    labels: Labels
    dimensions: list[DimensionPublic]
    numerator: str | None
    denominator: str | None
    manual: bool = False
    derived: bool = False


@router.get("/api/v1/indicators", responses=ERROR_RESPONSES)
async def indicators(principal: CurrentPrincipal) -> list[IndicatorPublic]:
    """Every indicator: its stable code, labels, kind and the dimensions it is broken down by."""
    return [
        IndicatorPublic(
            code=i.code,
            area=i.area.value,
            area_labels=AREA_LABELS[i.area],
            kind=i.kind.value,
            labels=i.labels,
            dimensions=[
                DimensionPublic(code=d, labels=DIMENSIONS[d].labels, values=DIMENSIONS[d].values)
                for d in i.dimensions
            ],
            numerator=i.numerator,
            denominator=i.denominator,
            manual=i.manual,
            derived=i.derived,
        )
        for i in INDICATORS.values()
    ]


@router.post("/api/v1/figures", status_code=201, responses=ERROR_RESPONSES)
async def enter_figures(
    body: FigureEntries, principal: CurrentPrincipal, services: ServicesDep
) -> FigureEntriesResult:
    """Enter figures for a period that no service records (supervision, critique,
    inspections), or import earlier years' figures (`source: imported`). An entry replaces
    the unit's earlier one for the same period, indicator and breakdown. All or nothing."""
    require_role(principal, *WRITERS)
    data = await services.ask(SERVICE, "figures", "enter", principal, body)
    return FigureEntriesResult.model_validate(data)


@router.post(
    "/api/v1/figures/import",
    status_code=201,
    responses=ERROR_RESPONSES,
    openapi_extra=SPREADSHEET_UPLOAD,
)
async def import_figures(
    file: Annotated[UploadFile, File(description="a .csv or .xlsx file, header in row 1")],
    principal: CurrentPrincipal,
    services: ServicesDep,
) -> FigureEntriesResult:
    """Import historical figures from a spreadsheet (columns: unit_code / Mã đơn vị, period /
    Kỳ, indicator / Chỉ tiêu (code or label), dimension / Phân tổ (optional), value / Số liệu,
    note / Ghi chú), marked imported, so a first year has its comparison. All or nothing."""
    require_role(principal, *WRITERS)
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        raise file_too_large(MAX_UPLOAD_BYTES)
    try:
        table = await asyncio.to_thread(
            read_table, file.filename or "", content, max_rows=MAX_FIGURE_ROWS
        )
    except SpreadsheetError as error:
        raise unreadable_file(error) from error
    request = figure_entries(table)
    try:
        data = await services.ask(SERVICE, "figures", "enter", principal, request)
    except ServiceError as error:
        # The service counts rows from 1 in the request; the file's first figure is on row 2.
        raise ServiceError(
            error.code, error.message, [_file_row(d, table.rows) for d in error.details]
        ) from error
    return FigureEntriesResult.model_validate(data)


def _file_row(detail: ErrorDetail, rows: list[Any]) -> ErrorDetail:
    if detail.row is None or not 1 <= detail.row <= len(rows):
        return detail
    return detail.model_copy(update={"row": rows[detail.row - 1].number})


@router.post("/api/v1/admin/reporting/rebuild", status_code=202, responses=ERROR_RESPONSES)
async def start_rebuild(principal: CurrentPrincipal, services: ServicesDep) -> RebuildStatus:
    """Rebuild every figure from the streams' first event; views keep the old figures until
    the rebuild is done. 409 while one is running. Admins of the nation (VN) only."""
    require_role(principal, Role.ADMIN)
    require_nation(principal)
    return RebuildStatus.model_validate(
        await services.ask(SERVICE, "rebuild", "start", principal, {})
    )


@router.get("/api/v1/admin/reporting/rebuild", responses=ERROR_RESPONSES)
async def rebuild_status(principal: CurrentPrincipal, services: ServicesDep) -> RebuildStatus:
    """How far the rebuild in progress is, or how the last one ended (admins of the nation)."""
    require_role(principal, Role.ADMIN)
    require_nation(principal)
    return RebuildStatus.model_validate(
        await services.ask(SERVICE, "rebuild", "status", principal, {})
    )


@router.get(
    "/api/v1/units/{code}/report.{fmt}",
    responses={
        **ERROR_RESPONSES,
        200: {
            "content": {DOCX_MEDIA_TYPE: {}, XLSX_MEDIA_TYPE: {}},
            "description": "the report as a file",
        },
    },
    response_class=Response,
)
async def export_report(
    code: UnitCodePath,
    fmt: ExportFormat,
    principal: CurrentPrincipal,
    services: ServicesDep,
    period: PeriodQuery,
    basis: Basis = Basis.CALENDAR,
    boundaries: Boundaries = Boundaries.CURRENT,
    language: Annotated[str, Query(pattern="^(vi|en)$")] = "vi",
) -> Response:
    """A unit's report for a period: DOCX laid out as a Vietnamese administrative report
    (results with the year-over-year comparisons in the text, limitations, tasks), or XLSX
    with one sheet per area and the children's figures. An approved report's figures are
    those it was approved with."""
    query = ExportQuery(
        unit_code=code,
        period=period,
        format=fmt,
        basis=basis.value,
        boundaries=boundaries,
        language=language,
    )
    exported = ExportFile.model_validate(
        await services.ask(SERVICE, "exports", "get", principal, query)
    )
    return Response(
        content=base64.b64decode(exported.content_base64),
        media_type=exported.media_type,
        headers={"Content-Disposition": f'attachment; filename="{exported.filename}"'},
    )
