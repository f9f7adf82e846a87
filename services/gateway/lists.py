"""One route shape for every list: `GET` with the list's filters, `sort`, `limit`, `cursor`
and `format`; a page as JSON (`{data, total, next_cursor}`), or every matching row as a CSV
or XLSX file (see `exports`). Each router adds its lists through `add_list_route`, so every
list pages, exports and documents itself the same way.

This module keeps its annotations evaluated (no `from __future__ import annotations`): the
routes are built in a factory, and FastAPI reads their types from the functions.
"""

from collections.abc import Sequence
from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field, create_model

from danvan.access import require_role
from danvan.contracts.paging import Page, PageRequest
from danvan.contracts.rpc import Principal, Role
from services.gateway.deps import ClockDep, CurrentPrincipal, ServicesDep, SettingsDep
from services.gateway.exports import FORMAT_DESCRIPTION, LIST_RESPONSES, ListFormat, export_list


@cache
def with_format(query_type: type[PageRequest]) -> type[PageRequest]:
    """The list's query as the gateway reads it: the service's contract and `format`, which
    stays in the gateway (the services' contracts refuse fields they do not know)."""
    return create_model(
        query_type.__name__,
        __base__=query_type,
        __module__=query_type.__module__,
        format=(ListFormat, Field(default=ListFormat.JSON, description=FORMAT_DESCRIPTION)),
    )


def contract_of(query: PageRequest, query_type: type[PageRequest]) -> PageRequest:
    return query_type.model_validate(query.model_dump(exclude={"format"}))


def add_list_route(
    router: APIRouter,
    path: str,
    *,
    service: str,
    resource: str,
    query_type: type[PageRequest],
    item_type: type[BaseModel],
    name: str,
    summary: str,
    description: str | None = None,
    roles: Sequence[Role] = (),
    file_name: str | None = None,
) -> None:
    """`GET path`: the list `service` answers to `rpc.<service>.<resource>.list`.

    `roles`, when given, are checked here before asking (the service checks them again);
    `file_name` starts an export's file name (the resource by default)."""
    wire_query = with_format(query_type)

    async def listing(
        query: Annotated[wire_query, Query()],  # type: ignore[valid-type]
        principal: CurrentPrincipal,
        services: ServicesDep,
        settings: SettingsDep,
        clock: ClockDep,
    ) -> Any:
        if roles:
            require_role(principal, *roles)
        contract = contract_of(query, query_type)

        async def ask_page(request: PageRequest) -> Any:
            return await services.ask(service, resource, "list", principal, request)

        if query.format is ListFormat.JSON:  # type: ignore[attr-defined]
            return await ask_page(contract)
        return await export_list(
            ask_page,
            contract,
            item_type=item_type,
            fmt=query.format,  # type: ignore[attr-defined]
            max_rows=settings.export_max_rows,
            name=file_name or resource,
            unit_code=_listed_unit(contract, principal),
            today=clock.today(),
        )

    router.add_api_route(
        path,
        listing,
        methods=["GET"],
        response_model=Page[item_type],  # type: ignore[valid-type]
        responses=LIST_RESPONSES,
        summary=summary,
        description=description,
        name=name,
    )


def _listed_unit(query: PageRequest, principal: Principal) -> str:
    unit_code: str | None = getattr(query, "unit_code", None)
    return unit_code or principal.unit
