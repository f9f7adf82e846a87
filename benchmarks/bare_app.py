"""The write path's baseline: a bare FastAPI app that takes the same petition, checks it with
the same contract and inserts one row into SQLite (the kernel's engine, with its pragmas),
served by uvicorn as the gateway is. Also one bare read, the floor of a view's latency.

Run as `python -m benchmarks.bare_app --port P --database sqlite+aiosqlite:///…`."""

import argparse
import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI
from sqlalchemy import JSON, Column, MetaData, String, Table, select

from danvan.contracts.reception import PetitionCreate
from danvan.db import create_engine, session_factory, transaction

metadata = MetaData()
rows = Table(
    "petitions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("unit_code", String(16), nullable=False),
    Column("body", JSON, nullable=False),
)


def create_app(database_url: str) -> FastAPI:
    engine = create_engine(database_url)
    sessions = session_factory(engine)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async with engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
        yield
        await engine.dispose()

    app = FastAPI(lifespan=lifespan)

    @app.post("/petitions", status_code=201)
    async def create(body: PetitionCreate) -> dict[str, str]:
        record = str(uuid.uuid4())
        async with transaction(sessions) as session:
            await session.execute(
                rows.insert().values(
                    id=record, unit_code=body.unit_code, body=body.model_dump(mode="json")
                )
            )
        return {"id": record}

    @app.get("/petitions/latest")
    async def latest() -> dict[str, str | None]:
        async with sessions() as session:
            found = (await session.execute(select(rows.c.id).limit(1))).scalar()
        return {"id": found}

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database", required=True)
    arguments = parser.parse_args()
    # The gateway's settings (danvan.process): uvicorn's defaults, warnings only.
    config = uvicorn.Config(
        create_app(arguments.database),
        host="127.0.0.1",
        port=arguments.port,
        log_level="warning",
    )
    server = uvicorn.Server(config)
    with asyncio.Runner(loop_factory=config.get_loop_factory()) as runner:
        runner.run(server.serve())


if __name__ == "__main__":
    main()
