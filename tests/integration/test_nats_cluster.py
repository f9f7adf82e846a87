"""Compose's NATS cluster, run for real: three nats-servers from deploy/nats/nats.conf (only
the ports and the store moved, as the nodes of one host cannot share them), each in the
environment compose gives its node with the placeholders of deploy/env.example. The routes
that compose writes carry the route password, the nodes form one JetStream cluster, and the
services' users keep and read a stream on its three nodes."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import urllib.request
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TypeVar

import nats
import pytest
from nats.aio.client import Client as NatsClient
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.errors import NoStreamResponseError, ServiceUnavailableError

from danvan.bus import inbox_prefix, stream_config
from danvan.embedded import nats_server_binary
from danvan.local_platform import free_port
from tests.compose_checks import environment, resolve, services
from tests.compose_deployment import load_deployment
from tests.compose_nats_checks import nats_nodes
from tests.waiting import eventually

NATS_DIR = Path(__file__).resolve().parents[2] / "deploy" / "nats"
# What the nodes of one host cannot share: (as written in nats.conf, what it becomes).
MOVED = (r"^port: 4222$", r"^http_port: 8222$", r"^  port: 6222$", r"^  store_dir: /data$")


@dataclass
class Node:
    name: str
    client_port: int
    monitor_port: int
    cluster_port: int
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.client_port}"

    def healthy(self) -> bool:
        try:
            address = f"http://127.0.0.1:{self.monitor_port}/healthz"
            with urllib.request.urlopen(address, timeout=1) as reply:
                return bool(reply.status == 200)
        except OSError:
            return False


def node_config(node: Node, folder: Path) -> Path:
    """nats.conf with this node's ports and store, beside a copy of permissions.conf."""
    text = (NATS_DIR / "nats.conf").read_text()
    values = (
        f"port: {node.client_port}",
        f"http_port: {node.monitor_port}",
        f"  port: {node.cluster_port}",
        f"  store_dir: {folder / 'store'}",
    )
    for pattern, value in zip(MOVED, values, strict=True):
        text, count = re.subn(pattern, value, text, flags=re.MULTILINE)
        assert count == 1, f"nats.conf no longer has {pattern!r}: update this test"
    folder.mkdir(parents=True)
    (folder / "permissions.conf").write_text((NATS_DIR / "permissions.conf").read_text())
    config = folder / "nats.conf"
    config.write_text(text)
    return config


def compose_nodes() -> tuple[list[Node], dict[str, str]]:
    """The nodes with compose's environment, the routes pointed at this host's ports; and the
    password of each NATS user, from env.example."""
    deployment = load_deployment()
    variables = deployment.env_example
    found = nats_nodes(deployment.compose, variables, deployment.files)
    resolved = services(resolve(deployment.compose, variables))
    nodes = [
        Node(
            name,
            free_port(),
            free_port(),
            free_port(),
            {key: value or "" for key, value in environment(resolved[name]).items()},
        )
        for name in found
    ]
    for node in nodes:
        for other in nodes:
            for key, value in node.env.items():
                node.env[key] = value.replace(
                    f"@{other.name}:{found[other.name].cluster_port}",
                    f"@127.0.0.1:{other.cluster_port}",
                )
    passwords = {
        user: variables[f"{user.upper()}_NATS_PASSWORD"] for user in ("registry", "reporting")
    }
    return nodes, passwords


@pytest.fixture(scope="module")
def cluster(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[list[Node], dict[str, str]]]:
    folder = tmp_path_factory.mktemp("nats-cluster")
    nodes, passwords = compose_nodes()
    try:
        for node in nodes:
            config = node_config(node, folder / node.name)
            log = (folder / f"{node.name}.log").open("ab")
            node.process = subprocess.Popen(
                [str(nats_server_binary()), "-c", str(config)],
                stdout=log,
                stderr=log,
                env={"PATH": os.environ.get("PATH", ""), **node.env},
                start_new_session=True,
            )
        yield nodes, passwords
    finally:
        for node in nodes:
            if node.process is not None:
                node.process.terminate()
                node.process.wait(10)


async def connect(node: Node, user: str, password: str) -> NatsClient:
    return await nats.connect(
        node.url, user=user, password=password, inbox_prefix=inbox_prefix(user)
    )


@pytest.fixture
async def healthy_cluster(
    cluster: tuple[list[Node], dict[str, str]],
) -> tuple[list[Node], dict[str, str]]:
    """Once every node says JetStream is current: the cluster has a meta leader."""
    nodes, _ = cluster

    async def all_healthy() -> bool:
        answers = await asyncio.gather(*(asyncio.to_thread(node.healthy) for node in nodes))
        return all(answers)

    await eventually(all_healthy, timeout=30)
    return cluster


T = TypeVar("T")


async def patiently(request: Callable[[], Awaitable[T]]) -> T:
    """A JetStream request made again while it times out or finds no responder, as a service's
    start-up and its consumers wait: a cluster that has just elected its meta leader, or a
    stream that has just chosen its own, may not answer the first requests (seen: once in
    about ten runs)."""
    deadline = asyncio.get_running_loop().time() + 60
    while True:
        try:
            return await request()
        except (
            NatsTimeoutError,
            NoRespondersError,
            NoStreamResponseError,
            ServiceUnavailableError,
        ):
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.5)


async def test_the_three_nodes_keep_a_services_stream_and_another_reads_it_from_any_node(
    healthy_cluster: tuple[list[Node], dict[str, str]],
) -> None:
    nodes, passwords = healthy_cluster
    assert [node.name for node in nodes] == ["nats-1", "nats-2", "nats-3"]
    registry = await connect(nodes[0], "registry", passwords["registry"])
    reporting = await connect(nodes[2], "reporting", passwords["reporting"])
    try:
        js = registry.jetstream()
        info = await patiently(partial(js.add_stream, config=stream_config("registry", replicas=3)))
        assert info.cluster is not None
        replicas = {info.cluster.leader, *(peer.name for peer in info.cluster.replicas or [])}
        assert replicas == {"nats-1", "nats-2", "nats-3"}
        await patiently(partial(js.publish, "evt.registry.model.registered.01", b"{}"))

        follow = await patiently(
            partial(
                reporting.jetstream().pull_subscribe,
                "evt.registry.>",
                durable="reporting-figures-registry-v1",
                stream="REGISTRY",
            )
        )
        messages = await patiently(partial(follow.fetch, 1, timeout=10))
        assert [m.subject for m in messages] == ["evt.registry.model.registered.01"]
        await messages[0].ack_sync()
    finally:
        await registry.close()
        await reporting.close()
