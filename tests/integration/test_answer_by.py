"""A write that would commit after its caller stopped waiting is rolled back: the caller was
told 503, so nothing may be written behind its back."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, func, select

from danvan.answer_by import answering_within, detached
from danvan.contracts.rpc import ErrorCode, ServiceError
from danvan.db import create_engine, session_factory, transaction
from tests.conftest import MakeDatabase

metadata = MetaData()
writes = Table("writes", metadata, Column("id", Integer, primary_key=True))


async def count_after(make_database: MakeDatabase, seconds: float, work: float) -> int:
    engine = create_engine(await make_database("answer_by"))
    try:
        async with engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
        sessions = session_factory(engine)

        async def slow_write() -> None:
            async with transaction(sessions) as session:
                await session.execute(writes.insert().values(id=1))
                await asyncio.sleep(work)

        with answering_within(seconds), pytest.raises(ServiceError) as refused:
            await slow_write()
        assert refused.value.code is ErrorCode.UNAVAILABLE
        async with sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(writes)) or 0)
    finally:
        await engine.dispose()


async def test_a_write_finishing_after_the_callers_deadline_is_rolled_back(
    make_database: MakeDatabase,
) -> None:
    assert await count_after(make_database, seconds=0.05, work=0.2) == 0


async def test_a_write_within_the_deadline_commits_and_work_it_starts_is_not_bound(
    make_database: MakeDatabase,
) -> None:
    engine = create_engine(await make_database("answer_by"))
    try:
        async with engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
        sessions = session_factory(engine)

        async def later(row: int) -> None:
            await asyncio.sleep(0.2)
            async with transaction(sessions) as session:
                await session.execute(writes.insert().values(id=row))

        with answering_within(5.0):
            async with transaction(sessions) as session:
                await session.execute(writes.insert().values(id=1))
            # A rebuild a request starts outlives the request: its writes are not refused.
            background = asyncio.create_task(later(2), context=detached())
        with answering_within(0.05):
            bound = asyncio.create_task(later(3))
        await background
        with pytest.raises(ServiceError):
            await bound
        async with sessions() as session:
            rows = list(await session.scalars(select(writes.c.id).order_by(writes.c.id)))
        assert rows == [1, 2]
    finally:
        await engine.dispose()
