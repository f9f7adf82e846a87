"""Bulk registration of models from a spreadsheet, all rows or none.

A file can hold more rows than one NATS message carries, so an import is staged: the header
first (`begin`), then chunks of rows, each row checked as a single registration would be and
kept with its details or its errors (`rows`), then `commit`, which registers every row in one
transaction, with its events, or, when any row had an error, nothing, and returns every
row's errors. Rows are checked as they arrive, so a client shows progress.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy.engine import Row

from danvan.contracts.registry import (
    FIELD_LABELS,
    MAX_IMPORT_ROWS,
    ImportBegin,
    ImportCommit,
    ImportProgress,
    ImportResult,
    ImportRows,
    ImportStarted,
    Labels,
    ModelCreate,
    ModelDetails,
)
from danvan.contracts.rpc import ErrorCode, ErrorDetail, Message, Principal, ServiceError
from danvan.db import transaction
from danvan.text import fold
from danvan.validation_errors import COLUMN, dotted, validation_details
from services.registry import store
from services.registry.domain import check_registration
from services.registry.records import RecordHandlers

# The details a column fills, by its header: the API's names, or the Vietnamese headings a
# unit's own spreadsheet uses. Headers compare folded ("Tên mô hình" = "ten mo hinh").
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("ten mo hinh", "ten"),
    "description": ("mo ta", "noi dung"),
    "field": ("linh vuc",),
    "topics": ("chu de", "chuyen de"),
    "organisation_id": ("ma to chuc", "to chuc dang ky"),
    "unit_code": ("ma don vi", "ma don vi hanh chinh", "don vi"),
    "locality": ("thon, to dan pho", "thon", "to dan pho"),
    "target_group": ("doi tuong",),
    "objectives": ("muc tieu",),
    "criteria": ("tieu chi",),
    "implementing_forces": ("luc luong thuc hien",),
    "start_date": ("ngay bat dau",),
    "planned_evaluation_date": ("ngay du kien danh gia",),
    "registered_on": ("ngay dang ky",),
}
_HEADERS = {
    fold(header): detail
    for detail, aliases in COLUMN_ALIASES.items()
    for header in (detail, *aliases)
}
_LIST_SEPARATORS = re.compile(r"[;\n]")
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
MAX_REPORTED_ERRORS = 1000
_UNKNOWN_COLUMN = Message(vi="không nhận cột này", en="unknown column")
_KNOWN_COLUMNS = Message(
    vi="các cột được nhận: " + ", ".join(COLUMN_ALIASES),
    en="columns: " + ", ".join(COLUMN_ALIASES),
)
_MISSING_COLUMN = Message(vi="thiếu cột bắt buộc này", en="missing column")
STALE_AFTER = timedelta(days=1)


def map_columns(columns: list[str]) -> dict[str, str]:
    """Each header → the detail it fills; a 422 naming every unknown or repeated column."""
    mapped: dict[str, str] = {}
    problems: list[ErrorDetail] = []
    for column in columns:
        detail = _HEADERS.get(fold(column))
        if detail is None:
            problems.append(
                ErrorDetail(row=1, field=column, reason=_UNKNOWN_COLUMN, hint=_KNOWN_COLUMNS)
            )
        elif detail in mapped.values():
            problems.append(
                ErrorDetail(
                    row=1,
                    field=column,
                    reason=Message(
                        vi=f"cột {detail} thứ hai trong tệp", en=f"a second {detail} column"
                    ),
                )
            )
        else:
            mapped[column] = detail
    for required in ("name", "field", "unit_code"):
        if required not in mapped.values():
            problems.append(ErrorDetail(row=1, field=required, reason=_MISSING_COLUMN))
    if problems:
        raise ServiceError(
            ErrorCode.VALIDATION,
            Message(vi="dòng tiêu đề không dùng được", en="the header row is not usable"),
            problems,
        )
    return mapped


def _choice(value: str, labels: Mapping[Any, Labels]) -> str:
    """A code, or its Vietnamese or English label, in any case and with or without marks."""
    wanted = fold(value)
    for code, names in labels.items():
        if wanted in (fold(str(code)), *(fold(name) for name in names.values())):
            return str(code)
    return value


def _day(value: str) -> str:
    """ISO dates, and the day-first dates Vietnamese spreadsheets hold (02/03/2026)."""
    match = _DAY_FIRST.match(value)
    if match:
        day, month, year = match.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}"
    return value


def row_request(
    values: Mapping[str, str], columns: Mapping[str, str], topics: Mapping[str, Labels]
) -> dict[str, Any]:
    """A row's cells as a registration request; empty cells leave a detail out."""
    request: dict[str, Any] = {}
    for column, raw in values.items():
        detail = columns.get(column)
        value = raw.strip()
        if detail is None or not value:
            continue
        if detail == "field":
            request[detail] = _choice(value, FIELD_LABELS)
        elif detail == "topics":
            request[detail] = [
                _choice(part.strip(), topics)
                for part in _LIST_SEPARATORS.split(value)
                if part.strip()
            ]
        elif detail == "criteria":
            request[detail] = [p.strip() for p in _LIST_SEPARATORS.split(value) if p.strip()]
        elif detail in ("start_date", "planned_evaluation_date", "registered_on"):
            request[detail] = _day(value)
        else:
            request[detail] = value
    return request


def _column_of(detail_path: str | None, columns: Mapping[str, str]) -> str | None:
    if detail_path is None:
        return None
    detail = detail_path.split(".")[0]
    by_detail = {d: column for column, d in columns.items()}
    return by_detail.get(detail, detail)


class ImportHandlers:
    def __init__(self, records: RecordHandlers, topics: Mapping[str, Labels]) -> None:
        self._records = records
        self._runtime = records.runtime
        self._topics = topics

    async def begin(self, principal: Principal, command: ImportBegin) -> ImportStarted:
        columns = map_columns(command.columns)
        # Refuse early, before a whole file is sent, a caller who may register nothing.
        check_registration(
            principal,
            self._records.units,
            principal.unit,
            self._records.clock.today(),
            self._records.clock.today(),
        )
        import_id = uuid.uuid4()
        now = self._records.clock.now()
        async with transaction(self._runtime.db) as session:
            await store.drop_imports(session, await store.stale_imports(session, now - STALE_AFTER))
            await store.insert_import(
                session,
                {
                    "id": str(import_id),
                    "created_by": principal.sub,
                    "file_name": command.file_name,
                    "columns": columns,
                    "created_at": now,
                },
            )
        return ImportStarted(import_id=import_id, columns=columns)

    async def _owned(self, session: Any, principal: Principal, import_id: uuid.UUID) -> Row[Any]:
        staged = await store.get_import(session, import_id)
        if staged is None or staged.created_by != principal.sub:
            raise ServiceError(
                ErrorCode.NOT_FOUND,
                Message(
                    vi=f"không có lượt nhập tệp {import_id} nào của bạn",
                    en=f"no import {import_id} of yours",
                ),
            )
        return staged

    async def rows(self, principal: Principal, command: ImportRows) -> ImportProgress:
        organisations: dict[str, Row[Any] | None] = {}
        staged_rows: list[dict[str, Any]] = []
        errors = 0
        async with transaction(self._runtime.db) as session:
            staged = await self._owned(session, principal, command.import_id)
            columns: dict[str, str] = staged.columns
            for sheet_row in command.rows:
                details, problems = await self._check_row(
                    session, principal, sheet_row.values, columns, organisations
                )
                errors += bool(problems)
                staged_rows.append(
                    {
                        "import_id": staged.id,
                        "row": sheet_row.row,
                        "details": details,
                        "errors": [p.model_dump(mode="json") for p in problems] or None,
                    }
                )
            await store.stage_rows(session, staged_rows)
        return ImportProgress(staged=len(staged_rows) - errors, errors=errors)

    async def _check_row(
        self,
        session: Any,
        principal: Principal,
        values: Mapping[str, str],
        columns: Mapping[str, str],
        organisations: dict[str, Row[Any] | None],
    ) -> tuple[dict[str, Any] | None, list[ErrorDetail]]:
        try:
            command = ModelCreate.model_validate(row_request(values, columns, self._topics))
            details, registered_on = await self._records.check_new(
                session, principal, command, organisations=organisations
            )
        except ValidationError as error:
            return None, validation_details(
                error.errors(),
                field_of=lambda location: _column_of(dotted(location), columns),
                noun=COLUMN,
            )
        except ServiceError as error:
            details_list = error.details or [ErrorDetail(reason=error.message)]
            return None, [
                ErrorDetail(field=_column_of(d.field, columns), reason=d.reason, hint=d.hint)
                for d in details_list
            ]
        return {**details.model_dump(mode="json"), "registered_on": registered_on.isoformat()}, []

    async def commit(self, principal: Principal, command: ImportCommit) -> ImportResult:
        async with transaction(self._runtime.db) as session:
            await self._owned(session, principal, command.import_id)
            rows = await store.staged_rows(session, command.import_id)
            problems = [
                ErrorDetail.model_validate({**problem, "row": row.row})
                for row in rows
                if row.errors
                for problem in row.errors
            ]
            if problems:
                await store.drop_imports(session, [str(command.import_id)])
            elif not rows:
                raise ServiceError(
                    ErrorCode.VALIDATION,
                    Message(vi="tệp không có dòng dữ liệu nào", en="the file has no data rows"),
                )
            elif len(rows) > MAX_IMPORT_ROWS:
                raise ServiceError(
                    ErrorCode.VALIDATION,
                    Message(
                        vi=f"tệp có {len(rows)} dòng: mỗi lần nhập chỉ nhận tối đa "
                        f"{MAX_IMPORT_ROWS} dòng; hãy chia nhỏ tệp",
                        en=f"{len(rows)} rows: one import takes at most {MAX_IMPORT_ROWS}; "
                        "split the file",
                    ),
                )
            else:
                now = self._records.clock.now()
                records = [self._new(principal, row.details, now) for row in rows]
                await self._records.store_new(session, records)
                await store.drop_imports(session, [str(command.import_id)])
        if problems:
            # The staging rows are gone in the committed transaction above; nothing else was
            # written.
            shown = problems[:MAX_REPORTED_ERRORS]
            more = len(problems) - len(shown)
            bad_rows = len({p.row for p in problems})
            raise ServiceError(
                ErrorCode.VALIDATION,
                Message(
                    vi=f"{bad_rows} trên {len(rows)} dòng có lỗi; không dòng nào được đăng ký"
                    + (f" (còn {more} lỗi khác không hiển thị)" if more else ""),
                    en=f"{bad_rows} of {len(rows)} rows have errors; nothing was registered"
                    + (f" ({more} more errors not shown)" if more else ""),
                ),
                shown,
            )
        self._runtime.wake_relay()
        return ImportResult(registered=len(records), ids=[r[0]["id"] for r in records])

    def _new(
        self, principal: Principal, stored: dict[str, Any], now: datetime
    ) -> tuple[dict[str, Any], dict[str, Any], Any]:
        registered_on = date.fromisoformat(stored.pop("registered_on"))
        details = ModelDetails.model_validate(stored)
        return self._records.new_record(principal, details, registered_on, now)
