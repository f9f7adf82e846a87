"""Settings from DANVAN_* environment variables, in one place for every service."""

from __future__ import annotations

import secrets
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

ServiceName = Literal["registry", "reception", "reporting", "gateway"]
DATA_SERVICES: tuple[ServiceName, ...] = ("registry", "reception", "reporting")

_MIN_SECRET_LENGTH = 32


class Settings(BaseSettings):
    """Every knob the platform reads. Each field is read from `DANVAN_<NAME>`."""

    model_config = SettingsConfigDict(env_prefix="DANVAN_", extra="ignore")

    env: Literal["development", "production"] = "development"
    # Where the embedded default keeps its files: nats-server store, SQLite databases, secret.
    home: Path = Path(".danvan")
    # An outside NATS server; when empty, `danvan run` starts its own nats-server.
    nats_url: str = ""
    gateway_host: str = "127.0.0.1"
    gateway_port: int = 8000
    # One database per service; empty means a SQLite file under `home`.
    registry_database_url: str = ""
    reception_database_url: str = ""
    reporting_database_url: str = ""
    # HS256 secret for the embedded default; generated under `home` on first run when empty.
    jwt_secret: SecretStr = SecretStr("")
    # How long the gateway waits for a service's rpc reply, in seconds.
    rpc_timeout: float = 5.0
    # How long the broker waits for in-flight handlers on shutdown, in seconds.
    graceful_timeout: float = 10.0
    log_level: str = "INFO"
    # Reception: a crowd delegation from this many people (the law's duty starts at 5).
    reception_crowd_threshold: int = 5
    # A petition is "nearly due" when an open deadline falls within this many days.
    reception_nearly_due_days: int = 5
    # Personal data of closed cases is anonymised after this many days (5 years by default).
    reception_retention_days: int = 1826
    # How often the deadline check (overdue, digests, anonymisation) runs, in seconds.
    reception_check_interval: float = 3600.0
    # Rules read only in secondary copies (DOMAIN.md, "unsure"): Decree 155/2026's working
    # days to accept a complaint, and Decree 154/2026's days before a petition is "unhandled".
    reception_acceptance_working_days: int = 7
    reception_unhandled_petition_days: int = 45
    # Where `danvan units load` keeps later reorganisations; empty means `home`/units. Every
    # service reads the same folder (compose mounts one volume into each).
    units_dir: Path | None = None
    # How often each service looks whether a reorganisation has taken effect, in seconds.
    units_check_interval: float = 60.0
    # Days a unit has to write its report once the period's data close (Decree 09: the 14th).
    reporting_report_due_days: int = 6
    # Topics of models beyond the defaults, as JSON: {"code": "Vietnamese label|English label"}.
    registry_topics: dict[str, str] = {}
    # The most rows one CSV or XLSX export of a list holds; a longer list answers 422.
    export_max_rows: int = 100_000

    def production_problems(self, service: ServiceName) -> list[str]:
        """What keeps `service` from starting in production: each process is checked for
        what it uses (only the gateway verifies tokens; only data services need a database).
        The embedded defaults (own nats-server, SQLite files, a generated secret) are for
        development only."""
        if self.env != "production":
            return []
        problems = []
        if not self.nats_url:
            problems.append("DANVAN_NATS_URL is required (no embedded nats-server)")
        if service == "gateway":
            if len(self.jwt_secret.get_secret_value()) < _MIN_SECRET_LENGTH:
                problems.append(
                    f"DANVAN_JWT_SECRET of at least {_MIN_SECRET_LENGTH} characters is required"
                )
        elif not getattr(self, f"{service}_database_url"):
            problems.append(f"DANVAN_{service.upper()}_DATABASE_URL is required (no SQLite file)")
        return problems

    def units_folder(self) -> Path:
        return self.units_dir or self.home / "units"

    def database_url(self, service: ServiceName) -> str:
        configured: str = getattr(self, f"{service}_database_url", "")
        if configured:
            return configured
        return f"sqlite+aiosqlite:///{(self.home / f'{service}.db').resolve()}"

    def running_nats_url(self) -> str | None:
        """The NATS to talk to from a command: the configured one, or the embedded one that
        `danvan run` started (it leaves its address under `home`)."""
        if self.nats_url:
            return self.nats_url
        path = running_nats_file(self.home)
        return path.read_text().strip() if path.exists() else None

    def signing_secret(self) -> str:
        """The HS256 secret: configured, or generated once and kept under `home`."""
        configured = self.jwt_secret.get_secret_value()
        if configured:
            return configured
        path = self.home / "jwt-secret"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


def running_nats_file(home: Path) -> Path:
    return home / "nats.url"


@cache
def get_settings() -> Settings:
    return Settings()
