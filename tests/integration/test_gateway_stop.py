"""The gateway process on SIGTERM: it stops accepting connections, answers the HTTP request in
hand, then stops its runtime and exits with status 0."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import nats
from nats.aio.msg import Msg

from danvan.embedded import EmbeddedNats
from tests.bearer import bearer
from tests.e2e.platform import free_port
from tests.processes import processes, service_environment
from tests.waiting import eventually

SECRET = "gateway-stop-secret-" + "x" * 32
HELD = {"held": {"vi": "Đang giữ", "en": "Held"}}


async def test_the_gateway_on_sigterm_answers_the_request_in_hand_takes_no_new_one_and_exits_0(
    tmp_path: Path, fresh_nats: EmbeddedNats
) -> None:
    entered, release = asyncio.Event(), asyncio.Event()

    async def registry_answers_when_released(message: Msg) -> None:
        entered.set()
        await release.wait()
        await message.respond(json.dumps({"ok": True, "data": HELD}).encode())

    connection = await nats.connect(fresh_nats.url)
    await connection.subscribe(
        "rpc.registry.topics.list", queue="registry", cb=registry_answers_when_released
    )
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    environment = service_environment(
        tmp_path, fresh_nats.url, gateway_port=port, jwt_secret=SECRET
    )
    try:
        with processes(tmp_path / "logs", environment) as running:
            gateway = running.serve("gateway")

            async def accepts() -> bool:
                """A new connection is served (one taken while the server shuts its socket is
                closed unanswered: not served either)."""
                async with httpx.AsyncClient(base_url=base_url) as fresh:
                    try:
                        return (await fresh.get("/healthz")).status_code == 200
                    except httpx.TransportError:
                        return False

            await eventually(accepts, timeout=60, interval=0.2)
            async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
                in_hand = asyncio.create_task(
                    http.get("/api/v1/topics", headers=bearer(SECRET, "01"))
                )
                await entered.wait()
                gateway.signal()

                async def refuses() -> bool:
                    return not await accepts()

                await eventually(refuses)
                assert gateway.process.poll() is None  # still finishing the request in hand
                release.set()
                answer = await in_hand
            assert answer.status_code == 200
            assert answer.json() == HELD
            assert await gateway.exited() == 0
        assert "gateway stopped" in gateway.log()
    finally:
        await connection.close()
