"""Every list of the gateway pages as JSON and exports as CSV or XLSX the same way: the API
document says so for each, and an export walks the pages through the cursor up to the cap."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from danvan.config import Settings
from danvan.contracts.paging import MAX_PAGE_SIZE, PageRequest
from danvan.contracts.rpc import ErrorCode, ServiceError
from danvan.spreadsheets import XLSX_MEDIA_TYPE
from danvan.units import load_units
from services.gateway.app import create_app
from services.gateway.exports import every_item

LISTS = {
    "/api/v1/models",
    "/api/v1/exemplars",
    "/api/v1/organisations",
    "/api/v1/contests",
    "/api/v1/visits",
    "/api/v1/petitions",
    "/api/v1/dialogues",
    "/api/v1/audit/personal-data",
    "/api/v1/reports",
    "/api/v1/units",
}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    home: Path = tmp_path_factory.mktemp("gateway")
    return create_app(Settings(home=home, jwt_secret="x" * 40), units_tree=load_units())


def page_lists(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every GET whose JSON answer is a page: `{data, total, next_cursor}`."""
    found = {}
    for path, operations in document["paths"].items():
        get = operations.get("get")
        if get is None:
            continue
        json_schema = get["responses"]["200"]["content"].get("application/json", {})
        if json_schema.get("schema", {}).get("$ref", "").startswith("#/components/schemas/Page_"):
            found[path] = get
    return found


def test_every_list_of_the_api_document_answers_json_csv_or_xlsx(app: FastAPI) -> None:
    lists = page_lists(app.openapi())
    assert set(lists) == LISTS
    for path, operation in lists.items():
        content = operation["responses"]["200"]["content"]
        assert set(content) == {"application/json", "text/csv", XLSX_MEDIA_TYPE}, path
        parameters = {p["name"]: p for p in operation["parameters"]}
        # The units directory walks the tree from a `parent`; every other list, a subtree.
        scope = "parent" if path == "/api/v1/units" else "unit_code"
        assert {"limit", "cursor", "sort", scope, "format"} <= set(parameters), path
        schema = parameters["format"]["schema"]
        enum = (
            schema.get("enum")
            or app.openapi()["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]["enum"]
        )
        assert (enum, schema.get("default")) == (["json", "csv", "xlsx"], "json"), path


class Row(BaseModel):
    n: int


def page_source(rows: int, *, grows_to: int | None = None) -> tuple[Any, list[PageRequest]]:
    """Pages of `rows` numbered rows (after the first page, `grows_to`: rows were added),
    `limit` at a time, and the requests it was asked."""
    asked: list[PageRequest] = []

    async def ask_page(request: PageRequest) -> dict[str, Any]:
        asked.append(request)
        count = grows_to if grows_to is not None and request.cursor else rows
        start = int(request.cursor or 0)
        end = min(start + request.limit, count)
        return {
            "data": [{"n": n} for n in range(start, end)],
            "total": count,
            "next_cursor": str(end) if end < count else None,
        }

    return ask_page, asked


async def test_an_export_asks_every_page_at_the_largest_size_from_the_first_row() -> None:
    ask_page, asked = page_source(450)
    query = PageRequest(limit=10, cursor="300", sort="-name")
    items = await every_item(ask_page, query, item_type=Row, max_rows=1000)
    assert [item.n for item in items] == list(range(450))  # type: ignore[attr-defined]
    assert [(r.limit, r.cursor, r.sort) for r in asked] == [
        (MAX_PAGE_SIZE, None, "-name"),
        (MAX_PAGE_SIZE, "200", "-name"),
        (MAX_PAGE_SIZE, "400", "-name"),
    ]


async def test_a_list_longer_than_the_cap_is_refused_after_its_first_page() -> None:
    ask_page, asked = page_source(450)
    with pytest.raises(ServiceError) as refused:
        await every_item(ask_page, PageRequest(), item_type=Row, max_rows=449)
    assert refused.value.code is ErrorCode.VALIDATION
    assert refused.value.details[0].field == "format"
    assert "450 rows" in refused.value.message.en
    assert len(asked) == 1


async def test_a_list_that_grows_past_the_cap_while_it_is_exported_is_refused() -> None:
    ask_page, _ = page_source(300, grows_to=700)
    with pytest.raises(ServiceError) as refused:
        await every_item(ask_page, PageRequest(), item_type=Row, max_rows=500)
    assert "700 rows" in refused.value.message.en
