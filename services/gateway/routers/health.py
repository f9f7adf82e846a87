"""Liveness and readiness."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from danvan.readiness import gateway_checks, ready
from services.gateway.deps import BrokerDep
from services.gateway.openapi import json_example

router = APIRouter(tags=["health"])


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
    checks = await gateway_checks(broker)
    is_ready = ready(checks)
    readiness = Readiness(status="ready" if is_ready else "not ready", checks=checks)
    return JSONResponse(readiness.model_dump(), status_code=200 if is_ready else 503)
