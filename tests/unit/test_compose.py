"""The compose deployment, checked by reading its files (no Docker engine needed).

Each test runs one check of tests/compose_checks.py on the real files, expecting no problem,
and on a copy broken the way a hurried edit would break it, expecting that problem.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.compose_checks import (
    Compose,
    Deployment,
    command_problems,
    database_problems,
    dependency_problems,
    deployment_problems,
    dockerfile_problems,
    ignore_problems,
    init_script_problems,
    interpolation_problems,
    load_deployment,
    nats_problems,
    port_problems,
    postgres_volume_problems,
    secret_problems,
    setting_name_problems,
    startup_order_problems,
    startup_problems,
)


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
    service(compose, "registry")["depends_on"]["nats"] = {"condition": "service_ready"}
    service(compose, "reception")["depends_on"]["reporting"] = {"condition": "service_healthy"}
    service(compose, "migrate")["restart"] = "on-failure"
    problems = dependency_problems(compose)
    assert mentions(problems, "gateway: depends on registy, which is not a service")
    assert mentions(problems, "registry:", "unknown condition 'service_ready'")
    assert mentions(problems, "reception: waits for reporting to be healthy", "no healthcheck")
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
    service(compose, "nats")["ports"] = ["8222:8222"]
    service(compose, "gateway")["environment"]["DANVAN_GATEWAY_PORT"] = "8080"
    problems = port_problems(compose, variables)
    assert mentions(problems, "nats: publishes 8222; only the gateway may")
    assert mentions(problems, "gateway: publishes container port(s) ['8000'] but listens on 8080")
    assert mentions(problems, "gateway: its healthcheck asks port 8000 but it listens on 8080")


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
    problems = secret_problems(compose)
    assert mentions(problems, "services.postgres.environment.POSTGRES_PASSWORD")
    assert mentions(problems, "services.gateway.environment.DANVAN_JWT_SECRET")
    assert mentions(problems, "services.registry.environment", "a URL carries a password")


def test_no_secret_is_written_in_a_list_form_environment(compose: Compose) -> None:
    service(compose, "migrate")["environment"] = ["POSTGRES_PASSWORD=hunter2"]
    assert mentions(secret_problems(compose), "POSTGRES_PASSWORD is written in the file")


# ---- NATS ----------------------------------------------------------------------------------


def test_nats_is_the_tested_version_with_jetstream_on_a_volume(compose: Compose) -> None:
    assert nats_problems(compose) == []
    nats = service(compose, "nats")
    nats["image"] = "nats:2.9-alpine"
    nats["command"] = ["nats-server", "-sd", "/tmp/js", "-m", "8222"]
    problems = nats_problems(compose)
    assert mentions(problems, "nats: runs NATS 2.9-alpine")
    assert mentions(problems, "nats: JetStream is not enabled")
    assert mentions(problems, "nats: the JetStream store is not on a named volume")


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
