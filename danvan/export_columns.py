"""A list's items as spreadsheet rows: the columns come from the item's pydantic model, so an
export has the same columns whichever rows it holds, even none.

Headers are the API's field names, as in the JSON (a nested model's fields dotted:
`petitioner.address.street`), so a column means the same thing in every language and in the
API's documentation. Values stay typed for the writers (numbers, dates and booleans are
stored as such in XLSX) except where a cell cannot hold them:

- a list of plain values is joined with "; " (topics, criteria, warnings);
- a list of models or a mapping is written as JSON (attachments, visitors, follow-ups,
  labels), which keeps every field and can be read back;
- ids are written as text, enumerations by their code.
"""

from __future__ import annotations

import types
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import Enum
from typing import Annotated, Any, Final, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import to_json

LIST_SEPARATOR: Final = "; "

Cell = object


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    path: tuple[str, ...]  # attribute names from the item down to the value


def columns_of(model: type[BaseModel]) -> list[Column]:
    """Every column of `model`'s rows: its fields in declaration order, a nested model's
    fields in its place (a model nested in itself stops at the second level, as JSON)."""
    return _columns(model, (), (model,))


def _columns(
    model: type[BaseModel], prefix: tuple[str, ...], seen: tuple[type[BaseModel], ...]
) -> list[Column]:
    columns: list[Column] = []
    for name, field in model.model_fields.items():
        path = (*prefix, name)
        nested = _nested_model(field.annotation)
        if nested is not None and nested not in seen:
            columns.extend(_columns(nested, path, (*seen, nested)))
        else:
            columns.append(Column(".".join(path), path))
    return columns


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds, alone or optional (`Petitioner`, `Address | None`)."""
    if get_origin(annotation) is Annotated:
        return _nested_model(get_args(annotation)[0])
    if get_origin(annotation) in (Union, types.UnionType):
        choices = [arg for arg in get_args(annotation) if arg is not type(None)]
        return _nested_model(choices[0]) if len(choices) == 1 else None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def header_of(columns: Sequence[Column]) -> list[str]:
    return [column.name for column in columns]


def row_of(item: BaseModel, columns: Sequence[Column]) -> list[Cell]:
    """The item's cells, one per column; a missing nested model leaves its cells empty."""
    return [cell_value(_value_at(item, column.path)) for column in columns]


def _value_at(item: BaseModel, path: tuple[str, ...]) -> Any:
    value: Any = item
    for name in path:
        if value is None:
            return None
        value = getattr(value, name)
    return value


# Values a writer takes as they are: most cells, so they are let through first.
_AS_IS: Final = frozenset({str, int, float, bool, date, datetime, time, type(None)})


def cell_value(value: Any) -> Cell:
    """What a spreadsheet cell holds for `value`: see the module's notes."""
    if type(value) in _AS_IS:
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, BaseModel | Mapping):
        return _json(value)
    if isinstance(value, list | tuple | set | frozenset):
        items = list(value)
        if all(_is_plain(element) for element in items):
            return LIST_SEPARATOR.join(_plain_text(element) for element in items)
        return _json(items)
    return value


def _is_plain(value: Any) -> bool:
    return isinstance(value, str | int | float | Enum | uuid.UUID | date | time)


def _plain_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, date | time | datetime):
        return value.isoformat()
    return str(value)


def _json(value: Any) -> str:
    # pydantic's encoder knows models, dates, ids and enumerations, and keeps Vietnamese
    # letters as they are (no \\u escapes), so the cell reads as text.
    return to_json(value).decode()
