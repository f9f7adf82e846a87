"""Checks of the compose deployment that need no Docker engine: they read docker-compose.yml,
deploy/Dockerfile, deploy/env.example and the PostgreSQL init script (the NATS cluster, the
telemetry and the services' running are checked in the compose_*_checks modules beside this
one, and tests/compose_deployment.py runs them all).

Each check returns the problems it finds as sentences an operator would understand, and an
empty list when there are none, so that a test can run it on the real files (expecting
nothing) and on a broken copy (expecting the problem it was broken for).
"""

from __future__ import annotations

import copy
import json
import posixpath
import re
import shlex
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import typer.main
import yaml
from pydantic import ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource
from typer.core import TyperGroup

from danvan.cli import app
from danvan.config import DATA_SERVICES, Settings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
GITIGNORE = ROOT / ".gitignore"
ENV_EXAMPLE = ROOT / "deploy" / "env.example"
INIT_DIR = ROOT / "deploy" / "postgres" / "init"

PROJECT_DOCKERFILE = "deploy/Dockerfile"
INIT_MOUNT = "/docker-entrypoint-initdb.d"
POSTGRES_DATA = "/var/lib/postgresql/data"
SETTINGS_PREFIX = "DANVAN_"
CONDITIONS = ("service_started", "service_healthy", "service_completed_successfully")
SECRET_NAME = re.compile(r"PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE_KEY|API_KEY", re.IGNORECASE)
PLACEHOLDER_PREFIX = "change-me"

Compose = dict[str, Any]
Service = dict[str, Any]


def load_compose(path: Path) -> Compose:
    """The compose file as parsed. Services built from the same YAML anchors (the copies of the
    profile scale-out, say) share their parts once parsed: each gets its own copy, as compose
    holds them, so that a test may break one service and not its copy."""
    doc = yaml.safe_load(path.read_text())
    if not isinstance(doc, dict):
        raise ValueError(f"{path} is not a mapping")
    if isinstance(doc.get("services"), dict):
        doc["services"] = {name: copy.deepcopy(svc) for name, svc in doc["services"].items()}
    return doc


def parse_env_file(text: str) -> dict[str, str]:
    variables: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            variables[name.strip()] = value.strip()
    return variables


# ---- interpolation, as compose does it -----------------------------------------------------

_REFERENCE = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<braced>[^}]*)\}|(?P<named>[A-Za-z_][A-Za-z0-9_]*))"
)
_BRACED = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>.*))?", re.DOTALL)


@dataclass(frozen=True)
class Reference:
    """One `${NAME…}` in the compose file; `name` is empty when the reference is malformed."""

    text: str
    name: str
    op: str = ""
    arg: str = ""

    @property
    def required(self) -> bool:
        return self.op in ("?", ":?")

    @property
    def has_default(self) -> bool:
        return self.op in ("-", ":-")


def _reference(match: re.Match[str]) -> Reference | None:
    if match["escaped"]:
        return None
    if match["named"]:
        return Reference(match[0], match["named"])
    braced = _BRACED.fullmatch(match["braced"])
    if braced is None:
        return Reference(match[0], "")
    return Reference(match[0], braced["name"], braced["op"] or "", braced["arg"] or "")


def references(text: str) -> list[Reference]:
    return [ref for m in _REFERENCE.finditer(text) if (ref := _reference(m)) is not None]


def interpolate(text: str, variables: Mapping[str, str]) -> str:
    """The value compose would see, with `variables` as the .env file (`$$` is a `$`)."""

    def substitute(match: re.Match[str]) -> str:
        ref = _reference(match)
        if ref is None:
            return "$"
        value = variables.get(ref.name)
        if ref.op in (":-", ":?"):
            return value or (ref.arg if ref.op == ":-" else "")
        if ref.op in ("-", "?"):
            return value if value is not None else (ref.arg if ref.op == "-" else "")
        if ref.op == ":+":
            return ref.arg if value else ""
        if ref.op == "+":
            return ref.arg if value is not None else ""
        return value or ""

    return _REFERENCE.sub(substitute, text)


def resolve(node: Any, variables: Mapping[str, str]) -> Any:
    """A copy of the parsed compose file with every string interpolated."""
    if isinstance(node, str):
        return interpolate(node, variables)
    if isinstance(node, dict):
        return {key: resolve(value, variables) for key, value in node.items()}
    if isinstance(node, list):
        return [resolve(value, variables) for value in node]
    return node


def strings(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string value in the document with where it is (`services.gateway.ports[0]`)."""
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from strings(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from strings(value, f"{path}[{index}]")


# ---- reading services ----------------------------------------------------------------------


def services(doc: Compose) -> dict[str, Service]:
    found = doc.get("services") or {}
    return {name: service or {} for name, service in found.items()}


def project_image_services(doc: Compose) -> dict[str, Service]:
    """The services that run the danvan image: built from deploy/Dockerfile, or its image."""
    built = {
        name: service
        for name, service in services(doc).items()
        if isinstance(service.get("build"), dict)
        and service["build"].get("dockerfile") == PROJECT_DOCKERFILE
    }
    images = {service.get("image") for service in built.values()} - {None}
    return {
        name: service
        for name, service in services(doc).items()
        if name in built or service.get("image") in images
    }


def environment(service: Service) -> dict[str, str | None]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        pairs = [entry.partition("=") for entry in env]
        return {key: (value if sep else None) for key, sep, value in pairs}
    return {key: (None if value is None else str(value)) for key, value in env.items()}


def command_args(service: Service) -> list[str] | None:
    command = service.get("command")
    if command is None:
        return None
    if isinstance(command, str):
        return shlex.split(command)
    return [str(arg) for arg in command]


def role(service: Service) -> tuple[str, str | None]:
    """What a danvan container runs: ("serve", "registry"), ("migrate", None), ("", None)…"""
    args = command_args(service) or []
    if args[:1] == ["serve"] and len(args) >= 2:
        return "serve", args[1]
    return (args[0] if args else ""), None


def data_services(doc: Compose) -> dict[str, str]:
    """Compose service name -> the data service it serves."""
    found: dict[str, str] = {}
    for name, service in project_image_services(doc).items():
        action, served = role(service)
        if action == "serve" and served in DATA_SERVICES:
            found[name] = served
    return found


def gateways(doc: Compose) -> dict[str, Service]:
    return {
        name: service
        for name, service in project_image_services(doc).items()
        if role(service) == ("serve", "gateway")
    }


def migrators(doc: Compose) -> dict[str, Service]:
    return {
        name: service
        for name, service in project_image_services(doc).items()
        if role(service)[0] == "migrate"
    }


def migrated_services(service: Service) -> list[str]:
    args = command_args(service) or []
    return args[1:] or list(DATA_SERVICES)


def depends_on(service: Service) -> dict[str, str]:
    """Each dependency with its condition (a plain list means `service_started`)."""
    found = service.get("depends_on") or {}
    if isinstance(found, list):
        return dict.fromkeys(found, "service_started")
    return {name: (spec or {}).get("condition", "service_started") for name, spec in found.items()}


def setting_name(variable: str) -> str | None:
    """The Settings field a DANVAN_* variable sets (pydantic-settings is case-insensitive)."""
    if not variable.upper().startswith(SETTINGS_PREFIX):
        return None
    return variable[len(SETTINGS_PREFIX) :].lower()


def database_url_variable(service: str) -> str:
    return f"{SETTINGS_PREFIX}{service.upper()}_DATABASE_URL"


def database_urls(service: Service) -> dict[str, str]:
    """The data service -> database URL pairs a container is given."""
    env = {key.upper(): value for key, value in environment(service).items()}
    return {
        data_service: value
        for data_service in DATA_SERVICES
        if (value := env.get(database_url_variable(data_service)))
    }


def holds_a_database_url(service: Service) -> bool:
    for key, value in environment(service).items():
        if key.upper().endswith("DATABASE_URL"):
            return True
        if value and re.match(r"(postgres(ql)?|sqlite)(\+\w+)?://", value):
            return True
    return False


# Telemetry is best effort: a service sends to the collector but never waits for it.
TELEMETRY_PREFIX = "OTEL_"


def url_hosts(service: Service) -> set[str]:
    """The hosts named by the URLs in a container's environment (a comma-separated list of
    URLs names several), the telemetry collector's aside."""
    hosts: set[str] = set()
    for variable, value in environment(service).items():
        if not value or "://" not in value or variable.upper().startswith(TELEMETRY_PREFIX):
            continue
        for url in value.split(","):
            host = urlsplit(url.strip()).hostname
            if host:
                hosts.add(host)
    return hosts


def one_shot(service: Service) -> bool:
    # YAML 1.1 (PyYAML) reads an unquoted `no` as False; compose reads it as "no".
    return service.get("restart", "no") in ("no", False)


def has_healthcheck(service: Service) -> bool:
    check = service.get("healthcheck") or {}
    return bool(check.get("test")) and not check.get("disable", False)


def healthcheck_text(service: Service) -> str:
    test = (service.get("healthcheck") or {}).get("test") or []
    return " ".join(test) if isinstance(test, list) else str(test)


def named_volume_mounts(doc: Compose, service: Service) -> dict[str, str]:
    """Container path -> named volume, for the volumes declared at the top level."""
    declared = set(doc.get("volumes") or {})
    mounts: dict[str, str] = {}
    for entry in service.get("volumes") or []:
        if isinstance(entry, dict):
            if entry.get("type", "volume") == "volume" and entry.get("source") in declared:
                mounts[entry["target"]] = entry["source"]
            continue
        source, _, rest = str(entry).partition(":")
        target = rest.split(":")[0]
        if source in declared:
            mounts[target] = source
    return mounts


def bind_mounts(service: Service) -> dict[str, str]:
    """Container path -> host path, for bind mounts in the short syntax."""
    mounts: dict[str, str] = {}
    for entry in service.get("volumes") or []:
        if isinstance(entry, str) and entry.startswith((".", "/")):
            source, _, rest = entry.partition(":")
            mounts[rest.split(":")[0]] = source
    return mounts


def mounted_file(service: Service, container_path: str) -> str | None:
    """The repository's file (its path from the root) that a bind mount puts at
    `container_path`, the mount being the file itself or a folder above it."""
    for target, source in bind_mounts(service).items():
        folder = target.rstrip("/")
        if container_path == folder or container_path.startswith(folder + "/"):
            inside = container_path[len(folder) :].lstrip("/")
            return posixpath.normpath(posixpath.join(source, inside))
    return None


def option(args: list[str], *names: str) -> str | None:
    """The value of a command-line option, given as `--name value` or `--name=value`."""
    for index, arg in enumerate(args):
        name, equals, value = arg.partition("=")
        if name in names:
            if equals:
                return value
            if index + 1 < len(args):
                return args[index + 1]
    return None


def served_services(doc: Compose) -> dict[str, str]:
    """Compose service name -> the danvan service it runs (`danvan serve NAME`), the second
    copies of the profile scale-out included."""
    found: dict[str, str] = {}
    for name, service in project_image_services(doc).items():
        action, served = role(service)
        if action == "serve" and served is not None:
            found[name] = served
    return found


def profiles(service: Service) -> list[str]:
    return [str(profile) for profile in service.get("profiles") or []]


def published_ports(service: Service) -> list[str]:
    """The ports a container publishes on the host (resolved doc), as container ports."""
    return [target for _, _, target in published(service)]


EVERY_ADDRESS = ("", "0.0.0.0", "::")


def published(service: Service) -> list[tuple[str, str, str]]:
    """(host address, host port, container port) of each port a container publishes (resolved
    doc); the address is empty when it is every address of the host."""
    found: list[tuple[str, str, str]] = []
    for entry in service.get("ports") or []:
        if isinstance(entry, dict):
            address = str(entry.get("host_ip") or "")
            host_port = str(entry.get("published") or "")
            target = str(entry.get("target"))
        else:
            parts = str(entry).split("/")[0].rsplit(":", 2)
            target = parts[-1]
            host_port = parts[-2] if len(parts) > 1 else ""
            address = parts[0].strip("[]") if len(parts) > 2 else ""
        found.append(("" if address in EVERY_ADDRESS else address, host_port, target))
    return found


# ---- the checks ----------------------------------------------------------------------------


def danvan_command_problem(args: list[str]) -> str | None:
    """Why `danvan ARGS` would not run, parsed by the real Typer app; None when it would."""
    if not args:
        return "runs no danvan command (the image's default only prints the help)"
    command = typer.main.get_command(app)
    try:
        context = command.make_context("danvan", list(args), resilient_parsing=False)
        rest = list(args)
        while isinstance(command, TyperGroup):
            name, sub, rest = command.resolve_command(context, rest)
            if sub is None or name is None:
                return f"`danvan {shlex.join(args)}` names no command"
            context = sub.make_context(name, rest, parent=context, resilient_parsing=False)
            command = sub
    except typer.TyperException as error:
        return f"`danvan {shlex.join(args)}` is refused: {error.format_message()}"
    except (typer.Exit, typer.Abort):
        return f"`danvan {shlex.join(args)}` exits before doing any work"
    return None


def command_problems(doc: Compose) -> list[str]:
    """Every container of the danvan image runs a command the `danvan` CLI accepts."""
    problems: list[str] = []
    containers = project_image_services(doc)
    if not containers:
        problems.append(f"no service is built from {PROJECT_DOCKERFILE}")
    for name, service in containers.items():
        entrypoint = service.get("entrypoint")
        if entrypoint is not None and entrypoint not in (["danvan"], "danvan"):
            problems.append(f"{name}: replaces the image's `danvan` entrypoint with {entrypoint}")
        problem = danvan_command_problem(command_args(service) or [])
        if problem:
            problems.append(f"{name}: {problem}")
    return problems


def setting_name_problems(doc: Compose) -> list[str]:
    """Every DANVAN_* variable a container is given is a field of Settings."""
    problems: list[str] = []
    for name, service in services(doc).items():
        for variable in environment(service):
            field = setting_name(variable)
            if field is not None and field not in Settings.model_fields:
                problems.append(f"{name}: {variable} is not a setting danvan reads")
    return problems


class _SettingsFromValues(Settings):
    """Settings from the given values only, not from this test process's environment."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def startup_problems(doc: Compose, variables: Mapping[str, str]) -> list[str]:
    """Every danvan container's settings, with `variables` as .env, pass Settings' validation
    and the production checks of the service it serves (`Settings.production_problems`)."""
    problems: list[str] = []
    resolved = resolve(doc, variables)
    for name in project_image_services(doc):
        env = environment(services(resolved)[name])
        values = {
            field: value
            for variable, value in env.items()
            if (field := setting_name(variable)) in Settings.model_fields and value is not None
        }
        try:
            settings = _SettingsFromValues.model_validate(values)
        except ValidationError as error:
            reasons = "; ".join(e["msg"] for e in error.errors())
            problems.append(f"{name}: would not start: {reasons}")
            continue
        served = role(services(resolved)[name])
        if served[0] == "serve" and served[1] is not None:
            problems.extend(
                f"{name}: would not start: {problem}"
                for problem in settings.production_problems(served[1])  # type: ignore[arg-type]
            )
    return problems


def interpolation_problems(doc: Compose, documented: Mapping[str, str]) -> list[str]:
    """Every ${VAR} is documented in deploy/env.example, is required or has a default, and
    every variable documented there is used."""
    problems: list[str] = []
    used: set[str] = set()
    for path, value in strings(doc):
        for ref in references(value):
            if not ref.name:
                problems.append(f"{path}: {ref.text} is not a valid interpolation")
                continue
            used.add(ref.name)
            if ref.name not in documented:
                problems.append(f"{path}: {ref.name} is not documented in deploy/env.example")
            if not (ref.required or ref.has_default):
                problems.append(
                    f"{path}: {ref.text} becomes empty when {ref.name} is unset: "
                    f"write ${{{ref.name}:?…}} or give it a default"
                )
    for name in sorted(set(documented) - used):
        problems.append(f"deploy/env.example documents {name}, which the compose file never uses")
    for name, value in documented.items():
        if SECRET_NAME.search(name) and not value.startswith(PLACEHOLDER_PREFIX):
            problems.append(
                f"deploy/env.example: {name} should be a placeholder starting with "
                f"{PLACEHOLDER_PREFIX!r}, not a value someone might keep"
            )
    return problems


def dependency_problems(doc: Compose) -> list[str]:
    """Every depends_on names a defined service with a condition that can be met."""
    problems: list[str] = []
    defined = services(doc)
    for name, service in defined.items():
        for target, condition in depends_on(service).items():
            if target not in defined:
                problems.append(f"{name}: depends on {target}, which is not a service")
                continue
            if target == name:
                problems.append(f"{name}: depends on itself")
            if condition not in CONDITIONS:
                problems.append(f"{name}: waits for {target} with unknown condition {condition!r}")
            elif condition == "service_healthy" and not has_healthcheck(defined[target]):
                problems.append(
                    f"{name}: waits for {target} to be healthy, but it has no healthcheck"
                )
            elif condition == "service_completed_successfully" and not one_shot(defined[target]):
                problems.append(
                    f"{name}: waits for {target} to complete, but {target} restarts, "
                    "so it never does"
                )
    return problems


def startup_order_problems(doc: Compose, variables: Mapping[str, str]) -> list[str]:
    """Services that use the database start after the migrations completed; the migrations
    after PostgreSQL is healthy; every server a URL names is a service waited on, healthy."""
    problems: list[str] = []
    defined = services(doc)
    resolved = services(resolve(doc, variables))
    migrate = migrators(doc)
    if not migrate:
        problems.append("no service runs `danvan migrate`")
    for name, service in project_image_services(doc).items():
        waits_for = depends_on(service)
        after_migrations = any(
            waits_for.get(m) == "service_completed_successfully" for m in migrate
        )
        if name not in migrate and holds_a_database_url(service) and not after_migrations:
            problems.append(f"{name}: uses a database but does not wait for migrate to complete")
        for host in sorted(url_hosts(resolved[name])):
            if host not in defined:
                problems.append(f"{name}: reaches {host}, which is not a service")
            elif waits_for.get(host) != "service_healthy":
                problems.append(f"{name}: reaches {host} without waiting for it to be healthy")
    for name, service in migrate.items():
        if not one_shot(service):
            problems.append(f'{name}: runs once and must not restart (restart: "no")')
        if not database_urls(service):
            problems.append(f"{name}: is given no database URL to migrate")
    return problems


LOOPBACK = ("127.0.0.1", "::1", "localhost")


def port_problems(doc: Compose, variables: Mapping[str, str]) -> list[str]:
    """Only the gateways publish a port beyond the host's loopback (NATS monitoring stays inside
    the compose network; operators' pages such as Jaeger's are on the loopback), each the port
    it listens on, on every address; no two containers publish the same port of the host."""
    problems: list[str] = []
    resolved = resolve(doc, variables)
    gateway_names = set(gateways(doc))
    if not gateway_names:
        problems.append("no service runs the gateway")
    taken: dict[str, list[tuple[str, str]]] = {}  # host port -> (address, service)
    for name, service in services(resolved).items():
        if service.get("network_mode") == "host":
            problems.append(f"{name}: network_mode host bypasses the compose network")
        for address, host_port, target in published(service):
            if name not in gateway_names and address not in LOOPBACK:
                problems.append(
                    f"{name}: publishes {target} beyond the host's loopback; only the gateway may"
                )
            port = host_port or target
            for other_address, other in taken.get(port, []):
                if not address or not other_address or address == other_address:
                    problems.append(f"{name}: publishes the host's port {port}, as {other} does")
            taken.setdefault(port, []).append((address, name))
    for name in sorted(gateway_names):
        service = services(resolved)[name]
        env = {key.upper(): value for key, value in environment(service).items()}
        listens = env.get("DANVAN_GATEWAY_PORT") or str(
            Settings.model_fields["gateway_port"].default
        )
        if env.get("DANVAN_GATEWAY_HOST") not in ("0.0.0.0", "::"):
            problems.append(f"{name}: DANVAN_GATEWAY_HOST must be 0.0.0.0 to be reachable")
        ports = published_ports(service)
        if ports != [listens]:
            problems.append(
                f"{name}: publishes container port(s) {ports or 'none'} but listens on {listens}"
            )
    return problems


def database_problems(doc: Compose, variables: Mapping[str, str]) -> list[str]:
    """Only migrate and the data services get a database URL; each data service gets its own
    PostgreSQL database and role, the same one migrate brings up to date and its second copy
    uses."""
    problems: list[str] = []
    resolved = resolve(doc, variables)
    served = data_services(doc)
    migrate = migrators(doc)
    for name, service in services(resolved).items():
        if name not in served and name not in migrate and holds_a_database_url(service):
            problems.append(f"{name}: is given a database URL; only the data services need one")
    urls: dict[str, str] = {}
    first: dict[str, str] = {}  # data service -> the container whose URL is in `urls`
    for name, data_service in served.items():
        given = database_urls(services(resolved)[name])
        for other in sorted(set(given) - {data_service}):
            problems.append(f"{name}: is given {other}'s database URL")
        url = given.get(data_service)
        if not url:
            problems.append(
                f"{name}: has no {database_url_variable(data_service)} and would keep its data in "
                "a SQLite file inside the container"
            )
            continue
        if not urlsplit(url).scheme.startswith("postgresql"):
            problems.append(
                f"{name}: {database_url_variable(data_service)} is not a PostgreSQL URL"
            )
        if data_service in urls:
            if url != urls[data_service]:
                problems.append(
                    f"{name}: uses another database for {data_service} than {first[data_service]}"
                )
            continue
        urls[data_service] = url
        first[data_service] = name
    for data_service, url in urls.items():
        parts = urlsplit(url)
        for other, other_url in urls.items():
            if other <= data_service:
                continue
            other_parts = urlsplit(other_url)
            if (parts.hostname, parts.port, parts.path) == (
                other_parts.hostname,
                other_parts.port,
                other_parts.path,
            ):
                problems.append(f"{data_service} and {other} share the database {parts.path[1:]}")
            if parts.username == other_parts.username:
                problems.append(f"{data_service} and {other} share the role {parts.username}")
    for name, service in migrate.items():
        given = database_urls(services(resolved)[name])
        for data_service in migrated_services(service):
            if data_service not in given:
                problems.append(
                    f"{name}: migrates {data_service} but has no "
                    f"{database_url_variable(data_service)}"
                )
            elif data_service in urls and given[data_service] != urls[data_service]:
                problems.append(
                    f"{name}: migrates a different database for {data_service} than the one "
                    f"{data_service} uses"
                )
    return problems


def secret_problems(doc: Compose) -> list[str]:
    """No secret is written in the compose file: passwords and secrets are interpolated from
    .env, with no default value."""
    problems: list[str] = []

    def interpolated(value: str) -> bool:
        match = _REFERENCE.fullmatch(value)
        ref = _reference(match) if match else None
        return (
            ref is not None and bool(ref.name) and not ref.has_default and ref.op not in ("+", ":+")
        )

    for path, value in strings(doc):
        key = path.rsplit(".", 1)[-1]
        if re.search(r"environment\[\d+\]$", path):
            key, _, value = value.partition("=")  # the KEY=value list form
        if SECRET_NAME.search(key) and not interpolated(value):
            problems.append(f"{path}: {key} is written in the file; interpolate it from .env")
        for match in re.finditer(r"://[^:/@\s]+:(?P<password>\$\{[^}]*\}|[^@\s]*)@", value):
            if not interpolated(match["password"]):
                problems.append(f"{path}: a URL carries a password written in the file")
    return problems


def init_script_databases(script: str) -> dict[str, str]:
    """Database (and its owning role) -> the password variable, from the init script."""
    pattern = re.compile(r'^create_service_database\s+(\w+)\s+"\$\{(\w+)[^}]*\}"', re.MULTILINE)
    return {m[1]: m[2] for m in pattern.finditer(script)}


def init_script_problems(
    doc: Compose, variables: Mapping[str, str], scripts: Mapping[str, str]
) -> list[str]:
    """The init script creates exactly the databases the services' URLs name, each owned by the
    role the URL logs in as, with the password the URL carries; PostgreSQL runs it."""
    problems: list[str] = []
    created: dict[str, str] = {}
    for script in scripts.values():
        created.update(init_script_databases(script))
    named: dict[str, tuple[str, str]] = {}  # database -> (role, raw URL)
    hosts: set[str] = set()
    for name in {**data_services(doc), **migrators(doc)}:
        for url in database_urls(services(doc)[name]).values():
            parts = urlsplit(interpolate(url, variables))
            named[parts.path.lstrip("/")] = (parts.username or "", url)
            hosts.add(parts.hostname or "")
    for database in sorted(set(named) - set(created)):
        problems.append(f"the init script does not create the database {database}")
    for database in sorted(set(created) - set(named)):
        problems.append(f"the init script creates {database}, which no service uses")
    for database in sorted(set(named) & set(created)):
        role_name, url = named[database]
        if role_name != database:
            problems.append(
                f"{database} is owned by the role {database}, but its URL logs in as {role_name}"
            )
        if created[database] not in {ref.name for ref in references(url)}:
            problems.append(
                f"{database}: its URL does not carry {created[database]}, the password the "
                "init script gives its role"
            )
    for host in sorted(hosts):
        postgres = services(doc).get(host)
        if postgres is None:
            continue
        mounted = bind_mounts(postgres).get(INIT_MOUNT)
        if mounted is None or (ROOT / mounted).resolve() != INIT_DIR:
            problems.append(f"{host}: does not mount deploy/postgres/init on {INIT_MOUNT}")
        env = environment(postgres)
        for variable in sorted(set(created.values()) - set(env)):
            problems.append(f"{host}: the init script needs {variable}, which it is not given")
    return problems


def postgres_volume_problems(doc: Compose, variables: Mapping[str, str]) -> list[str]:
    """PostgreSQL keeps its data on a named volume."""
    problems: list[str] = []
    resolved = resolve(doc, variables)
    hosts = {
        urlsplit(url).hostname
        for name in migrators(doc)
        for url in database_urls(services(resolved)[name]).values()
    }
    for host in sorted(h for h in hosts if h):
        postgres = services(doc).get(host)
        if postgres is None:
            continue
        data = environment(postgres).get("PGDATA") or POSTGRES_DATA
        mounts = named_volume_mounts(doc, postgres)
        if not any(data == path or data.startswith(path.rstrip("/") + "/") for path in mounts):
            problems.append(f"{host}: its data ({data}) is not on a named volume")
    return problems


# ---- the Dockerfile ------------------------------------------------------------------------


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        keyword, _, rest = (pending + stripped).partition(" ")
        instructions.append((keyword.upper(), rest.strip()))
        pending = ""
    return instructions


def dockerfile_problems(text: str) -> list[str]:
    """python:3.11-slim, the project installed with constraints.txt (not editable, no dev
    extras), `danvan` as the entrypoint, and a non-root user."""
    problems: list[str] = []
    instructions = dockerfile_instructions(text)
    starts = [i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM"]
    if not starts:
        return ["the Dockerfile has no FROM"]
    final = instructions[starts[-1] :]
    base = final[0][1].split()[0]
    if not base.startswith("python:3.11-slim"):
        problems.append(f"the image is based on {base}, not python:3.11-slim")
    runs = [args for keyword, args in instructions if keyword == "RUN"]
    installs = [
        command.strip()
        for run in runs
        for command in re.split(r"&&|;|\|\|", run)
        if re.search(r"\bpip install\b", command)
    ]
    if not any(re.search(r"\s\.(\s|$)", command) for command in installs):
        problems.append("the Dockerfile never installs the project (`pip install … .`)")
    for command in installs:
        if not re.search(r"(-c|--constraint)[ =]constraints\.txt", command):
            problems.append(f"`{command}` does not use constraints.txt")
        if re.search(r"(^|\s)(-e|--editable)\s", command) or "[dev]" in command:
            problems.append(f"`{command}` installs an editable or development copy")
    if not any(k == "COPY" and "constraints.txt" in a.split() for k, a in instructions):
        problems.append("constraints.txt is never copied into the build")
    entrypoints = [args for keyword, args in final if keyword == "ENTRYPOINT"]
    try:
        entrypoint = json.loads(entrypoints[-1]) if entrypoints else None
    except json.JSONDecodeError:
        entrypoint = entrypoints[-1]
    if entrypoint != ["danvan"]:
        problems.append(f'the ENTRYPOINT is {entrypoint!r}, not ["danvan"] (exec form)')
    users = [args for keyword, args in final if keyword == "USER"]
    user = users[-1].split(":")[0] if users else "root"
    if user in ("root", "0"):
        problems.append("the image runs as root: add a USER that is not root")
    return problems


def ignore_problems(dockerignore: str, gitignore: str) -> list[str]:
    """Local state, secrets and tests stay out of the build context, and .env out of git."""
    problems: list[str] = []
    ignored = {line.strip().rstrip("/") for line in dockerignore.splitlines()}
    for entry in (".env", ".venv", ".danvan", ".git", "tests"):
        if entry not in ignored:
            problems.append(f".dockerignore does not exclude {entry}")
    if ".env" not in {line.strip() for line in gitignore.splitlines()}:
        problems.append(".gitignore does not ignore .env")
    return problems
