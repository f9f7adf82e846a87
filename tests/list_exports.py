"""Reading a list through the gateway page by page as JSON and as a CSV or XLSX export, and
checking that a file holds exactly the pages' rows: same rows, same order, every cell the
JSON's value as a spreadsheet shows it. The checks read the files as a person's tools do
(the csv module, openpyxl) and work from the JSON and the header alone, not from the
gateway's own flattening."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import httpx
from openpyxl import load_workbook  # type: ignore[import-untyped]

from danvan.clock import VIETNAM
from danvan.spreadsheets import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE

Json = dict[str, Any]
Params = Mapping[str, Any] | Sequence[tuple[str, Any]]

UTF8_BOM = b"\xef\xbb\xbf"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T.+")
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MEDIA_TYPES = {"csv": CSV_MEDIA_TYPE, "xlsx": XLSX_MEDIA_TYPE}


def _with(params: Params, **more: Any) -> list[tuple[str, Any]]:
    pairs = list(params.items()) if isinstance(params, Mapping) else list(params)
    return [(key, value) for key, value in pairs if key not in more] + list(more.items())


async def json_pages(
    client: httpx.AsyncClient,
    path: str,
    headers: Mapping[str, str],
    params: Params = (),
    *,
    limit: int = 2,
) -> list[Json]:
    """Every item of the list, page after page through `next_cursor`; each page's `total`
    must be the number of items."""
    items: list[Json] = []
    totals: set[int] = set()
    cursor: str | None = None
    while True:
        query = _with(params, limit=limit, **({"cursor": cursor} if cursor else {}))
        reply = await client.get(path, params=query, headers=dict(headers))
        assert reply.status_code == 200, reply.text
        page = reply.json()
        items.extend(page["data"])
        totals.add(page["total"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert totals == {len(items)}, f"{path}: totals {totals} for {len(items)} items"
    return items


async def export(
    client: httpx.AsyncClient,
    path: str,
    headers: Mapping[str, str],
    params: Params = (),
    *,
    fmt: str,
) -> httpx.Response:
    return await client.get(path, params=_with(params, format=fmt), headers=dict(headers))


def downloaded(reply: httpx.Response, fmt: str, name: str) -> bytes:
    """The file of a successful export, checked as a browser would take it."""
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"] == MEDIA_TYPES[fmt]
    disposition = reply.headers["content-disposition"]
    assert re.fullmatch(
        rf'attachment; filename="{re.escape(name)}-[\w-]+-\d{{8}}\.{fmt}"', disposition
    ), disposition
    return reply.content


def csv_table(content: bytes) -> tuple[list[str], list[list[str]]]:
    assert content.startswith(UTF8_BOM), "Excel needs the BOM to read UTF-8"
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    return rows[0], rows[1:]


def xlsx_table(content: bytes) -> tuple[list[str], list[list[Any]]]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    try:
        [sheet] = workbook.worksheets
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    header = [str(name) for name in rows[0]]
    return header, [row + [None] * (len(header) - len(row)) for row in rows[1:]]


# ---- what a cell must hold ---------------------------------------------------------------------


def value_at(item: Json, column: str) -> Any:
    """The JSON value a dotted column names: `petitioner.address.street`."""
    value: Any = item
    for name in column.split("."):
        if value is None:
            return None
        value = value[name]
    return value


def _is_plain_list(value: Any) -> bool:
    return isinstance(value, list) and all(not isinstance(v, dict | list) for v in value)


def _vietnam_time(text: str) -> datetime:
    """A JSON timestamp as Vietnam's clock shows it (a naive one, as SQLite hands back some,
    is taken as it stands)."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is None else moment.astimezone(VIETNAM)


def csv_cell_matches(value: Any, cell: str) -> bool:
    if value is None:
        return cell == ""
    if isinstance(value, bool):
        return cell == ("true" if value else "false")
    if isinstance(value, int | float):
        return float(cell) == value
    if _is_plain_list(value):
        return cell == "; ".join(str(v) for v in value)
    if isinstance(value, dict | list):
        return bool(json.loads(cell) == value)
    if _ISO_DATETIME.fullmatch(value):
        return datetime.fromisoformat(cell) == _vietnam_time(value).replace(microsecond=0)
    if value.startswith(_FORMULA_TRIGGERS):
        return cell in (value, f"'{value}")  # Excel must not run a citizen's text as a formula
    return bool(cell == value)


def xlsx_cell_matches(value: Any, cell: Any) -> bool:
    if value is None or isinstance(value, bool):
        return cell is value
    if isinstance(value, int | float):
        return isinstance(cell, int | float) and not isinstance(cell, bool) and cell == value
    if _is_plain_list(value):
        return _xlsx_text_matches("; ".join(str(v) for v in value), cell)
    if isinstance(value, dict | list):
        return isinstance(cell, str) and json.loads(cell) == value
    if _ISO_DATE.fullmatch(value):
        return bool(cell == datetime.fromisoformat(value))
    if _ISO_DATETIME.fullmatch(value):
        local = _vietnam_time(value).replace(tzinfo=None)
        return isinstance(cell, datetime) and abs(cell - local) < timedelta(milliseconds=1)
    return _xlsx_text_matches(value, cell)


def _xlsx_text_matches(text: str, cell: Any) -> bool:
    # A workbook holds no empty text: an empty cell reads back as None.
    return cell is None if text == "" else bool(cell == text)


def assert_header_covers(items: Sequence[Json], header: Sequence[str]) -> None:
    """Every field of the JSON items has its column (a nested object's, its dotted ones)."""
    for item in items:
        for key in item:
            assert key in header or any(c.startswith(f"{key}.") for c in header), key


def assert_file_holds(items: Sequence[Json], fmt: str, content: bytes) -> list[str]:
    """The file holds exactly `items`, in order, cell for cell; returns its header."""
    header, rows = csv_table(content) if fmt == "csv" else xlsx_table(content)
    matches = csv_cell_matches if fmt == "csv" else xlsx_cell_matches
    assert len(rows) == len(items), f"{len(rows)} rows in the {fmt} for {len(items)} items"
    assert_header_covers(items, header)
    for number, (item, row) in enumerate(zip(items, rows, strict=True), start=2):
        for column, cell in zip(header, row, strict=True):
            value = value_at(item, column)
            assert matches(value, cell), f"{fmt} row {number}, {column}: {cell!r} for {value!r}"
    return header


async def assert_exports_hold_the_pages(
    client: httpx.AsyncClient,
    path: str,
    headers: Mapping[str, str],
    params: Params = (),
    *,
    name: str,
    limit: int = 2,
) -> list[Json]:
    """The list's CSV and XLSX exports hold exactly what its JSON pages hold; the items."""
    items = await json_pages(client, path, headers, params, limit=limit)
    for fmt in ("csv", "xlsx"):
        reply = await export(client, path, headers, params, fmt=fmt)
        assert_file_holds(items, fmt, downloaded(reply, fmt, name))
    return items


def ids_in(fmt: str, content: bytes) -> list[str]:
    header, rows = csv_table(content) if fmt == "csv" else xlsx_table(content)
    column = header.index("id")
    return [str(row[column]) for row in rows]


async def assert_bad_format_and_sort_refused(
    client: httpx.AsyncClient,
    path: str,
    headers: Mapping[str, str],
    documented_sorts: Sequence[str],
) -> None:
    """A format the gateway does not write and a sort the service does not know are each a
    422 naming the parameter, for a page and for a file; the service's sort keys are the
    ones the API document lists (`documented_sorts`, the sort field's examples)."""
    bad_format = await export(client, path, headers, fmt="pdf")
    assert bad_format.status_code == 422, bad_format.text
    assert [d["field"] for d in bad_format.json()["error"]["details"]] == ["format"]
    for fmt in ("json", "csv", "xlsx"):
        bad_sort = await export(client, path, headers, {"sort": "-colour"}, fmt=fmt)
        assert bad_sort.status_code == 422, bad_sort.text
        [detail] = bad_sort.json()["error"]["details"]
        assert detail["field"] == "sort"
        choices = detail["reason"].removeprefix("choose one of ").split(", with")[0].split(", ")
        assert set(choices) == {key.removeprefix("-") for key in documented_sorts}
