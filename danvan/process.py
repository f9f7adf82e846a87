"""One service process as `danvan serve` runs it: its log lines, its traces, its operations
endpoint beside it, and the service until it is told to stop."""

from __future__ import annotations

import asyncio
import importlib
import logging
import signal
import socket

import uvicorn

from danvan.config import ServiceName, Settings
from danvan.logs import configure_logging
from danvan.ops import address, operations_socket, serving
from danvan.service import ServiceRuntime, nats_until_signalled
from danvan.startup import StartupFailed
from danvan.telemetry import setup_tracing

log = logging.getLogger(__name__)


def run_service(service: ServiceName, settings: Settings) -> ServiceRuntime:
    """Run `service` until SIGTERM or SIGINT, or until it asks to be restarted; the runtime
    returned tells which. Raises OperationsPortTaken before starting anything."""
    configure_logging(service, settings)
    setup_tracing(service)  # first, so that the process's spans carry its name
    listening = operations_socket(settings, service)
    if service == "gateway":
        return _run_gateway(settings, listening)
    # The kernel imports no service statically: services build on the kernel, not the reverse.
    runtime: ServiceRuntime = importlib.import_module(f"services.{service}.app").build(settings)
    runtime.freeze_heap_when_started = True
    asyncio.run(_until_signalled(runtime, listening))
    return runtime


async def _until_signalled(runtime: ServiceRuntime, listening: socket.socket | None) -> None:
    async with serving(runtime, listening):
        _announce(runtime, listening)
        await runtime.run_until_signalled()


def _run_gateway(settings: Settings, listening: socket.socket | None) -> ServiceRuntime:
    from services.gateway.app import create_app

    gateway = create_app(settings)
    runtime: ServiceRuntime = gateway.state.runtime
    runtime.freeze_heap_when_started = True
    config = uvicorn.Config(
        gateway,
        host=settings.gateway_host,
        port=settings.gateway_port,
        log_level="warning",
        log_config=None,  # uvicorn's lines go through the process's handler
        # On SIGTERM uvicorn stops accepting and lets the requests in hand finish, for this
        # long at most; then the app's lifespan stops the runtime.
        timeout_graceful_shutdown=max(1, round(settings.graceful_timeout)),
    )
    server = uvicorn.Server(config)
    runtime.on_restart(lambda: setattr(server, "should_exit", True))

    async def main() -> None:
        async with serving(runtime, listening):
            _announce(runtime, listening)
            # uvicorn's start (the app's lifespan) cannot be interrupted by a signal: wait for
            # NATS first, where one can end the wait.
            if not await nats_until_signalled(settings):
                return
            # uvicorn hands the SIGTERM it caught on to the handler it found, once stopped:
            # with Python's default the process would die of it before the operations
            # endpoint closed and the last spans were exported.
            signal.signal(signal.SIGTERM, lambda _signum, _frame: None)
            await server.serve()
        if not server.started and not server.should_exit:
            raise StartupFailed("the gateway's application did not start (see the lines above)")

    with asyncio.Runner(loop_factory=config.get_loop_factory()) as runner:
        runner.run(main())
    return runtime


def _announce(runtime: ServiceRuntime, listening: socket.socket | None) -> None:
    if listening is None:
        log.info("%s has no operations endpoint (its port is 0)", runtime.name)
    else:
        log.info(
            "%s operations endpoint: %s (/healthz, /readyz, /metrics)",
            runtime.name,
            address(listening),
        )
