"""The unit directory: search the administrative units, walk their tree by level, read a
unit's card. Answered from the gateway's own tree: no service is asked."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import ConfigDict, Field

from danvan.access import facts_scope, require_role, require_scope, unit_in_scope
from danvan.contracts.paging import Page, PageRequest
from danvan.contracts.rpc import ErrorCode, ErrorDetail, Message, Principal, Role, ServiceError
from danvan.pagination import decode_position, encode_position, invalid_cursor
from danvan.units import Level, UnitTree
from danvan.units.directory import (
    DirectoryError,
    GenerationFilter,
    OrderKey,
    UnitOrder,
    UnitQuery,
    default_order,
)
from services.gateway.deps import ClockDep, CurrentPrincipal, SettingsDep, UnitsDep
from services.gateway.exports import FORMAT_DESCRIPTION, LIST_RESPONSES, ListFormat, export_list
from services.gateway.openapi import ERROR_RESPONSES
from services.gateway.unit_examples import DETAIL_EXAMPLES, LIST_EXAMPLES
from services.gateway.unit_views import UnitDetail, UnitSummary

router = APIRouter(prefix="/api/v1/units", tags=["units"])


class UnitListQuery(PageRequest):
    model_config = ConfigDict(extra="forbid")

    q: str | None = Field(
        default=None,
        max_length=200,
        description="words to find, with or without diacritics, in any case: each must begin "
        "a word of the name (`tay ho` finds Phường Tây Hồ, `hong ha` Phường Hồng Hà) or the "
        "code (`00097`); or the whole id (`old-003`)",
        examples=["tay ho"],
    )
    level: Level | None = Field(
        default=None, description="only units of this level", examples=["province"]
    )
    parent: str | None = Field(
        default=None,
        max_length=40,
        description="only the direct children of this unit (`VN` for the provinces)",
        examples=["01"],
    )
    generation: GenerationFilter | None = Field(
        default=None,
        description="current (in force), legacy (ceased) or all. Default: current, unless "
        "`on` is given (then the units in force that day, whichever generation) or `parent` "
        "is a unit that ceased (its children ceased with it)",
        examples=["all"],
    )
    on: date | None = Field(
        default=None,
        description="only units in force on this day: 2024-06-01 gives the tree before the "
        "2025 reform",
        examples=["2024-06-01"],
    )
    sort: str | None = Field(
        default=None,
        max_length=40,
        description="name (Vietnamese dictionary order of the name without its kind: "
        "Đ after D, Ă and Â after A), code, level (then name), or relevance (with `q` only: "
        "the name itself, then names that begin with the query, then other matches; by level "
        "and name within each); `-` reverses. Default: relevance with `q`, else name",
        examples=["name", "-name", "code", "level", "relevance"],
    )


class UnitListRequest(UnitListQuery):
    format: ListFormat = Field(default=ListFormat.JSON, description=FORMAT_DESCRIPTION)


@router.get(
    "",
    response_model=Page[UnitSummary],
    responses=LIST_RESPONSES
    | {
        200: {
            **LIST_RESPONSES[200],
            "content": {
                **LIST_RESPONSES[200]["content"],
                "application/json": {"examples": LIST_EXAMPLES},
            },
        }
    },
)
async def list_units(
    query: Annotated[UnitListRequest, Query()],
    principal: CurrentPrincipal,
    units: UnitsDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> Any:
    """Search the administrative units, or walk their tree by level, in the caller's scope
    (its unit and those below it, with the units that ceased and went into them; the
    nation's callers see every unit).

    - `?q=tay ho`: the units in force whose name has words beginning with "tay" and "ho";
      with `&generation=all`, also those that ceased (Quận Tây Hồ).
    - `?parent=VN`: the 34 provinces; `?parent=01`: the communes of Hà Nội.
    - `?parent=old-003`: the wards of the former Quận Tây Hồ.
    - `?level=district&on=2024-06-01`: the 696 districts before the 2025 reform.

    Pages follow `next_cursor` until it is null; `total` counts every match on every page.
    """
    require_role(principal, *Role)
    if query.format is ListFormat.JSON:
        return _units_page(units, principal, query)

    async def ask_page(request: PageRequest) -> Any:
        return _units_page(units, principal, UnitListQuery.model_validate(request.model_dump()))

    return await export_list(
        ask_page,
        UnitListQuery.model_validate(query.model_dump(exclude={"format"})),
        item_type=UnitSummary,
        fmt=query.format,
        max_rows=settings.export_max_rows,
        name="units",
        unit_code=query.parent or principal.unit,
        today=clock.today(),
    )


def _units_page(units: UnitTree, principal: Principal, query: UnitListQuery) -> Page[UnitSummary]:
    visible = _visible(units, principal)
    if query.parent is not None and query.parent in units:
        require_scope(units, principal, query.parent)
    unit_query = UnitQuery(
        q=query.q,
        level=query.level,
        parent=query.parent,
        generation=query.generation,
        on=query.on,
        within=visible,
    )
    try:
        order = UnitOrder.parse(query.sort) if query.sort else default_order(unit_query)
        listing = units.directory().select(
            unit_query,
            order,
            limit=query.limit,
            after=_position(units, query.cursor, order) if query.cursor else None,
        )
    except DirectoryError as error:
        raise ServiceError(
            ErrorCode.VALIDATION,
            error.message,
            [ErrorDetail(field=error.field, reason=error.message)],
        ) from error
    next_cursor = None
    if listing.next_after is not None:
        last = listing.units[-1].id
        next_cursor = encode_position(order.code, [units.key, *listing.next_after], last)
    return Page[UnitSummary](
        data=[UnitSummary.in_tree(units, unit) for unit in listing.units],
        total=listing.total,
        next_cursor=next_cursor,
    )


@router.get(
    "/{code}",
    responses=ERROR_RESPONSES
    | {200: {"content": {"application/json": {"examples": DETAIL_EXAMPLES}}}},
)
async def get_unit(
    code: Annotated[
        str,
        Path(
            max_length=40,
            description="a unit's id: `00097` (in force), `old-00097` (ceased), `VN`",
            examples=["00097"],
        ),
    ],
    principal: CurrentPrincipal,
    units: UnitsDep,
) -> UnitDetail:
    """A unit's card: its parents from the nation down, the units below it by level, its
    children, and the units it went into (a unit that ceased) or came from (one a reform
    created). 404 for an unknown id, 403 outside the caller's scope."""
    require_role(principal, *Role)
    unit = unit_in_scope(units, principal, code)
    return UnitDetail.card(units, unit, _visible(units, principal))


def _visible(tree: UnitTree, principal: Principal) -> frozenset[str] | None:
    """The ids of the units the principal may see; None for every unit."""
    if principal.unit not in tree:
        raise ServiceError(
            ErrorCode.FORBIDDEN,
            Message(
                vi=f"đơn vị của người gọi {principal.unit} không phải đơn vị hành chính",
                en=f"the caller's unit {principal.unit} is not an administrative unit",
            ),
        )
    return facts_scope(tree, principal.unit)


def _position(tree: UnitTree, cursor: str, order: UnitOrder) -> OrderKey:
    """The position a cursor of this tree and order names."""
    value, _ = decode_position(cursor, order.code)
    if not isinstance(value, list) or not value or value[0] != tree.key:
        # A reorganisation took effect since the cursor was made: the order changed with it.
        raise invalid_cursor("the units changed since it was made; start from the first page")
    position: list[Any] = value[1:]
    return tuple(position)
