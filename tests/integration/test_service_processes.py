"""The platform as separate `danvan serve` processes, as compose runs it: each answers on its
own operations port, exports its spans over OTLP to a collector (a stand-in here) where one
request is one trace across the processes, and writes JSON log lines."""

from __future__ import annotations

import gc
import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from danvan.config import DATA_SERVICES, Settings
from danvan.contracts.rpc import Role
from danvan.embedded import EmbeddedNats
from danvan.migrate import upgrade
from danvan.service import ServiceRuntime
from danvan.tokens import issue_token
from tests.e2e.platform import free_port
from tests.operations import total
from tests.otlp_receiver import OtlpReceiver, otlp_receiver
from tests.waiting import eventually

SECRET = "processes-test-secret-" + "x" * 32
SERVICES = (*DATA_SERVICES, "gateway")
SPAN_KIND_SERVER = 2  # opentelemetry.proto.trace.v1.Span.SpanKind


@dataclass
class Processes:
    gateway: str
    operations: dict[str, str]
    logs: dict[str, Path]
    receiver: OtlpReceiver
    running: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def stop(self) -> dict[str, int]:
        """SIGTERM to each, the gateway first; their exit codes."""
        for process in reversed(self.running.values()):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        codes = {}
        for name, process in self.running.items():
            try:
                codes[name] = process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                codes[name] = process.wait()
        return codes


def serve(service: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "danvan", "serve", service],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


@pytest.fixture(scope="module")
async def processes(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Processes]:
    home = tmp_path_factory.mktemp("processes")
    nats = EmbeddedNats(home / "nats").start()
    settings = Settings(home=home)
    for service in DATA_SERVICES:
        await upgrade(service, settings.database_url(service))
    ports = {service: free_port() for service in SERVICES}
    gateway_port = free_port()
    with otlp_receiver() as receiver:
        found = Processes(
            gateway=f"http://127.0.0.1:{gateway_port}",
            operations={s: f"http://127.0.0.1:{port}" for s, port in ports.items()},
            logs={s: home / f"{s}.log" for s in SERVICES},
            receiver=receiver,
        )
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DANVAN_", "OTEL_"))},
            "DANVAN_HOME": str(home),
            "DANVAN_NATS_URL": nats.url,
            "DANVAN_JWT_SECRET": SECRET,
            "DANVAN_GATEWAY_PORT": str(gateway_port),
            "DANVAN_LOG_FORMAT": "json",
            **{f"DANVAN_{s.upper()}_OPS_PORT": str(port) for s, port in ports.items()},
            "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
            "OTEL_BSP_SCHEDULE_DELAY": "100",  # milliseconds: spans reach the receiver soon
        }
        try:
            for service in SERVICES:
                found.running[service] = serve(service, env, found.logs[service])
            async with httpx.AsyncClient(timeout=5) as client:
                for service in SERVICES:

                    async def ready(service: str = service) -> bool:
                        process = found.running[service]
                        assert process.poll() is None, found.logs[service].read_text()
                        try:
                            answer = await client.get(f"{found.operations[service]}/readyz")
                        except httpx.TransportError:
                            return False
                        return answer.status_code == 200

                    await eventually(ready, timeout=60, interval=0.2)
            yield found
        finally:
            found.stop()
            nats.stop()


async def test_every_service_process_answers_health_readiness_and_metrics_on_its_own_port(
    processes: Processes,
) -> None:
    async with httpx.AsyncClient(timeout=5) as client:
        for service, url in processes.operations.items():
            alive = await client.get(f"{url}/healthz")
            assert alive.status_code == 200
            assert alive.json() == {"status": "ok", "service": service}
            ready = await client.get(f"{url}/readyz")
            assert ready.status_code == 200, ready.text
            assert set(ready.json()["checks"].values()) == {"ok"}
            metrics = await client.get(f"{url}/metrics")
            assert metrics.status_code == 200
            assert total(metrics.text, "danvan_up", service=service, dependency="nats") == 1
            assert total(metrics.text, "process_resident_memory_bytes")
        gateway_checks = (await client.get(f"{processes.operations['gateway']}/readyz")).json()
        assert set(gateway_checks["checks"]) == {"nats", *DATA_SERVICES}


async def test_one_request_is_one_trace_across_the_gateway_and_the_services_it_reached(
    processes: Processes,
) -> None:
    token = issue_token(SECRET, unit="01", roles=[Role.OFFICER], sub="tracer")
    async with httpx.AsyncClient(base_url=processes.gateway, timeout=10) as client:
        reply = await client.post(
            "/api/v1/models",
            json={"name": "Bóng đèn an ninh", "field": "defence_security", "unit_code": "00292"},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert reply.status_code == 201, reply.text
    receiver = processes.receiver

    def request_trace() -> str | None:
        for span in receiver.spans():
            if (
                span.service == "danvan-gateway"
                and span.kind == SPAN_KIND_SERVER
                and span.name == "POST /api/v1/models"
            ):
                return span.trace_id
        return None

    def services_in_trace() -> set[str]:
        trace_id = request_trace()
        return {span.service for span in receiver.spans() if span.trace_id == trace_id}

    async def reached_reporting() -> bool:
        # The registry answered the gateway; its relay's publish reached reporting's consumer.
        return {"danvan-gateway", "danvan-registry", "danvan-reporting"} <= services_in_trace()

    await eventually(reached_reporting, timeout=30)
    names = {span.name for span in receiver.spans() if span.trace_id == request_trace()}
    assert any("rpc.registry.models.create" in name for name in names), names
    assert any(name.startswith("evt.registry.") for name in names), names


async def test_stopped_with_sigterm_each_process_exits_cleanly_and_logged_json_lines(
    processes: Processes,
) -> None:
    codes = processes.stop()
    assert codes == dict.fromkeys(SERVICES, 0)
    for service, path in processes.logs.items():
        lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        assert lines, service
        for line in lines:
            assert line["service"] == service
            assert {"time", "level", "logger", "message"} <= line.keys()
        messages = [line["message"] for line in lines]
        assert f"{service} operations endpoint: {processes.operations[service]} " in " ".join(
            messages
        )


async def test_each_process_keeps_what_it_built_at_start_out_of_later_collections(
    processes: Processes,
) -> None:
    for service, path in processes.logs.items():
        messages = [json.loads(line)["message"] for line in path.read_text().splitlines() if line]
        [kept] = [
            m
            for m in messages
            if m.endswith("objects built at start kept out of later collections")
        ]
        # The unit tree alone is tens of thousands of objects.
        assert int(kept.split()[0]) > 50_000, (service, kept)


async def test_a_service_started_inside_another_process_leaves_its_heap_alone(
    tmp_path: Path, fresh_nats: EmbeddedNats
) -> None:
    settings = Settings(home=tmp_path, nats_url=fresh_nats.url)
    await upgrade("registry", settings.database_url("registry"))
    runtime = ServiceRuntime.create("registry", settings)
    await runtime.start()
    try:
        assert gc.get_freeze_count() == 0
    finally:
        await runtime.stop()
