"""Cursor (keyset) pagination, sorting and diacritic-insensitive search for list queries.

A cursor names the sort it was made for and the last row's sort value and id, so the next page
starts right after that row even when rows were added meanwhile; a cursor made for another
sort is refused rather than silently misread.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from danvan.contracts.rpc import ErrorCode, ErrorDetail, Message, ServiceError
from danvan.text import fold

Decode = Callable[[Any], Any]


def as_is(value: Any) -> Any:
    return value


def as_date(value: Any) -> date:
    return date.fromisoformat(str(value))


def as_datetime(value: Any) -> datetime:
    return datetime.fromisoformat(str(value))


@dataclass(frozen=True, slots=True)
class SortOption:
    column: ColumnElement[Any]
    decode: Decode = as_is


@dataclass(frozen=True, slots=True)
class Sort:
    key: str
    column: ColumnElement[Any]
    descending: bool
    decode: Decode

    @property
    def code(self) -> str:
        return f"-{self.key}" if self.descending else self.key


def parse_sort(requested: str | None, options: Mapping[str, SortOption], default: str) -> Sort:
    """`name` or `-name` (descending), one of `options`; a clear 422 otherwise."""
    code = requested or default
    key = code.removeprefix("-")
    option = options.get(key)
    if option is None:
        choices = ", ".join(sorted(options))
        raise ServiceError(
            ErrorCode.VALIDATION,
            Message(vi=f"không sắp xếp được theo {key!r}", en=f"cannot sort by {key!r}"),
            [
                ErrorDetail(
                    field="sort",
                    reason=Message(
                        vi=f"hãy chọn một trong các khóa {choices}, thêm dấu - để đảo thứ tự",
                        en=f"choose one of {choices}, with - to reverse",
                    ),
                )
            ],
        )
    return Sort(key, option.column, code.startswith("-"), option.decode)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def encode_position(sort_code: str, value: Any, row_id: str) -> str:
    """A cursor naming the sort `sort_code` and the last row's sort value and id."""
    raw = json.dumps([sort_code, _plain(value), row_id], ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_position(cursor: str, sort_code: str) -> tuple[Any, str]:
    """The sort value (as JSON gave it) and row id of a cursor made for `sort_code`; a clear
    422 when it is no such cursor."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        code, value, row_id = json.loads(base64.urlsafe_b64decode(padded))
        if code != sort_code:
            raise ValueError(f"the cursor was made for sort {code}")
        return value, str(row_id)
    except (ValueError, TypeError, binascii.Error) as error:
        raise invalid_cursor(error) from error


def invalid_cursor(error: Exception | str) -> ServiceError:
    return ServiceError(
        ErrorCode.VALIDATION,
        Message(vi="con trỏ phân trang không hợp lệ", en="invalid cursor"),
        [
            ErrorDetail(
                field="cursor",
                reason=Message(
                    vi="đây không phải con trỏ của danh sách và cách sắp xếp này",
                    en=f"not a cursor of this list and sort: {error}",
                ),
            )
        ],
    )


def encode_cursor(sort: Sort, value: Any, row_id: str) -> str:
    return encode_position(sort.code, value, row_id)


def decode_cursor(cursor: str, sort: Sort) -> tuple[Any, str]:
    value, row_id = decode_position(cursor, sort.code)
    try:
        return sort.decode(value), row_id
    except (ValueError, TypeError) as error:
        raise invalid_cursor(error) from error


def _after(sort: Sort, id_column: ColumnElement[Any], value: Any, row_id: str) -> Any:
    if sort.descending:
        return or_(sort.column < value, and_(sort.column == value, id_column < row_id))
    return or_(sort.column > value, and_(sort.column == value, id_column > row_id))


async def fetch_page(
    session: AsyncSession,
    query: Select[Any],
    *,
    sort: Sort,
    id_column: ColumnElement[Any],
    limit: int,
    cursor: str | None,
) -> tuple[Sequence[Any], int, str | None]:
    """One page of `query`'s rows in `sort` order, the total that match, the next cursor."""
    total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    paged = query
    if cursor:
        value, row_id = decode_cursor(cursor, sort)
        paged = paged.where(_after(sort, id_column, value, row_id))
    order = (sort.column.desc(), id_column.desc()) if sort.descending else (sort.column, id_column)
    rows = (await session.execute(paged.order_by(*order).limit(limit + 1))).all()
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]._mapping
        next_cursor = encode_cursor(sort, last[sort.column], str(last[id_column]))
    return rows, total or 0, next_cursor


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_condition(folded_column: ColumnElement[str], query: str) -> ColumnElement[bool]:
    """Every word of `query`, folded, appears in the folded column: "dan van kheo" finds
    "Dân vận khéo" on SQLite and PostgreSQL alike."""
    words = fold(query).split()
    return and_(*(folded_column.like(f"%{_escape_like(word)}%", escape="\\") for word in words))
