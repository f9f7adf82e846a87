"""Apply a service's migrations: the kernel's branch and the service's own, to their heads."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

from danvan.config import DATA_SERVICES, ServiceName
from danvan.db import create_engine

_KERNEL_MIGRATIONS = Path(__file__).parent / "migrations"
_SERVICES_ROOT = Path(__file__).parent.parent / "services"


def alembic_config(service: ServiceName) -> Config:
    if service not in DATA_SERVICES:
        raise ValueError(f"{service} has no database")
    config = Config()
    config.set_main_option("script_location", str(_KERNEL_MIGRATIONS))
    config.set_main_option("path_separator", "os")
    locations = [_KERNEL_MIGRATIONS / "versions", _SERVICES_ROOT / service / "migrations"]
    config.set_main_option("version_locations", os.pathsep.join(str(p) for p in locations))
    return config


async def upgrade(service: ServiceName, url: str, revision: str = "heads") -> None:
    """Bring the service's database to the newest schema (idempotent), or to `revision`
    (a test's older database, to check what a later migration does with its rows)."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade, alembic_config(service), revision)
    finally:
        await engine.dispose()


def _upgrade(connection: Connection, config: Config, revision: str) -> None:
    config.attributes["connection"] = connection
    command.upgrade(config, revision)
