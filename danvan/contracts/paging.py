"""List envelopes and page requests: every list answers `{data, total, next_cursor}`.

Every list names the same idea the same way: `unit_code` for the unit whose subtree it shows,
`q` for words searched without diacritics, `sort` for a key with `-` to reverse it, `limit`
and `cursor` for the page. The field types below say each once.
"""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def _page_example(schema: dict[str, Any], page: type[BaseModel]) -> None:
    """A page's example holds its item's example: `Page[ModelPublic]` shows a model."""
    item = page.__pydantic_generic_metadata__["args"]
    extra = item[0].model_config.get("json_schema_extra") if item and _is_model(item[0]) else None
    examples = extra.get("examples") if isinstance(extra, dict) else None
    if isinstance(examples, list) and examples:
        schema["examples"] = [{"data": examples[:1], "total": 1, "next_cursor": None}]


def _is_model(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, BaseModel)


class Page(BaseModel, Generic[T]):
    model_config = ConfigDict(json_schema_extra=_page_example)

    data: list[T]
    total: int = Field(description="how many items match the filters, on every page")
    next_cursor: str | None = Field(
        default=None, description="pass as `cursor` for the next page; null on the last page"
    )


class PageRequest(BaseModel):
    """Cursor pagination: a cursor stays right when rows are added while a user pages."""

    limit: int = Field(default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    cursor: str | None = Field(default=None, max_length=2000)
    sort: str | None = Field(
        default=None, max_length=40, description="a sort key; prefix `-` for descending"
    )


SubtreeFilter = Annotated[
    str | None,
    Field(
        max_length=20,
        description="a unit's subtree: the unit, every unit below it, and the former units "
        "that went into them; the caller's unit by default",
        examples=["01", "00097"],
    ),
]

SearchFilter = Annotated[
    str | None,
    Field(
        max_length=200,
        description="words to find, diacritics and case ignored (`dan van kheo` finds "
        "“Dân vận khéo”)",
    ),
]


def sort_by(*keys: str, default: str) -> Any:
    """A list's `sort` field, documenting the keys its service sorts by (`-` reverses one)."""
    return Field(
        default=None,
        max_length=40,
        description=f"one of {', '.join(keys)}; prefix `-` for descending; {default} when "
        "not given",
        examples=[default, *(key for key in keys if key != default.removeprefix("-"))],
    )
