"""The compose deployment as the repository holds it, and every check of it (no Docker engine
needed): tests/compose_checks.py and the compose_*_checks modules beside it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tests.compose_checks import (
    COMPOSE_FILE,
    DOCKERFILE,
    DOCKERIGNORE,
    ENV_EXAMPLE,
    GITIGNORE,
    INIT_DIR,
    ROOT,
    Compose,
    command_problems,
    database_problems,
    dependency_problems,
    dockerfile_problems,
    ignore_problems,
    init_script_problems,
    interpolation_problems,
    load_compose,
    parse_env_file,
    port_problems,
    postgres_volume_problems,
    secret_problems,
    setting_name_problems,
    startup_order_problems,
    startup_problems,
)
from tests.compose_nats_checks import nats_client_problems, nats_cluster_problems
from tests.compose_running_checks import (
    health_problems,
    limit_problems,
    mount_problems,
    restart_problems,
    scale_out_problems,
)
from tests.compose_telemetry_checks import prometheus_problems, telemetry_problems

DEPLOY_DIR = ROOT / "deploy"


@dataclass(frozen=True)
class Deployment:
    compose: Compose  # as parsed, before interpolation
    env_example: dict[str, str]
    dockerfile: str
    dockerignore: str
    gitignore: str
    init_scripts: dict[str, str]  # file name -> text
    files: dict[str, str]  # every file under deploy/: repository path -> text


def load_deployment() -> Deployment:
    return Deployment(
        compose=load_compose(COMPOSE_FILE),
        env_example=parse_env_file(ENV_EXAMPLE.read_text()),
        dockerfile=DOCKERFILE.read_text(),
        dockerignore=DOCKERIGNORE.read_text(),
        gitignore=GITIGNORE.read_text(),
        init_scripts={path.name: path.read_text() for path in sorted(INIT_DIR.iterdir())},
        files=deploy_files(),
    )


def deploy_files() -> dict[str, str]:
    return {
        path.relative_to(ROOT).as_posix(): path.read_text()
        for path in sorted(DEPLOY_DIR.rglob("*"))
        if path.is_file()
    }


def deployment_problems(deployment: Deployment) -> list[str]:
    """Every check, on one deployment."""
    doc, variables, files = deployment.compose, deployment.env_example, deployment.files
    return [
        *command_problems(doc),
        *setting_name_problems(doc),
        *startup_problems(doc, variables),
        *interpolation_problems(doc, variables),
        *dependency_problems(doc),
        *startup_order_problems(doc, variables),
        *port_problems(doc, variables),
        *database_problems(doc, variables),
        *secret_problems(doc),
        *init_script_problems(doc, variables, deployment.init_scripts),
        *postgres_volume_problems(doc, variables),
        *nats_cluster_problems(doc, variables, files),
        *nats_client_problems(doc, variables, files),
        *health_problems(doc, variables),
        *restart_problems(doc),
        *limit_problems(doc),
        *scale_out_problems(doc),
        *mount_problems(doc),
        *telemetry_problems(doc, variables, files),
        *prometheus_problems(doc, variables, files),
        *dockerfile_problems(deployment.dockerfile),
        *ignore_problems(deployment.dockerignore, deployment.gitignore),
    ]


def with_file(deployment: Deployment, path: str, text: str) -> Mapping[str, str]:
    """The deployment's files with `path` holding `text` instead: a broken copy."""
    return {**deployment.files, path: text}
