"""Each service's migrations build exactly the tables its code defines, on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, inspect, text
from sqlalchemy.engine import Connection

from danvan.config import ServiceName
from danvan.db import create_engine, kernel_metadata
from danvan.inbox import inbox_table
from danvan.migrate import upgrade
from danvan.outbox import outbox_table
from services.reception.store import metadata as reception_metadata
from services.registry.store import metadata as registry_metadata
from services.reporting import report_store  # noqa: F401 (its tables: on reporting's metadata)
from services.reporting.store import metadata as reporting_metadata
from tests.conftest import MakeDatabase

SERVICE_METADATA: dict[ServiceName, MetaData] = {
    "registry": registry_metadata,
    "reception": reception_metadata,
    "reporting": reporting_metadata,
}


def combined(service: ServiceName) -> MetaData:
    assert {outbox_table.name, inbox_table.name} <= set(kernel_metadata.tables)
    target = MetaData()
    for table in [*kernel_metadata.tables.values(), *SERVICE_METADATA[service].tables.values()]:
        table.to_metadata(target)
    return target


def drift(connection: Connection, service: ServiceName) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    diffs = compare_metadata(context, combined(service))
    # Alembic's own version table is not part of any service's model.
    return [d for d in diffs if "alembic_version" not in repr(d)]


@pytest.mark.parametrize("service", ["registry", "reception", "reporting"])
async def test_migrations_create_exactly_the_tables_the_code_defines(
    make_database: MakeDatabase, service: ServiceName
) -> None:
    url = await make_database(service)
    await upgrade(service, url)
    await upgrade(service, url)  # a second run changes nothing and does not fail
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(drift, service) == []
            tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    finally:
        await engine.dispose()
    assert {"outbox", "inbox"} <= tables
    assert set(SERVICE_METADATA[service].tables) <= tables


async def test_a_dialogue_recorded_before_dialogues_were_searchable_is_found_by_its_words(
    make_database: MakeDatabase,
) -> None:
    url = await make_database("reception")
    await upgrade("reception", url, "c0003")
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO dialogues (id, unit_id, level, held_on, chair, participants, "
                    "opinions_raised, topic, created_by, created_at) VALUES ('d1', '00097', "
                    "'commune', :held_on, 'Trần Văn Bình', 120, 14, 'Trật tự vỉa hè', "
                    "'officer', :at)"
                ),
                {"held_on": date(2026, 11, 10), "at": datetime(2026, 11, 10, 8, tzinfo=UTC)},
            )
        await upgrade("reception", url)
        async with engine.connect() as connection:
            folded = await connection.scalar(text("SELECT search_folded FROM dialogues"))
    finally:
        await engine.dispose()
    assert folded == "trat tu via he tran van binh"
