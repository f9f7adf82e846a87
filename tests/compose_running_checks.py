"""Checks of how compose keeps the services running, without a Docker engine: health checks on
each service's operations endpoint, restart policies, resource limits that fit a province's
server, the second copies of the profile scale-out, and the files the containers mount."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from danvan.config import Settings
from tests.compose_checks import (
    ROOT,
    Compose,
    Service,
    bind_mounts,
    environment,
    healthcheck_text,
    migrators,
    profiles,
    resolve,
    served_services,
    services,
)

# A province's server: 2 cores and 8 GiB. Limits may share the cores (a service rarely uses its
# whole share for long), but the memory of what runs by default must fit, or the kernel kills.
SERVER_CPUS = 2.0
SERVER_MEMORY = 8 * 1024**3
RESTART_POLICIES = ("always", "unless-stopped", "on-failure")
SCALE_OUT = "scale-out"
# What a second copy may change: the profile it runs in, and the host's port it publishes.
COPY_MAY_DIFFER = ("profiles", "ports")

_MEMORY = re.compile(r"(?P<amount>\d+(?:\.\d+)?)\s*(?P<unit>[bkmg]?)i?b?", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def memory_bytes(value: Any) -> int | None:
    """Compose's memory sizes (`512M`, `1g`, `1.5G`, a number of bytes) in bytes."""
    match = _MEMORY.fullmatch(str(value).strip())
    if match is None:
        return None
    return int(float(match["amount"]) * _UNITS[match["unit"].lower()])


def ops_port(service: Service, served: str) -> str:
    """The port of the operations endpoint a container serves (resolved doc): the one its
    environment sets, or the setting's default."""
    env = {key.upper(): value for key, value in environment(service).items()}
    configured = env.get(f"DANVAN_{served.upper()}_OPS_PORT")
    return configured or str(Settings.model_fields[f"{served}_ops_port"].default)


def health_problems(doc: Compose, variables: Mapping[str, str]) -> list[str]:
    """Every service is healthy when its operations endpoint says it is ready: the health check
    asks /readyz on the port the service serves it on, from inside the container (the image has
    python, not curl), and the endpoint listens on every address of the container."""
    problems: list[str] = []
    resolved = services(resolve(doc, variables))
    for name, served in served_services(doc).items():
        service = resolved[name]
        env = {key.upper(): value for key, value in environment(service).items()}
        port = ops_port(service, served)
        if port == "0":
            problems.append(f"{name}: its operations endpoint is off (port 0)")
        if env.get("DANVAN_OPS_HOST") not in ("0.0.0.0", "::"):
            problems.append(
                f"{name}: DANVAN_OPS_HOST must be 0.0.0.0 for Prometheus to reach /metrics"
            )
        check = healthcheck_text(service)
        probe = re.search(r"http://(?:127\.0\.0\.1|localhost):(\d+)/readyz", check)
        if probe is None:
            problems.append(f"{name}: its healthcheck does not ask /readyz")
        elif probe[1] != port:
            problems.append(
                f"{name}: its healthcheck asks port {probe[1]}; its operations endpoint is "
                f"on {port}"
            )
        if re.search(r"\b(curl|wget)\b", check):
            problems.append(f"{name}: its healthcheck uses a program the image lacks (no curl)")
    return problems


def restart_problems(doc: Compose) -> list[str]:
    """Every container but the one-shot migration comes back after it exits (a crash, a
    reorganisation's restart, the host's reboot)."""
    problems: list[str] = []
    for name, service in services(doc).items():
        if name in migrators(doc):
            continue
        policy = str(service.get("restart", "")).split(":")[0]
        if policy not in RESTART_POLICIES:
            problems.append(f"{name}: restart policy {policy!r} does not bring it back")
    return problems


def limit_problems(doc: Compose) -> list[str]:
    """Every container has CPU and memory limits, none more than the server's cores, and the
    memory of what runs by default (not the one-shot migration, not the scale-out copies) fits
    the server."""
    problems: list[str] = []
    one_shots = set(migrators(doc))
    total = 0
    for name, service in services(doc).items():
        limits = (((service.get("deploy") or {}).get("resources") or {}).get("limits")) or {}
        cpus, memory = limits.get("cpus"), limits.get("memory")
        if cpus is None or memory is None:
            problems.append(f"{name}: has no CPU and memory limits (deploy.resources.limits)")
            continue
        try:
            share = float(cpus)
        except ValueError:
            problems.append(f"{name}: its CPU limit {cpus!r} is not a number of cores")
            share = 0.0
        if not 0 < share <= SERVER_CPUS:
            problems.append(f"{name}: a CPU limit of {cpus} on a {SERVER_CPUS:g}-core server")
        size = memory_bytes(memory)
        if size is None:
            problems.append(f"{name}: its memory limit {memory!r} is not a size")
        elif not profiles(service) and name not in one_shots:
            total += size
    if total > SERVER_MEMORY:
        problems.append(
            f"the memory limits add up to {total / 1024**3:.1f} GiB, more than the server's "
            f"{SERVER_MEMORY / 1024**3:g} GiB"
        )
    return problems


def scale_out_problems(doc: Compose) -> list[str]:
    """The profile scale-out adds a second copy of each service, the same as the first but for
    its profile and its published port; nothing that runs by default waits for a copy."""
    problems: list[str] = []
    defined = services(doc)
    served = served_services(doc)
    firsts = {role: name for name, role in served.items() if not profiles(defined[name])}
    copies = {name: role for name, role in served.items() if SCALE_OUT in profiles(defined[name])}
    for role, first in sorted(firsts.items()):
        mine = [name for name, copied in copies.items() if copied == role]
        if not mine:
            problems.append(f"the profile {SCALE_OUT} has no second copy of {role}")
        for copy in mine:
            differ = sorted(
                key
                for key in set(defined[first]) | set(defined[copy])
                if key not in COPY_MAY_DIFFER and defined[first].get(key) != defined[copy].get(key)
            )
            if differ:
                problems.append(f"{copy}: differs from {first} in {', '.join(differ)}")
    for name, service in defined.items():
        if profiles(service):
            continue
        for target in service.get("depends_on") or {}:
            if target in defined and profiles(defined[target]):
                problems.append(
                    f"{name}: depends on {target}, which runs only in the profile(s) "
                    f"{', '.join(profiles(defined[target]))}"
                )
    return problems


def mount_problems(doc: Compose) -> list[str]:
    """Every file or folder a container mounts from the repository exists."""
    problems: list[str] = []
    for name, service in services(doc).items():
        for target, source in bind_mounts(service).items():
            if not (ROOT / source).exists():
                problems.append(f"{name}: mounts {source} on {target}, which does not exist")
    return problems
