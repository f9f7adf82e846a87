"""A list's items as spreadsheet rows: columns from the item's model, nested models dotted in
place, lists joined or kept as JSON, values typed for the writers."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from enum import StrEnum

from pydantic import BaseModel

from danvan.contracts.reception import PetitionPublic
from danvan.export_columns import cell_value, columns_of, header_of, row_of


class Kind(StrEnum):
    INDIVIDUAL = "individual"


class Place(BaseModel):
    unit_code: str
    street: str = ""


class Person(BaseModel):
    name: str
    address: Place | None = None


class Item(BaseModel):
    id: uuid.UUID
    name: str
    kind: Kind
    on: date
    at: datetime
    tags: list[str]
    people: list[Person]
    labels: dict[str, str]
    owner: Person
    deputy: Person | None = None
    score: float | None = None
    parent: Item | None = None


ITEM_ID = uuid.UUID("00000000-0000-4000-8000-000000000001")
ITEM = Item(
    id=ITEM_ID,
    name="Nguyễn Thị Lan",
    kind=Kind.INDIVIDUAL,
    on=date(2026, 3, 2),
    at=datetime(2026, 3, 2, 1, 30, tzinfo=UTC),
    tags=["chuyển đổi số", "an ninh trật tự"],
    people=[Person(name="Lê Thị Hoa")],
    labels={"vi": "Cá nhân", "en": "Individual"},
    owner=Person(name="Trần Văn Bình", address=Place(unit_code="00097", street="Ngõ 12 Âu Cơ")),
)


def test_columns_are_the_fields_in_order_with_nested_models_dotted_in_place() -> None:
    assert header_of(columns_of(Item)) == [
        "id",
        "name",
        "kind",
        "on",
        "at",
        "tags",
        "people",
        "labels",
        "owner.name",
        "owner.address.unit_code",
        "owner.address.street",
        "deputy.name",
        "deputy.address.unit_code",
        "deputy.address.street",
        "score",
        "parent",  # a model inside itself stays one column, as JSON
    ]


def test_a_row_keeps_types_joins_plain_lists_and_writes_objects_as_json() -> None:
    assert row_of(ITEM, columns_of(Item)) == [
        str(ITEM_ID),
        "Nguyễn Thị Lan",
        "individual",
        date(2026, 3, 2),
        datetime(2026, 3, 2, 1, 30, tzinfo=UTC),
        "chuyển đổi số; an ninh trật tự",
        '[{"name":"Lê Thị Hoa","address":null}]',
        '{"vi":"Cá nhân","en":"Individual"}',
        "Trần Văn Bình",
        "00097",
        "Ngõ 12 Âu Cơ",
        None,  # no deputy: every deputy cell is empty
        None,
        None,
        None,
        None,
    ]


def test_a_petitions_columns_spell_out_the_petitioner_and_its_address() -> None:
    header = header_of(columns_of(PetitionPublic))
    start = header.index("version")
    assert header[start : start + 8] == [
        "version",
        "petitioner.name",
        "petitioner.id_number",
        "petitioner.address.unit_code",
        "petitioner.address.street",
        "petitioner.phone",
        "petitioner.kind",
        "respondent",
    ]


def test_plain_values_in_a_list_are_written_as_people_read_them() -> None:
    assert cell_value([date(2026, 1, 2), Kind.INDIVIDUAL, True, 3]) == (
        "2026-01-02; individual; true; 3"
    )
    assert cell_value([]) == ""
    assert cell_value([{"a": 1}]) == '[{"a":1}]'
