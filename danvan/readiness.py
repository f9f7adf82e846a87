"""Whether a service process can do its work now: what `/readyz` answers.

A data service is ready when NATS is connected and its database answers; the gateway when
NATS is connected and every data service answers its health ping.
"""

from __future__ import annotations

import asyncio

from faststream.nats import NatsBroker
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from danvan.config import DATA_SERVICES
from danvan.service import ServiceRuntime, health_subject

PING_TIMEOUT_SECONDS = 1.0
OK = "ok"


def nats_connected(broker: NatsBroker) -> bool:
    """Connected now (not connecting, not reconnecting), without waiting."""
    try:
        return bool(broker.connection.is_connected)
    except Exception:  # FastStream's IncorrectState: the broker has not connected yet
        return False


async def nats_check(broker: NatsBroker) -> str:
    """`ok`, or `unreachable` when the broker is not connected within a second."""
    connected = await broker.ping(timeout=PING_TIMEOUT_SECONDS)
    return OK if connected else "unreachable"


async def database_check(sessions: async_sessionmaker[AsyncSession]) -> str:
    """`ok`, or what went wrong asking the database for `SELECT 1`."""
    try:
        async with asyncio.timeout(PING_TIMEOUT_SECONDS), sessions() as session:
            await session.execute(text("SELECT 1"))
    except TimeoutError:
        return f"not answering within {PING_TIMEOUT_SECONDS:g} s"
    except Exception as error:
        reason = str(getattr(error, "orig", None) or error).splitlines()[0][:200]
        return f"unreachable: {reason}"
    return OK


async def service_check(broker: NatsBroker, service: str) -> str:
    try:
        await broker.request({}, health_subject(service), timeout=PING_TIMEOUT_SECONDS)
    except Exception:
        return "not answering"
    return OK


async def gateway_checks(broker: NatsBroker) -> dict[str, str]:
    """`nats` and each data service: ok, unreachable or not answering."""
    connected, *answers = await asyncio.gather(
        nats_check(broker), *(service_check(broker, service) for service in DATA_SERVICES)
    )
    return {"nats": connected, **dict(zip(DATA_SERVICES, answers, strict=True))}


async def checks(runtime: ServiceRuntime) -> dict[str, str]:
    """What `runtime` needs, each `ok` or why not."""
    if runtime.name == "gateway":
        return await gateway_checks(runtime.broker)
    if runtime.sessions is None:
        return {"nats": await nats_check(runtime.broker)}
    connected, database = await asyncio.gather(
        nats_check(runtime.broker), database_check(runtime.sessions)
    )
    return {"nats": connected, "database": database}


def ready(found: dict[str, str]) -> bool:
    return all(value == OK for value in found.values())
