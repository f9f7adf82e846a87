"""Every list as a file: the gateway walks the list's pages through the cursor, with the same
filters and sort, and writes every row to CSV or XLSX.

The service answers each page within the rpc deadline, so an export of many pages may take
longer than one request does; nothing is sent before the last page has arrived, so a service
that fails halfway answers an error, never a file cut short. An export of more rows than
`DANVAN_EXPORT_MAX_ROWS` is refused before any row is fetched beyond the first page.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import date
from enum import StrEnum
from typing import Any, Final

from fastapi import Response
from pydantic import BaseModel

from danvan.contracts.paging import MAX_PAGE_SIZE, Page, PageRequest
from danvan.contracts.rpc import ErrorCode, ErrorDetail, Message, ServiceError
from danvan.export_columns import Column, columns_of, header_of, row_of
from danvan.spreadsheets import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, write_csv, write_xlsx
from services.gateway.openapi import ERROR_RESPONSES


class ListFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


FILE_MEDIA_TYPES: Final = {ListFormat.CSV: CSV_MEDIA_TYPE, ListFormat.XLSX: XLSX_MEDIA_TYPE}

FORMAT_DESCRIPTION: Final = (
    "`json` (the default): one page, as `limit` and `cursor` ask. `csv` or `xlsx`: every row "
    "that matches the filters, in the list's sort, as a file to download (`limit` and "
    "`cursor` do not apply). Columns are the fields of the JSON items, a nested object's "
    'fields dotted (`petitioner.name`); lists of values joined with "; ", lists of objects '
    "as JSON. CSV is UTF-8 with a BOM, so Excel shows Vietnamese right."
)

_BINARY: Final = {"schema": {"type": "string", "format": "binary"}}
# OpenAPI names a media type without its parameters; the CSV itself is sent with its charset.
_CSV: Final = CSV_MEDIA_TYPE.split(";")[0]

LIST_RESPONSES: Final[dict[int | str, dict[str, Any]]] = {
    **ERROR_RESPONSES,
    200: {
        "description": "a page of the list; with `format=csv` or `xlsx`, every row as a file",
        "content": {_CSV: _BINARY, XLSX_MEDIA_TYPE: _BINARY},
    },
}

AskPage = Callable[[PageRequest], Awaitable[Any]]

_UNSAFE_IN_FILENAME = re.compile(r"[^A-Za-z0-9_-]+")


async def export_list(
    ask_page: AskPage,
    query: PageRequest,
    *,
    item_type: type[BaseModel],
    fmt: ListFormat,
    max_rows: int,
    name: str,
    unit_code: str,
    today: date,
) -> Response:
    """Every row of the list `query` filters, as a CSV or XLSX download."""
    items = await every_item(ask_page, query, item_type=item_type, max_rows=max_rows)
    # Turning 10,000 items into rows and writing them takes seconds of CPU (openpyxl writes
    # some 60,000 cells a second): keep the event loop free meanwhile.
    content = await asyncio.to_thread(
        write_file, fmt, columns_of(item_type), items, sheet_title=name
    )
    filename = f"{_safe(name)}-{_safe(unit_code)}-{today:%Y%m%d}.{fmt.value}"
    return Response(
        content=content,
        media_type=FILE_MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


async def every_item(
    ask_page: AskPage, query: PageRequest, *, item_type: type[BaseModel], max_rows: int
) -> list[BaseModel]:
    """Every item of the list, page after page at the largest page size the services take;
    a 422 as soon as the list is known to hold more than `max_rows`."""
    page_type = Page[item_type]  # type: ignore[valid-type]
    request = query.model_copy(update={"limit": MAX_PAGE_SIZE, "cursor": None})
    items: list[BaseModel] = []
    while True:
        page = page_type.model_validate(await ask_page(request))
        # Rows added while the export runs can push a list over the cap on a later page.
        _check_size(max(page.total, len(items) + len(page.data)), max_rows)
        items.extend(page.data)
        if page.next_cursor is None:
            return items
        request = request.model_copy(update={"cursor": page.next_cursor})


def _check_size(rows: int, max_rows: int) -> None:
    if rows > max_rows:
        raise ServiceError(
            ErrorCode.VALIDATION,
            Message(
                vi=f"danh sách có {rows} dòng, nhiều hơn {max_rows} dòng một lần xuất được: "
                "hãy thu hẹp bằng bộ lọc, hoặc đọc từng trang dạng JSON",
                en=f"the list has {rows} rows, more than the {max_rows} one export may hold: "
                "narrow it with filters, or read it page by page as JSON",
            ),
            [
                ErrorDetail(
                    field="format",
                    reason=Message(
                        vi=f"{rows} dòng khớp; một lần xuất chỉ được tối đa {max_rows} dòng",
                        en=f"{rows} rows match; an export holds at most {max_rows}",
                    ),
                )
            ],
        )


def write_file(
    fmt: ListFormat, columns: Sequence[Column], items: Iterable[BaseModel], *, sheet_title: str
) -> bytes:
    header = header_of(columns)
    rows = (row_of(item, columns) for item in items)
    if fmt is ListFormat.CSV:
        return write_csv(header, rows)
    if fmt is ListFormat.XLSX:
        return write_xlsx(header, rows, sheet_title=sheet_title)
    raise ValueError(f"{fmt.value} is not a file format")


def _safe(text: str) -> str:
    """A part of a file name that needs no quoting in a header and is valid on Windows."""
    return _UNSAFE_IN_FILENAME.sub("_", text).strip("_") or "list"
