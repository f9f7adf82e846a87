"""The operations endpoint of a service process: `/healthz`, `/readyz` and `/metrics`.

`danvan serve` starts it beside the service, in the same event loop, on
`ops_host`:`<service>_ops_port`; `ServiceRuntime.start` never does, so services run in a test
process bind nothing (a test asks `operations_app` directly).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Iterator

import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from danvan.config import ServiceName, Settings
from danvan.readiness import checks, ready
from danvan.scrape import Exposition, scrape
from danvan.service import ServiceRuntime


def operations_app(runtime: ServiceRuntime) -> Starlette:
    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok", "service": runtime.name})

    async def readyz(_: Request) -> Response:
        found = await checks(runtime)
        is_ready = ready(found)
        return JSONResponse(
            {"status": "ready" if is_ready else "not ready", "checks": found},
            status_code=200 if is_ready else 503,
        )

    async def metrics(_: Request) -> Response:
        read = await scrape(runtime)
        return Response(generate_latest(Exposition(read)), media_type=CONTENT_TYPE_LATEST)

    return Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
        ]
    )


class OperationsPortTaken(RuntimeError):
    pass


def operations_socket(settings: Settings, service: ServiceName) -> socket.socket | None:
    """The endpoint's listening socket, bound before anything starts so that a taken port is
    said at once; None when its port is 0 (off)."""
    port = settings.ops_port(service)
    if not port:
        return None
    host = settings.ops_host
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family)
    except OSError as error:
        raise OperationsPortTaken(
            f"the operations endpoint cannot listen on {host}:{port}: {error.strerror}"
        ) from error


class _Server(uvicorn.Server):
    """Leaves the signals to the process: it stops when the service does."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@contextlib.asynccontextmanager
async def serving(runtime: ServiceRuntime, listening: socket.socket | None) -> AsyncIterator[None]:
    """Serve `runtime`'s operations endpoint on `listening` (nothing when None) meanwhile."""
    if listening is None:
        yield
        return
    server = _Server(
        uvicorn.Config(
            operations_app(runtime),
            lifespan="off",
            access_log=False,  # Prometheus scrapes every few seconds
            log_config=None,  # uvicorn's own lines go through the process's handler
            log_level="warning",
        )
    )
    task = asyncio.create_task(server.serve(sockets=[listening]), name="operations-endpoint")
    try:
        yield
    finally:
        server.should_exit = True
        await task


def address(listening: socket.socket) -> str:
    host, port = listening.getsockname()[:2]
    return f"http://{f'[{host}]' if ':' in host else host}:{port}"
