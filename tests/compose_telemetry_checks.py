"""Checks of what shows what the platform does, without a Docker engine: every service sends
its traces to the OpenTelemetry collector, which receives OTLP and sends them to Jaeger, and
Prometheus scrapes every service's /metrics on its operations port. They read
docker-compose.yml, deploy/otel-collector/config.yaml and deploy/prometheus/prometheus.yml
(`files`: repository path -> text, so that a test can break a copy)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import yaml

from tests.compose_checks import (
    Compose,
    Service,
    command_args,
    environment,
    mounted_file,
    option,
    resolve,
    served_services,
    services,
)
from tests.compose_running_checks import ops_port

OTLP_ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT"
OTLP_HTTP_PORT = 4318
JAEGER_OTLP_GRPC_PORT = 4317
METRICS_PATH = "/metrics"


def image_name(service: Service) -> str:
    return str(service.get("image", "")).rsplit(":", 1)[0].rsplit("/", 1)[-1]


def named_by_image(doc: Compose, *names: str) -> dict[str, Service]:
    return {name: svc for name, svc in services(doc).items() if image_name(svc) in names}


def mounted_yaml(
    name: str, service: Service, flag: str, files: Mapping[str, str]
) -> tuple[Any, str | None]:
    """The YAML file a container is told to read with `flag`, and a problem when it is not
    a file of the repository mounted into the container."""
    path = option(command_args(service) or [], flag)
    if path is None:
        return None, f"{name}: is not given its configuration ({flag})"
    source = mounted_file(service, path)
    if source is None or source not in files:
        return None, f"{name}: its configuration {path} is not a file of the repository it mounts"
    try:
        return yaml.safe_load(files[source]), None
    except yaml.YAMLError as error:
        return None, f"{name}: {source} is not YAML: {error}"


def telemetry_problems(
    doc: Compose, variables: Mapping[str, str], files: Mapping[str, str]
) -> list[str]:
    """Every service exports OTLP to the collector; the collector receives OTLP/HTTP from the
    other containers and sends its traces pipeline to Jaeger, whose OTLP receiver is on."""
    problems: list[str] = []
    resolved = services(resolve(doc, variables))
    collectors = named_by_image(doc, "opentelemetry-collector", "opentelemetry-collector-contrib")
    jaegers = named_by_image(doc, "all-in-one", "jaeger")
    if len(collectors) != 1:
        return [f"expected one OpenTelemetry collector, found {sorted(collectors) or 'none'}"]
    collector = next(iter(collectors))
    for name in served_services(doc):
        env = {key.upper(): value for key, value in environment(resolved[name]).items()}
        endpoint = urlsplit(env.get(OTLP_ENDPOINT) or "")
        if (endpoint.hostname, endpoint.port) != (collector, OTLP_HTTP_PORT):
            problems.append(
                f"{name}: {OTLP_ENDPOINT} must be http://{collector}:{OTLP_HTTP_PORT}, "
                "or its traces go nowhere"
            )
    for name in jaegers:
        enabled = environment(resolved[name]).get("COLLECTOR_OTLP_ENABLED")
        if str(enabled).lower() == "false":
            problems.append(f"{name}: its OTLP receiver is off (COLLECTOR_OTLP_ENABLED)")
    config, problem = mounted_yaml(collector, collectors[collector], "--config", files)
    if problem:
        return [*problems, problem]
    problems.extend(collector_config_problems(collector, config or {}, set(jaegers)))
    return problems


def collector_config_problems(name: str, config: Any, jaegers: set[str]) -> list[str]:
    problems: list[str] = []
    sections = {
        section: config.get(section) or {} for section in ("receivers", "processors", "exporters")
    }
    pipelines = (config.get("service") or {}).get("pipelines") or {}
    traces = pipelines.get("traces")
    if not traces:
        return [f"{name}: has no traces pipeline"]
    for section in ("receivers", "processors", "exporters"):
        for component in traces.get(section) or []:
            if component not in sections[section]:
                problems.append(
                    f"{name}: its traces pipeline names the {section[:-1]} {component}, "
                    "which is not defined"
                )
    receivers = [r for r in traces.get("receivers") or [] if str(r).split("/")[0] == "otlp"]
    if not receivers:
        problems.append(f"{name}: its traces pipeline does not receive OTLP")
    for receiver in receivers:
        http = ((sections["receivers"].get(receiver) or {}).get("protocols") or {}).get("http")
        endpoint = (http or {}).get("endpoint") or ""
        if http is None or not endpoint.startswith(("0.0.0.0:", "[::]:", ":")):
            problems.append(
                f"{name}: {receiver} does not take OTLP/HTTP from other containers "
                f"(endpoint 0.0.0.0:{OTLP_HTTP_PORT})"
            )
        elif not endpoint.endswith(f":{OTLP_HTTP_PORT}"):
            problems.append(f"{name}: {receiver} listens on {endpoint}, not {OTLP_HTTP_PORT}")
    to_jaeger = [
        exporter
        for exporter in traces.get("exporters") or []
        if str(exporter).split("/")[0] == "otlp"
        and _host_port((sections["exporters"].get(exporter) or {}).get("endpoint"))
        in {(jaeger, JAEGER_OTLP_GRPC_PORT) for jaeger in jaegers}
    ]
    if not to_jaeger:
        problems.append(f"{name}: its traces pipeline does not export OTLP to Jaeger")
    for exporter in to_jaeger:
        tls = (sections["exporters"].get(exporter) or {}).get("tls") or {}
        if tls.get("insecure") is not True:
            problems.append(f"{name}: {exporter} would speak TLS to Jaeger, which has none")
    return problems


def _host_port(endpoint: Any) -> tuple[str | None, int | None]:
    text = str(endpoint or "")
    parts = urlsplit(text if "://" in text else f"//{text}")
    return parts.hostname, parts.port


def prometheus_problems(
    doc: Compose, variables: Mapping[str, str], files: Mapping[str, str]
) -> list[str]:
    """Prometheus scrapes every service, the second copies included, at /metrics on the port
    its operations endpoint is configured with, and scrapes no host that is not a service."""
    prometheus = named_by_image(doc, "prometheus")
    if len(prometheus) != 1:
        return [f"expected one Prometheus, found {sorted(prometheus) or 'none'}"]
    name, service = next(iter(prometheus.items()))
    config, problem = mounted_yaml(name, service, "--config.file", files)
    if problem:
        return [problem]
    problems: list[str] = []
    scraped = scrape_targets(config or {})
    resolved = services(resolve(doc, variables))
    for served_name, served in served_services(doc).items():
        port = ops_port(resolved[served_name], served)
        if (served_name, port) not in scraped:
            problems.append(
                f"{served_name}: Prometheus does not scrape its /metrics at {served_name}:{port}"
            )
    for host, port in sorted(scraped):
        if host not in services(doc):
            problems.append(f"{name}: scrapes {host}:{port}, which is not a service")
    return problems


def scrape_targets(config: Mapping[str, Any]) -> set[tuple[str, str]]:
    """The (host, port) pairs whose /metrics the configuration scrapes: static targets and
    the names of DNS service discovery (A records, on its port)."""
    found: set[tuple[str, str]] = set()
    for job in config.get("scrape_configs") or []:
        if job.get("metrics_path", METRICS_PATH) != METRICS_PATH:
            continue
        for static in job.get("static_configs") or []:
            for target in static.get("targets") or []:
                host, _, port = str(target).rpartition(":")
                found.add((host, port))
        for dns in job.get("dns_sd_configs") or []:
            if dns.get("type", "SRV") == "A":
                found.update((str(host), str(dns.get("port"))) for host in dns.get("names") or [])
    return found
