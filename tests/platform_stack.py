"""The three services and the gateway in this process, on a nats-server of the test's own and
real databases, as in production but in one process: a test may stop a service and start it
again, and move the clock. Given NATS passwords, each service connects as its own NATS user
(as in compose), and the stack's own checks as `admin`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import nats
from nats.js.errors import NotFoundError
from pydantic import SecretStr

from danvan.bus import stream_name
from danvan.clock import VIETNAM, FixedClock
from danvan.config import DATA_SERVICES, Settings
from danvan.contracts.rpc import Role
from danvan.migrate import upgrade
from danvan.service import ServiceRuntime
from danvan.units import UnitTree, load_units
from services.gateway.app import create_app
from services.reception.app import build as build_reception
from services.registry.app import build as build_registry
from services.reporting.app import CONSUMERS
from services.reporting.app import build as build_reporting
from tests.bearer import bearer
from tests.waiting import eventually

SECRET = "platform-stack-secret-" + "x" * 32
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=VIETNAM)  # a Monday


ADMIN = "admin"


def as_nats_user(settings: Settings, user: str, passwords: Mapping[str, str]) -> Settings:
    """`settings` connecting as the NATS user `user`, when the server has users."""
    if user not in passwords:
        return settings
    return settings.model_copy(
        update={"nats_user": user, "nats_password": SecretStr(passwords[user])}
    )


def _builders(
    settings: Settings, units: UnitTree, clock: FixedClock, passwords: Mapping[str, str]
) -> dict[str, Callable[[], ServiceRuntime]]:
    def own(service: str) -> Settings:
        return as_nats_user(settings, service, passwords)

    return {
        "registry": lambda: build_registry(own("registry"), units=units, clock=clock),
        # The deadline check is the test's to run: a long interval keeps it out of the way.
        "reception": lambda: build_reception(
            own("reception"), units=units, clock=clock, check_interval=3600
        ),
        "reporting": lambda: build_reporting(own("reporting"), units=units, clock=clock),
    }


@dataclass
class PlatformStack:
    client: httpx.AsyncClient
    settings: Settings
    clock: FixedClock
    units: UnitTree
    app: Any
    _build: Mapping[str, Callable[[], ServiceRuntime]]
    running: dict[str, ServiceRuntime] = field(default_factory=dict)
    nats_passwords: Mapping[str, str] = field(default_factory=dict)

    def auth(self, unit: str, *roles: Role, sub: str | None = None) -> dict[str, str]:
        return bearer(SECRET, unit, *roles, sub=sub)

    async def stop(self, service: str) -> None:
        await self.running.pop(service).stop()

    def build(self, service: str) -> ServiceRuntime:
        """A new runtime of `service` on the stack's settings, not started."""
        return self._build[service]()

    async def start(self, service: str) -> None:
        runtime = self.build(service)
        await runtime.start()
        self.running[service] = runtime

    async def settled(self) -> None:
        """Until reporting has applied and acknowledged everything now in the streams, and the
        gateway has read the notes it published meanwhile: after this, a view stays cached
        until something new happens."""
        admin = as_nats_user(self.settings, ADMIN, self.nats_passwords)
        connection = await nats.connect(
            self.settings.nats_url,
            user=admin.nats_user or None,
            password=admin.nats_password.get_secret_value() or None,
        )
        try:
            js = connection.jetstream()

            async def all_acknowledged() -> bool:
                for source, durable in CONSUMERS.items():
                    stream = stream_name(source)
                    last = (await js.stream_info(stream)).state.last_seq
                    if last == 0:
                        continue
                    try:
                        info = await js.consumer_info(stream, durable)
                    except NotFoundError:
                        return False
                    if info.num_pending or info.num_ack_pending:
                        return False
                    if info.ack_floor is None or (info.ack_floor.stream_seq or 0) < last:
                        return False
                return True

            await eventually(all_acknowledged, timeout=20)
        finally:
            await connection.close()
        # Notes published before the acknowledgements: one round trip on the gateway's own
        # connection, and a moment for its callbacks, and they have been read.
        await self.app.state.runtime.broker.config.connection_state.connection.flush()
        await asyncio.sleep(0.2)

    async def get(self, path: str, unit: str, *roles: Role, **params: Any) -> httpx.Response:
        return await self.client.get(path, params=params, headers=self.auth(unit, *roles))


@asynccontextmanager
async def platform_stack(
    home: Path,
    nats_url: str,
    make_database: Callable[[str], Awaitable[str]],
    *,
    nats_passwords: Mapping[str, str] | None = None,
    **settings: Any,
) -> AsyncIterator[PlatformStack]:
    """`nats_passwords`: the password of each NATS user (`registry`, …, `gateway`, `admin`)
    when the server has users; each service then connects as its own."""
    passwords = dict(nats_passwords or {})
    urls = {service: await make_database(service) for service in DATA_SERVICES}
    values: dict[str, Any] = {
        "home": home,
        "jwt_secret": SECRET,
        "nats_url": nats_url,
        "rpc_timeout": 30,
        **{f"{service}_database_url": url for service, url in urls.items()},
        **settings,
    }
    configured = Settings(**values)
    for name, url in urls.items():
        await upgrade(name, url)
    units = load_units()
    clock = FixedClock(NOW)
    app = create_app(as_nats_user(configured, "gateway", passwords), units_tree=units, clock=clock)
    stack = PlatformStack(
        client=httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://gateway", timeout=60
        ),
        settings=configured,
        clock=clock,
        units=units,
        app=app,
        _build=_builders(configured, units, clock, passwords),
        nats_passwords=passwords,
    )
    try:
        for name in DATA_SERVICES:
            await stack.start(name)
        async with app.router.lifespan_context(app), stack.client:
            yield stack
    finally:
        for running in list(stack.running):
            await stack.stop(running)
