"""The registry's tables and queries."""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, MetaData, String, Table
from sqlalchemy.ext.asyncio import AsyncSession

from danvan.db import NAMING_CONVENTION
from danvan.timeutil import utcnow
from services.registry.domain import Model

metadata = MetaData(naming_convention=NAMING_CONVENTION)

models_table = Table(
    "models",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(300), nullable=False),
    # Diacritics folded away, so "dan van kheo" finds "Dân vận khéo" on any database.
    Column("name_folded", String(300), nullable=False, index=True),
    Column("field", String(32), nullable=False),
    Column("unit_id", String(20), nullable=False, index=True),
    Column("registered_on", Date, nullable=False),
    Column("status", String(20), nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


async def insert_model(session: AsyncSession, model: Model) -> None:
    await session.execute(
        models_table.insert().values(
            id=str(model.id),
            name=model.name,
            name_folded=model.name_folded,
            field=model.field.value,
            unit_id=model.unit_id,
            registered_on=model.registered_on,
            status=model.status.value,
            created_by=model.created_by,
            created_at=utcnow(),
        )
    )
