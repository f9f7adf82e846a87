"""List envelopes and page requests: every list answers `{data, total, next_cursor}`."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class Page(BaseModel, Generic[T]):
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
