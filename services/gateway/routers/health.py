"""Liveness and readiness."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from faststream.nats import NatsBroker

from danvan.config import DATA_SERVICES
from danvan.service import health_subject
from services.gateway.deps import BrokerDep

router = APIRouter(tags=["health"])

PING_TIMEOUT_SECONDS = 1.0


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The gateway process is alive."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(broker: BrokerDep) -> JSONResponse:
    """Ready only when NATS is connected and every service answers."""
    connected = await broker.ping(timeout=PING_TIMEOUT_SECONDS)
    answers = await asyncio.gather(*(_ping(broker, service) for service in DATA_SERVICES))
    checks: dict[str, Any] = {"nats": "ok" if connected else "unreachable"}
    checks.update(zip(DATA_SERVICES, answers, strict=True))
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status_code=200 if ready else 503,
    )


async def _ping(broker: NatsBroker, service: str) -> str:
    try:
        await broker.request({}, health_subject(service), timeout=PING_TIMEOUT_SECONDS)
    except Exception:
        return "not answering"
    return "ok"
