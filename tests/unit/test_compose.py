"""The compose deployment, checked by reading its files (no Docker engine needed).

Each test runs one check of tests/compose_checks.py (or of the compose_*_checks modules beside
it) on the real files, expecting no problem, and on a copy broken the way a hurried edit would
break it, expecting that problem.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.compose_checks import (
    Compose,
    command_problems,
    database_problems,
    dependency_problems,
    dockerfile_problems,
    ignore_problems,
    init_script_problems,
    interpolation_problems,
    port_problems,
    postgres_volume_problems,
    secret_problems,
    setting_name_problems,
    startup_order_problems,
    startup_problems,
)
from tests.compose_deployment import Deployment, deployment_problems, load_deployment, with_file
from tests.compose_nats_checks import (
    nats_client_problems,
    nats_cluster_problems,
    nats_server_refusals,
)
from tests.compose_running_checks import (
    health_problems,
    limit_problems,
    mount_problems,
    restart_problems,
    scale_out_problems,
)
from tests.compose_telemetry_checks import prometheus_problems, telemetry_problems


@pytest.fixture(scope="module")
def deployment() -> Deployment:
    return load_deployment()


@pytest.fixture
def compose(deployment: Deployment) -> Compose:
    """A copy of the parsed compose file that a test may break."""
    return copy.deepcopy(deployment.compose)


def service(doc: Compose, name: str) -> dict[str, Any]:
    found: dict[str, Any] = doc["services"][name]
    return found


def mentions(problems: list[str], *words: str) -> bool:
    return any(all(word in problem for word in words) for problem in problems)


def test_the_deployment_has_no_problem(deployment: Deployment) -> None:
    assert deployment_problems(deployment) == []


# ---- commands ------------------------------------------------------------------------------


def test_every_danvan_container_runs_a_command_the_cli_accepts(compose: Compose) -> None:
    assert command_problems(compose) == []


@pytest.mark.parametrize(
    ("name", "command", "culprit"),
    [
        ("registry", ["serve", "registy"], "registy"),
        ("registry", ["serv", "registry"], "serv"),
        ("gateway", "serve gateway --port 8000", "--port"),
        ("migrate", ["migrate", "registry", "gateway"], "gateway"),
        ("reporting", ["serve"], "Missing argument"),
    ],
)
def test_a_mistyped_danvan_command_is_caught(
    compose: Compose, name: str, command: str | list[str], culprit: str
) -> None:
    service(compose, name)["command"] = command
    assert mentions(command_problems(compose), f"{name}:", culprit)


def test_a_danvan_container_without_a_command_is_caught(compose: Compose) -> None:
    del service(compose, "reception")["command"]
    assert mentions(command_problems(compose), "reception:", "runs no danvan command")


# ---- settings and the env file -------------------------------------------------------------


def test_every_danvan_variable_is_a_setting_danvan_reads(compose: Compose) -> None:
    assert setting_name_problems(compose) == []
    service(compose, "registry")["environment"]["DANVAN_REGISTY_DATABASE_URL"] = "x"
    service(compose, "gateway")["environment"]["danvan_rpc_timeout"] = "3"  # case-insensitive
    assert setting_name_problems(compose) == [
        "registry: DANVAN_REGISTY_DATABASE_URL is not a setting danvan reads"
    ]


def test_every_danvan_service_has_what_production_settings_require(
    compose: Compose, deployment: Deployment
) -> None:
    assert startup_problems(compose, deployment.env_example) == []
    short_secret = {**deployment.env_example, "JWT_SECRET": "too-short"}
    assert mentions(startup_problems(compose, short_secret), "gateway:", "at least 32")
    del service(compose, "reporting")["environment"]["DANVAN_REPORTING_DATABASE_URL"]
    problems = startup_problems(compose, deployment.env_example)
    assert mentions(problems, "reporting:", "DANVAN_REPORTING_DATABASE_URL is required")


def test_the_gateway_starts_with_an_identity_providers_jwks_url_instead_of_a_secret(
    compose: Compose, deployment: Deployment
) -> None:
    jwks_url = "https://idp.example.org/realms/danvan/protocol/openid-connect/certs"
    provider = {**deployment.env_example, "JWT_SECRET": "", "JWT_JWKS_URL": jwks_url}
    assert startup_problems(compose, provider) == []
    plain = {**provider, "JWT_JWKS_URL": jwks_url.replace("https", "http")}
    assert mentions(startup_problems(compose, plain), "gateway:", "must be an https URL")
    neither = {**provider, "JWT_JWKS_URL": ""}
    assert mentions(startup_problems(compose, neither), "gateway:", "DANVAN_JWT_JWKS_URL, or a")
    hs256 = {**provider, "JWT_ALGORITHMS": "RS256,HS256"}
    assert mentions(startup_problems(compose, hs256), "gateway: would not start", "'HS256'")


def test_every_interpolated_variable_is_documented_in_env_example(
    compose: Compose, deployment: Deployment
) -> None:
    documented = deployment.env_example
    assert interpolation_problems(compose, documented) == []
    service(compose, "gateway")["environment"]["DANVAN_LOG_LEVEL"] = "${LOG_LEVEL:-INFO}"
    service(compose, "postgres")["environment"]["POSTGRES_PASSWORD"] = "${POSTGRES_PASSWORD}"
    problems = interpolation_problems(compose, documented)
    assert mentions(problems, "LOG_LEVEL is not documented in deploy/env.example")
    assert mentions(problems, "becomes empty when POSTGRES_PASSWORD is unset")


def test_env_example_documents_no_stale_variable_and_no_real_secret(
    compose: Compose, deployment: Deployment
) -> None:
    documented = {**deployment.env_example, "OLD_SETTING": "1", "JWT_SECRET": "s3cr3t" * 8}
    problems = interpolation_problems(compose, documented)
    assert mentions(problems, "OLD_SETTING, which the compose file never uses")
    assert mentions(problems, "JWT_SECRET should be a placeholder")


# ---- start-up order ------------------------------------------------------------------------


def test_every_dependency_names_a_service_with_a_condition_that_can_be_met(
    compose: Compose,
) -> None:
    assert dependency_problems(compose) == []
    service(compose, "gateway")["depends_on"]["registy"] = {"condition": "service_started"}
    service(compose, "registry")["depends_on"]["nats-1"] = {"condition": "service_ready"}
    service(compose, "reception")["depends_on"]["jaeger"] = {"condition": "service_healthy"}
    service(compose, "migrate")["restart"] = "on-failure"
    problems = dependency_problems(compose)
    assert mentions(problems, "gateway: depends on registy, which is not a service")
    assert mentions(problems, "registry:", "unknown condition 'service_ready'")
    assert mentions(problems, "reception: waits for jaeger to be healthy", "no healthcheck")
    assert mentions(problems, "waits for migrate to complete, but migrate restarts")


def test_services_that_use_the_database_start_after_the_migrations(
    compose: Compose, deployment: Deployment
) -> None:
    variables = deployment.env_example
    assert startup_order_problems(compose, variables) == []
    del service(compose, "reporting")["depends_on"]["migrate"]
    assert mentions(
        startup_order_problems(compose, variables),
        "reporting: uses a database but does not wait for migrate to complete",
    )


def test_the_migrations_wait_for_a_healthy_postgres(
    compose: Compose, deployment: Deployment
) -> None:
    service(compose, "migrate")["depends_on"] = ["postgres"]
    service(compose, "registry")["environment"]["DANVAN_NATS_URL"] = "nats://nast:4222"
    problems = startup_order_problems(compose, deployment.env_example)
    assert mentions(problems, "migrate: reaches postgres without waiting for it to be healthy")
    assert mentions(problems, "registry: reaches nast, which is not a service")


# ---- ports ---------------------------------------------------------------------------------


def test_only_the_gateway_publishes_a_port_and_it_is_the_one_it_listens_on(
    compose: Compose, deployment: Deployment
) -> None:
    variables = deployment.env_example
    assert port_problems(compose, variables) == []
    service(compose, "nats-1")["ports"] = ["8222:8222"]
    service(compose, "gateway")["environment"]["DANVAN_GATEWAY_PORT"] = "8080"
    problems = port_problems(compose, variables)
    assert mentions(problems, "nats-1: publishes 8222 beyond the host's loopback")
    assert mentions(problems, "gateway: publishes container port(s) ['8000'] but listens on 8080")


def test_operators_pages_are_published_on_the_hosts_loopback_only(
    compose: Compose, deployment: Deployment
) -> None:
    service(compose, "jaeger")["ports"] = ["16686:16686"]
    service(compose, "prometheus")["ports"] = ["0.0.0.0:9090:9090"]
    problems = port_problems(compose, deployment.env_example)
    assert mentions(problems, "jaeger: publishes 16686 beyond the host's loopback")
    assert mentions(problems, "prometheus: publishes 9090 beyond the host's loopback")


def test_the_second_gateway_publishes_a_port_of_its_own(
    compose: Compose, deployment: Deployment
) -> None:
    service(compose, "gateway-2")["ports"] = ["${GATEWAY_PUBLISH:-127.0.0.1:8000}:8000"]
    assert mentions(
        port_problems(compose, deployment.env_example),
        "gateway-2: publishes the host's port 8000, as gateway does",
    )


def test_the_gateway_listens_on_every_address_of_its_container(
    compose: Compose, deployment: Deployment
) -> None:
    del service(compose, "gateway")["environment"]["DANVAN_GATEWAY_HOST"]
    assert mentions(port_problems(compose, deployment.env_example), "DANVAN_GATEWAY_HOST")


# ---- databases -----------------------------------------------------------------------------


def test_the_gateway_gets_no_database_url(compose: Compose, deployment: Deployment) -> None:
    variables = deployment.env_example
    assert database_problems(compose, variables) == []
    registry_url = service(compose, "registry")["environment"]["DANVAN_REGISTRY_DATABASE_URL"]
    service(compose, "gateway")["environment"]["DANVAN_REGISTRY_DATABASE_URL"] = registry_url
    assert mentions(
        database_problems(compose, variables),
        "gateway: is given a database URL; only the data services need one",
    )


def test_each_data_service_uses_its_own_database_and_role(
    compose: Compose, deployment: Deployment
) -> None:
    variables = deployment.env_example
    environment = service(compose, "reporting")["environment"]
    environment["DANVAN_REPORTING_DATABASE_URL"] = environment[
        "DANVAN_REPORTING_DATABASE_URL"
    ].replace("@postgres:5432/reporting", "@postgres:5432/registry")
    problems = database_problems(compose, variables)
    assert mentions(problems, "registry and reporting share the database registry")
    assert mentions(problems, "migrate: migrates a different database for reporting")
    assert mentions(problems, "reporting-2: uses another database for reporting than reporting")


def test_a_data_service_without_its_database_url_is_caught(
    compose: Compose, deployment: Deployment
) -> None:
    del service(compose, "reception")["environment"]["DANVAN_RECEPTION_DATABASE_URL"]
    assert mentions(
        database_problems(compose, deployment.env_example),
        "reception: has no DANVAN_RECEPTION_DATABASE_URL",
        "SQLite",
    )


def test_postgres_init_script_creates_exactly_the_databases_the_urls_name(
    compose: Compose, deployment: Deployment
) -> None:
    variables, scripts = deployment.env_example, deployment.init_scripts
    assert init_script_problems(compose, variables, scripts) == []
    broken = {
        name: text.replace("create_service_database reception", "# reception")
        + 'create_service_database audit "${AUDIT_DB_PASSWORD:?}"\n'
        for name, text in scripts.items()
    }
    problems = init_script_problems(compose, variables, broken)
    assert mentions(problems, "does not create the database reception")
    assert mentions(problems, "creates audit, which no service uses")
    assert mentions(problems, "postgres: the init script needs AUDIT_DB_PASSWORD")


def test_postgres_runs_the_init_script(compose: Compose, deployment: Deployment) -> None:
    service(compose, "postgres")["volumes"] = ["postgres-data:/var/lib/postgresql/data"]
    problems = init_script_problems(compose, deployment.env_example, deployment.init_scripts)
    assert mentions(problems, "postgres: does not mount deploy/postgres/init")
    assert postgres_volume_problems(compose, deployment.env_example) == []
    service(compose, "postgres")["volumes"] = []
    assert mentions(
        postgres_volume_problems(compose, deployment.env_example),
        "postgres: its data (/var/lib/postgresql/data) is not on a named volume",
    )


# ---- secrets -------------------------------------------------------------------------------


def test_no_secret_is_written_in_the_compose_file(compose: Compose) -> None:
    assert secret_problems(compose) == []
    service(compose, "postgres")["environment"]["POSTGRES_PASSWORD"] = "hunter2"
    service(compose, "gateway")["environment"]["DANVAN_JWT_SECRET"] = "${JWT_SECRET:-dev-secret}"
    service(compose, "registry")["environment"]["DANVAN_REGISTRY_DATABASE_URL"] = (
        "postgresql+asyncpg://registry:hunter2@postgres:5432/registry"
    )
    service(compose, "gateway")["environment"]["DANVAN_NATS_PASSWORD"] = "hunter2"
    service(compose, "nats-1")["environment"]["NATS_ROUTE_2"] = "nats://route:hunter2@nats-2:6222"
    problems = secret_problems(compose)
    assert mentions(problems, "services.gateway.environment.DANVAN_NATS_PASSWORD")
    assert mentions(problems, "services.nats-1.environment", "a URL carries a password")
    assert mentions(problems, "services.postgres.environment.POSTGRES_PASSWORD")
    assert mentions(problems, "services.gateway.environment.DANVAN_JWT_SECRET")
    assert mentions(problems, "services.registry.environment", "a URL carries a password")


def test_no_secret_is_written_in_a_list_form_environment(compose: Compose) -> None:
    service(compose, "migrate")["environment"] = ["POSTGRES_PASSWORD=hunter2"]
    assert mentions(secret_problems(compose), "POSTGRES_PASSWORD is written in the file")


# ---- the NATS cluster ----------------------------------------------------------------------

NATS_CONF = "deploy/nats/nats.conf"
PERMISSIONS = "deploy/nats/permissions.conf"


def test_three_nats_nodes_route_to_each_other_with_the_route_password(
    compose: Compose, deployment: Deployment
) -> None:
    variables, files = deployment.env_example, deployment.files
    assert nats_cluster_problems(compose, variables, files) == []
    del service(compose, "nats-1")["environment"]["NATS_ROUTE_3"]
    service(compose, "nats-2")["environment"]["NATS_ROUTE_3"] = "nats://nats-3:6222"
    problems = nats_cluster_problems(compose, variables, files)
    assert mentions(problems, "nats-1: deploy/nats/nats.conf reads $NATS_ROUTE_3, which compose")
    assert mentions(problems, "nats-1: has no route to nats-3 (nats-3:6222)")
    assert mentions(problems, "nats-2: its route to nats-3 does not carry the route password")
    del compose["services"]["nats-3"]
    assert mentions(
        nats_cluster_problems(compose, variables, files),
        "expected 3 NATS nodes, found ['nats-1', 'nats-2']",
    )


def test_a_cluster_whose_routes_take_no_password_is_caught(
    compose: Compose, deployment: Deployment
) -> None:
    conf = deployment.files[NATS_CONF]
    block = "  authorization {\n    user: route\n    password: $NATS_ROUTE_PASSWORD\n  }\n"
    assert block in conf
    files = with_file(deployment, NATS_CONF, conf.replace(block, ""))
    problems = nats_cluster_problems(compose, deployment.env_example, files)
    assert mentions(problems, "nats-1: its routes take no password", "sees every message")
    written = conf.replace("password: $NATS_ROUTE_PASSWORD", "password: hunter2")
    files = with_file(deployment, NATS_CONF, written)
    problems = nats_cluster_problems(compose, deployment.env_example, files)
    assert mentions(problems, "nats-2: the route password is written in deploy/nats/nats.conf")


def test_each_nats_node_has_its_name_and_a_jetstream_store_of_its_own(
    compose: Compose, deployment: Deployment
) -> None:
    service(compose, "nats-2")["environment"]["NATS_SERVER_NAME"] = "nats-1"
    service(compose, "nats-3")["volumes"][0] = "nats-1-data:/data"
    problems = nats_cluster_problems(compose, deployment.env_example, deployment.files)
    assert mentions(problems, "nats-2: is named 'nats-1', as nats-1 is")
    assert mentions(problems, "nats-3: keeps its JetStream store on nats-1-data, as nats-1 does")
    conf = deployment.files[NATS_CONF].replace("store_dir: /data", "store_dir: /tmp/js")
    problems = nats_cluster_problems(
        compose, deployment.env_example, with_file(deployment, NATS_CONF, conf)
    )
    assert mentions(problems, "nats-1: the JetStream store (/tmp/js) is not on a named volume")


def test_nats_is_the_tested_version_and_healthy_once_jetstream_is_current(
    compose: Compose, deployment: Deployment
) -> None:
    service(compose, "nats-1")["image"] = "nats:2.9-alpine"
    test = service(compose, "nats-2")["healthcheck"]["test"]
    test[-1] += "?js-enabled-only=true"
    service(compose, "nats-3")["healthcheck"]["test"] = ["CMD", "true"]
    problems = nats_cluster_problems(compose, deployment.env_example, deployment.files)
    assert mentions(problems, "nats-1: runs NATS 2.9-alpine")
    assert mentions(problems, "nats-2: its healthcheck passes before JetStream is current")
    assert mentions(problems, "nats-3: its healthcheck must ask /healthz on the monitoring port")


def test_every_nats_node_reads_the_shared_permissions_file(
    compose: Compose, deployment: Deployment
) -> None:
    conf = deployment.files[NATS_CONF].replace("include permissions.conf", "")
    problems = nats_cluster_problems(
        compose, deployment.env_example, with_file(deployment, NATS_CONF, conf)
    )
    assert mentions(problems, "nats-3: its configuration does not include", PERMISSIONS)
    service(compose, "nats-2")["volumes"][1] = "./deploy/nats-old:/etc/nats:ro"
    problems = nats_cluster_problems(compose, deployment.env_example, deployment.files)
    assert mentions(problems, "nats-2: its configuration /etc/nats/nats.conf is not a file")
    assert mentions(mount_problems(compose), "nats-2: mounts ./deploy/nats-old", "does not exist")


def test_nats_server_accepts_each_nodes_configuration_in_the_environment_compose_gives_it(
    compose: Compose, deployment: Deployment
) -> None:
    assert nats_server_refusals(compose, deployment.env_example) == []
    del service(compose, "nats-2")["environment"]["GATEWAY_NATS_PASSWORD"]
    problems = nats_server_refusals(compose, deployment.env_example)
    assert mentions(problems, "nats-2: nats-server refuses", "GATEWAY_NATS_PASSWORD")
    assert mentions(
        nats_cluster_problems(compose, deployment.env_example, deployment.files),
        "nats-2: deploy/nats/nats.conf reads $GATEWAY_NATS_PASSWORD, which compose does not",
    )


def test_every_service_connects_to_every_node_as_its_own_nats_user(
    compose: Compose, deployment: Deployment
) -> None:
    variables, files = deployment.env_example, deployment.files
    assert nats_client_problems(compose, variables, files) == []
    service(compose, "gateway")["environment"]["DANVAN_NATS_USER"] = "admin"
    reception = service(compose, "reception")["environment"]
    reception["DANVAN_NATS_URL"] = "nats://nats-1:4222,nats://nats-2:4222"
    reporting = service(compose, "reporting")["environment"]
    reporting["DANVAN_NATS_PASSWORD"] = "${REGISTRY_NATS_PASSWORD:?see deploy/env.example}"
    service(compose, "registry")["environment"]["DANVAN_STREAM_REPLICAS"] = "1"
    del service(compose, "migrate")["environment"]["DANVAN_NATS_USER"]
    problems = nats_client_problems(compose, variables, files)
    assert mentions(problems, "gateway: connects as the NATS user admin, not as gateway")
    assert mentions(problems, "reception: DANVAN_NATS_URL does not name the NATS node nats-3:4222")
    assert mentions(
        problems,
        "reporting: its DANVAN_NATS_PASSWORD is not the password nats-1 gives the user reporting",
    )
    assert mentions(problems, "registry: keeps its stream on 1 node(s) of 3")
    assert mentions(problems, "migrate: connects to NATS without a user")


def test_every_nats_user_has_a_password_from_the_environment(
    compose: Compose, deployment: Deployment
) -> None:
    permissions = deployment.files[PERMISSIONS]
    broken = permissions.replace("user: subscriber", "user: outsider").replace(
        "password: $GATEWAY_NATS_PASSWORD", 'password: "hunter2"'
    )
    problems = nats_client_problems(
        compose, deployment.env_example, with_file(deployment, PERMISSIONS, broken)
    )
    assert mentions(problems, "deploy/nats/permissions.conf defines no user subscriber")
    assert mentions(problems, "the password of gateway is written in the file")


# ---- health, restarts, limits, copies --------------------------------------------------------


def test_every_service_is_healthy_when_its_operations_endpoint_is_ready(
    compose: Compose, deployment: Deployment
) -> None:
    variables = deployment.env_example
    assert health_problems(compose, variables) == []
    registry = service(compose, "registry")["healthcheck"]["test"]
    registry[-1] = registry[-1].replace(":9101/", ":9102/")
    del service(compose, "gateway")["environment"]["DANVAN_OPS_HOST"]
    service(compose, "reception")["healthcheck"]["test"] = [
        "CMD", "curl", "-f", "http://127.0.0.1:9102/readyz"
    ]  # fmt: skip
    del service(compose, "reporting")["healthcheck"]
    problems = health_problems(compose, variables)
    assert mentions(problems, "registry: its healthcheck asks port 9102", "is on 9101")
    assert mentions(problems, "gateway: DANVAN_OPS_HOST must be 0.0.0.0")
    assert mentions(problems, "reception: its healthcheck uses a program the image lacks")
    assert mentions(problems, "reporting: its healthcheck does not ask /readyz")


def test_every_container_but_the_migration_restarts(compose: Compose) -> None:
    assert restart_problems(compose) == []
    del service(compose, "jaeger")["restart"]
    service(compose, "registry-2")["restart"] = "no"
    problems = restart_problems(compose)
    assert mentions(problems, "jaeger: restart policy '' does not bring it back")
    assert mentions(problems, "registry-2: restart policy 'no' does not bring it back")


def test_every_container_has_limits_that_fit_a_two_core_server(compose: Compose) -> None:
    assert limit_problems(compose) == []
    del service(compose, "prometheus")["deploy"]
    service(compose, "gateway")["deploy"]["resources"]["limits"]["cpus"] = "4"
    service(compose, "postgres")["deploy"]["resources"]["limits"]["memory"] = "6G"
    problems = limit_problems(compose)
    assert mentions(problems, "prometheus: has no CPU and memory limits")
    assert mentions(problems, "gateway: a CPU limit of 4 on a 2-core server")
    assert mentions(problems, "the memory limits add up to", "more than the server's 8 GiB")


def test_the_scale_out_profile_runs_a_second_copy_of_each_service(compose: Compose) -> None:
    assert scale_out_problems(compose) == []
    del compose["services"]["reporting-2"]
    service(compose, "gateway-2")["environment"]["DANVAN_RPC_TIMEOUT"] = "30"
    service(compose, "registry")["depends_on"]["reception-2"] = {"condition": "service_started"}
    problems = scale_out_problems(compose)
    assert mentions(problems, "the profile scale-out has no second copy of reporting")
    assert mentions(problems, "gateway-2: differs from gateway in environment")
    assert mentions(problems, "registry: depends on reception-2, which runs only in the profile")


# ---- traces and metrics ----------------------------------------------------------------------

COLLECTOR_CONF = "deploy/otel-collector/config.yaml"
PROMETHEUS_CONF = "deploy/prometheus/prometheus.yml"


def test_every_service_sends_its_traces_through_the_collector_to_jaeger(
    compose: Compose, deployment: Deployment
) -> None:
    variables, files = deployment.env_example, deployment.files
    assert telemetry_problems(compose, variables, files) == []
    del service(compose, "reception-2")["environment"]["OTEL_EXPORTER_OTLP_ENDPOINT"]
    service(compose, "jaeger")["environment"]["COLLECTOR_OTLP_ENABLED"] = "false"
    problems = telemetry_problems(compose, variables, files)
    assert mentions(problems, "reception-2: OTEL_EXPORTER_OTLP_ENDPOINT must be", "4318")
    assert mentions(problems, "jaeger: its OTLP receiver is off")


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("endpoint: 0.0.0.0:4318", "endpoint: localhost:4318", "does not take OTLP/HTTP from"),
        ("endpoint: jaeger:4317", "endpoint: jaegr:4317", "does not export OTLP to Jaeger"),
        ("exporters: [otlp/jaeger]", "exporters: [otlp/jaegr]", "the exporter otlp/jaegr, which"),
        ("      insecure: true\n", "      insecure: false\n", "would speak TLS to Jaeger"),
        ("receivers: [otlp]", "receivers: []", "its traces pipeline does not receive OTLP"),
    ],
)
def test_a_broken_collector_configuration_is_caught(
    compose: Compose, deployment: Deployment, old: str, new: str, problem: str
) -> None:
    conf = deployment.files[COLLECTOR_CONF]
    assert old in conf
    files = with_file(deployment, COLLECTOR_CONF, conf.replace(old, new))
    assert mentions(telemetry_problems(compose, deployment.env_example, files), problem)


def test_prometheus_scrapes_every_service_at_its_operations_port(
    compose: Compose, deployment: Deployment
) -> None:
    variables, files = deployment.env_example, deployment.files
    assert prometheus_problems(compose, variables, files) == []
    conf = files[PROMETHEUS_CONF]
    broken = conf.replace("[registry, registry-2]", "[registy, registry]")
    files_broken = with_file(deployment, PROMETHEUS_CONF, broken)
    problems = prometheus_problems(compose, variables, files_broken)
    assert mentions(problems, "registry-2: Prometheus does not scrape", "at registry-2:9101")
    assert mentions(problems, "prometheus: scrapes registy:9101, which is not a service")
    service(compose, "reporting")["environment"]["DANVAN_REPORTING_OPS_PORT"] = "9113"
    assert mentions(
        prometheus_problems(compose, variables, files),
        "reporting: Prometheus does not scrape its /metrics at reporting:9113",
    )


def test_the_observability_configurations_are_mounted_from_the_repository(
    compose: Compose, deployment: Deployment
) -> None:
    assert mount_problems(compose) == []
    volumes = service(compose, "prometheus")["volumes"]
    volumes[0] = volumes[0].replace("prometheus.yml", "prometheus.yaml")
    service(compose, "otel-collector")["command"] = ["--config=/etc/otelcol/collector.yaml"]
    variables, files = deployment.env_example, deployment.files
    assert mentions(mount_problems(compose), "prometheus: mounts ./deploy/prometheus/prometheus.y")
    assert mentions(
        telemetry_problems(compose, variables, files),
        "otel-collector: its configuration /etc/otelcol/collector.yaml is not a file",
    )


# ---- the image -----------------------------------------------------------------------------


def test_the_image_runs_danvan_as_a_non_root_user_installed_with_constraints(
    deployment: Deployment,
) -> None:
    assert dockerfile_problems(deployment.dockerfile) == []


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ('ENTRYPOINT ["danvan"]', 'ENTRYPOINT ["python", "-m", "danvan"]', "the ENTRYPOINT is"),
        ('ENTRYPOINT ["danvan"]', "ENTRYPOINT danvan", "(exec form)"),
        ("USER 10001:10001", "USER root", "runs as root"),
        ("USER 10001:10001\n", "", "runs as root"),
        ("pip install --no-deps -c constraints.txt .", "pip install .", "does not use constraints"),
        ("-c constraints.txt .", "-c constraints.txt -e '.[dev]'", "editable or development"),
        ("FROM python:3.11-slim\n", "FROM python:3.12-slim\n", "not python:3.11-slim"),
    ],
)
def test_a_broken_dockerfile_is_caught(
    deployment: Deployment, old: str, new: str, problem: str
) -> None:
    assert old in deployment.dockerfile
    assert mentions(dockerfile_problems(deployment.dockerfile.replace(old, new)), problem)


def test_secrets_and_local_state_stay_out_of_the_image_and_git(deployment: Deployment) -> None:
    assert ignore_problems(deployment.dockerignore, deployment.gitignore) == []
    dockerignore = deployment.dockerignore.replace(".env\n", "")
    gitignore = deployment.gitignore.replace(".env", "")
    problems = ignore_problems(dockerignore, gitignore)
    assert problems == [".dockerignore does not exclude .env", ".gitignore does not ignore .env"]
