"""What an operator (or compose's health check) reads on a service's operations endpoint:
alive, ready, and when not ready, what is away. In this process, on real servers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from danvan.config import Settings
from danvan.embedded import EmbeddedNats
from danvan.migrate import upgrade
from danvan.service import ServiceRuntime
from danvan.units import load_units
from services.registry.app import build as build_registry
from tests.operations import ask, running, scraped, sqlite_files, take_the_place_of, total
from tests.platform_stack import platform_stack
from tests.waiting import eventually


def registry_on(settings: Settings) -> Callable[[], ServiceRuntime]:
    return lambda: build_registry(settings, units=load_units())


async def test_a_data_service_is_ready_with_nats_and_its_database_and_names_nats_when_it_goes(
    tmp_path: Path, fresh_nats: EmbeddedNats
) -> None:
    settings = Settings(home=tmp_path, nats_url=fresh_nats.url)
    await upgrade("registry", settings.database_url("registry"))
    async with running(registry_on(settings)()) as registry:
        alive = await ask(registry, "/healthz")
        assert alive.status_code == 200
        assert alive.json() == {"status": "ok", "service": "registry"}
        ready = await ask(registry, "/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json() == {"status": "ready", "checks": {"nats": "ok", "database": "ok"}}

        fresh_nats.stop()
        try:

            async def not_ready() -> bool:
                return (await ask(registry, "/readyz")).status_code == 503

            await eventually(not_ready)  # once the client has seen the connection drop
            away = await ask(registry, "/readyz")
            assert away.json()["checks"] == {"nats": "unreachable", "database": "ok"}
            assert (await ask(registry, "/healthz")).status_code == 200  # alive all the same
            text = await scraped(registry)
            assert total(text, "danvan_up", service="registry", dependency="nats") == 0
            assert total(text, "danvan_up", service="registry", dependency="database") == 1
        finally:
            fresh_nats.start()

        async def ready_again() -> bool:
            return (await ask(registry, "/readyz")).status_code == 200

        await eventually(ready_again, timeout=20)


async def test_a_data_service_whose_database_is_away_is_not_ready_and_its_metrics_say_so(
    tmp_path: Path, fresh_nats: EmbeddedNats
) -> None:
    where = tmp_path / "registry.db"
    settings = Settings(
        home=tmp_path, nats_url=fresh_nats.url, registry_database_url=f"sqlite+aiosqlite:///{where}"
    )
    # A service waits at start for its database: it goes away after.
    async with running(registry_on(settings)()) as registry:
        # A directory where the SQLite file was: no connection can open it, even as root.
        assert registry.engine is not None
        await registry.engine.dispose()
        take_the_place_of(where)
        answer = await ask(registry, "/readyz")
        assert answer.status_code == 503
        checks = answer.json()["checks"]
        assert checks["nats"] == "ok"
        assert checks["database"].startswith("unreachable: unable to open database file")

        text = await scraped(registry)  # the scrape itself succeeds
        assert total(text, "danvan_up", service="registry", dependency="database") == 0
        assert total(text, "danvan_up", service="registry", dependency="nats") == 1
        assert total(text, "danvan_outbox_backlog", service="registry") is None


async def test_the_gateway_is_ready_when_every_service_answers_and_names_the_one_that_does_not(
    tmp_path: Path, fresh_nats: EmbeddedNats
) -> None:
    async with platform_stack(tmp_path, fresh_nats.url, sqlite_files(tmp_path)) as stack:
        gateway: ServiceRuntime = stack.app.state.runtime
        ready = await ask(gateway, "/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json() == {
            "status": "ready",
            "checks": {"nats": "ok", "registry": "ok", "reception": "ok", "reporting": "ok"},
        }
        assert (await ask(gateway, "/healthz")).json() == {"status": "ok", "service": "gateway"}

        await stack.stop("reception")
        away = await ask(gateway, "/readyz")
        assert away.status_code == 503
        assert away.json()["checks"]["reception"] == "not answering"
        # The gateway's own /readyz on its API port says the same.
        api = await stack.client.get("/readyz")
        assert api.status_code == 503
        assert api.json()["checks"] == away.json()["checks"]
