"""Liveness and readiness."""

from __future__ import annotations

import asyncio
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from faststream.nats import NatsBroker
from pydantic import BaseModel, ConfigDict, Field

from danvan.config import DATA_SERVICES
from danvan.service import health_subject
from services.gateway.deps import BrokerDep
from services.gateway.openapi import json_example

router = APIRouter(tags=["health"])

PING_TIMEOUT_SECONDS = 1.0


class Readiness(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "status": "not ready",
                    "checks": {
                        "nats": "ok",
                        "registry": "ok",
                        "reception": "not answering",
                        "reporting": "ok",
                    },
                }
            ]
        }
    )

    status: Literal["ready", "not ready"]
    checks: dict[str, str] = Field(
        description="`nats` and each service: ok, unreachable or not answering"
    )


@router.get("/healthz", responses={200: json_example({"status": "ok"})})
async def healthz() -> dict[str, str]:
    """The gateway process is alive."""
    return {"status": "ok"}


@router.get(
    "/readyz",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "NATS or a service does not answer"}},
)
async def readyz(broker: BrokerDep) -> JSONResponse:
    """Ready only when NATS is connected and every service answers."""
    connected = await broker.ping(timeout=PING_TIMEOUT_SECONDS)
    answers = await asyncio.gather(*(_ping(broker, service) for service in DATA_SERVICES))
    checks = {"nats": "ok" if connected else "unreachable"}
    checks.update(zip(DATA_SERVICES, answers, strict=True))
    ready = all(value == "ok" for value in checks.values())
    readiness = Readiness(status="ready" if ready else "not ready", checks=checks)
    return JSONResponse(readiness.model_dump(), status_code=200 if ready else 503)


async def _ping(broker: NatsBroker, service: str) -> str:
    try:
        await broker.request({}, health_subject(service), timeout=PING_TIMEOUT_SECONDS)
    except Exception:
        return "not answering"
    return "ok"
