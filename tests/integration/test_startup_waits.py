"""A service started before its servers waits for them, says what it waits for, and serves once
they answer; it gives up only when told to, and a signal ends the wait at once."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from danvan.config import Settings
from danvan.contracts.rpc import Principal, Role
from danvan.embedded import EmbeddedNats, nats_server_binary
from danvan.migrate import upgrade
from danvan.service import ServiceRuntime
from danvan.startup import StartupFailed, database_address
from tests.e2e.platform import free_port
from tests.processes import (
    answering,
    ask,
    nats_client,
    processes,
    service_environment,
)
from tests.servers import PostgresDatabases, _port_answers

OFFICER = Principal(sub="officer", unit="01", roles=(Role.OFFICER,))


@pytest.mark.postgres
async def test_a_service_started_before_nats_and_its_database_says_what_it_waits_for_then_serves(
    tmp_path: Path, pg: PostgresDatabases
) -> None:
    nats_url = f"nats://127.0.0.1:{free_port()}"
    database_url = pg.future_database("late_registry")
    environment = service_environment(tmp_path, nats_url, registry_database_url=database_url)
    with processes(tmp_path / "logs", environment) as running:
        registry = running.serve("registry")
        await registry.logged(f"waiting for NATS at {nats_url}: ")

        nats = EmbeddedNats(tmp_path / "nats", port=int(nats_url.rsplit(":", 1)[1])).start()
        try:
            shown = database_address(database_url)
            await registry.logged(f"waiting for the registry database at {shown}: ")
            assert "does not exist" in registry.log()

            prepared = await pg.create("prepared_registry")
            await upgrade("registry", prepared)
            await pg.appear(prepared, database_url)
            async with nats_client(nats_url) as client:
                await answering(client, "registry")
                model = await ask(
                    client,
                    "registry",
                    "models",
                    "create",
                    {"name": "Dân vận khéo", "field": "economy", "unit_code": "00292"},
                    principal=OFFICER,
                )
            assert model["status"] == "registered"
            assert await registry.terminated() == 0
        finally:
            nats.stop()
    log = registry.log()
    assert f"NATS at {nats_url} answers" in log
    assert f"the registry database at {shown} answers" in log


async def test_a_service_that_waits_past_its_startup_timeout_exits_with_status_1_saying_why(
    tmp_path: Path,
) -> None:
    nats_url = f"nats://127.0.0.1:{free_port()}"
    environment = service_environment(tmp_path, nats_url, startup_timeout=1)
    with processes(tmp_path / "logs", environment) as running:
        reporting = running.serve("reporting")
        assert await reporting.exited() == 1
    assert f"gave up waiting for NATS at {nats_url} after" in reporting.log()
    assert "Connect call failed" in reporting.log()


async def test_sigterm_while_the_gateway_waits_for_nats_ends_it_at_once_with_status_0(
    tmp_path: Path,
) -> None:
    nats_url = f"nats://127.0.0.1:{free_port()}"
    environment = service_environment(tmp_path, nats_url, gateway_port=free_port())
    with processes(tmp_path / "logs", environment) as running:
        gateway = running.serve("gateway")
        await gateway.logged(f"waiting for NATS at {nats_url}")
        assert await gateway.terminated() == 0


@pytest.fixture
def nats_with_a_password(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    arguments = ["-a", "127.0.0.1", "-p", str(port), "--user", "gateway", "--pass", "the-right-one"]
    server = subprocess.Popen(
        [str(nats_server_binary()), *arguments],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 15
        while not _port_answers("127.0.0.1", port):
            assert time.monotonic() < deadline, "nats-server did not start"
            time.sleep(0.05)
        yield f"nats://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait()


async def test_credentials_nats_refuses_end_the_start_at_once_naming_the_user(
    tmp_path: Path, nats_with_a_password: str
) -> None:
    wrong = Settings(
        home=tmp_path,
        nats_url=nats_with_a_password,
        nats_user="gateway",
        nats_password="the-wrong-one",
    )
    runtime = ServiceRuntime.create("gateway", wrong)
    with pytest.raises(StartupFailed, match="user 'gateway' is not allowed"):
        await runtime.start()  # no waiting: no patience was set, yet it returns
    await runtime.stop()

    right = wrong.model_copy(update={"nats_password": SecretStr("the-right-one")})
    runtime = ServiceRuntime.create("gateway", right)
    await runtime.start()
    await runtime.stop()
