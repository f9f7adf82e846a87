"""Models ("mô hình Dân vận khéo"), their bulk registration from a spreadsheet, and the
topics they can be tagged with."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, File, UploadFile

from danvan.access import require_role
from danvan.contracts.registry import (
    ImportResult,
    Labels,
    ModelChangesBody,
    ModelCreate,
    ModelDetail,
    ModelPublic,
    ModelQuery,
)
from danvan.contracts.rpc import WRITERS
from danvan.importing import import_models, read_import_file
from danvan.spreadsheets import SpreadsheetError
from services.gateway.deps import CurrentPrincipal, ServicesDep, SettingsDep
from services.gateway.openapi import ERROR_RESPONSES, SPREADSHEET_UPLOAD, json_example
from services.gateway.routers.records import record_router
from services.gateway.uploads import file_too_large, unreadable_file

MAX_UPLOAD_BYTES = 20 * 1024 * 1024

# The record routes carry their own tag: a tag here would repeat it on them.
router = APIRouter()


@router.post(
    "/api/v1/models/import",
    status_code=201,
    responses=ERROR_RESPONSES,
    openapi_extra=SPREADSHEET_UPLOAD,
    tags=["models"],
)
async def import_models_file(
    file: Annotated[UploadFile, File(description="a .csv or .xlsx file, header in row 1")],
    principal: CurrentPrincipal,
    services: ServicesDep,
    settings: SettingsDep,
) -> ImportResult:
    """Register every row of a spreadsheet as a model, or none: a file with any bad row
    registers nothing and answers 422 with each error's row, column and reason."""
    require_role(principal, *WRITERS)
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        raise file_too_large(MAX_UPLOAD_BYTES)
    try:
        # Reading a large XLSX takes seconds of CPU: keep the event loop free meanwhile.
        table = await asyncio.to_thread(read_import_file, file.filename or "", content)
    except SpreadsheetError as error:
        raise unreadable_file(error) from error
    return await import_models(
        services.ask, principal, table, file_name=file.filename or "", timeout=settings.rpc_timeout
    )


TOPICS_EXAMPLE = {
    "land_clearance": {"vi": "Giải phóng mặt bằng", "en": "Land clearance"},
    "digital_transformation": {"vi": "Chuyển đổi số", "en": "Digital transformation"},
}


@router.get(
    "/api/v1/topics",
    responses={**ERROR_RESPONSES, 200: json_example(TOPICS_EXAMPLE)},
    tags=["models"],
)
async def topics(principal: CurrentPrincipal, services: ServicesDep) -> dict[str, Labels]:
    """The topics ("chuyên đề") a model can be tagged with: code → labels in Vietnamese and
    English (the defaults and those configured in DANVAN_REGISTRY_TOPICS)."""
    result: dict[str, Labels] = await services.ask("registry", "topics", "list", principal, {})
    return result


router.include_router(
    record_router(
        resource="models",
        noun="model",
        create_type=ModelCreate,
        changes_type=ModelChangesBody,
        query_type=ModelQuery,
        public_type=ModelPublic,
        detail_type=ModelDetail,
    )
)
