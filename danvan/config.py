"""Settings from DANVAN_* environment variables, in one place for every service."""

from __future__ import annotations

import secrets
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from limits import parse
from pydantic import Field, NonNegativeFloat, PositiveFloat, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from danvan.nats_once import servers_of

ServiceName = Literal["registry", "reception", "reporting", "gateway"]
DATA_SERVICES: tuple[ServiceName, ...] = ("registry", "reception", "reporting")

_MIN_SECRET_LENGTH = 32

#: What a token verified with an identity provider's published keys may be signed with: public-key
#: algorithms only, so a published key can never serve as an HMAC secret and "none" never passes.
PUBLIC_KEY_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)


class Settings(BaseSettings):
    """Every knob the platform reads. Each field is read from `DANVAN_<NAME>`."""

    model_config = SettingsConfigDict(
        env_prefix="DANVAN_", extra="ignore", use_attribute_docstrings=True
    )

    env: Literal["development", "production"] = "development"
    """`production` refuses the embedded defaults (own nats-server, SQLite files, a generated
    token secret): each process checks what it needs at start."""
    home: Path = Path(".danvan")
    """Where the embedded default keeps its files: nats-server store, SQLite databases, secret."""
    nats_url: str = ""
    """The NATS servers, comma-separated for a cluster (`nats://n1:4222,nats://n2:4222`); when
    empty, `danvan run` starts its own nats-server."""
    nats_user: str = ""
    """The NATS user this process connects as (compose gives each service its own, whose
    permissions name the subjects it may use); empty for a server without users."""
    nats_password: SecretStr = SecretStr("")
    """The password of `nats_user`."""
    stream_replicas: int = Field(default=1, ge=1, le=5)
    """How many copies of each JetStream stream a NATS cluster keeps (3 in compose's cluster);
    1 for a single nats-server."""
    max_deliver: int = Field(default=5, ge=1)
    """How many times a consumer tries an event before it sets it aside as a dead letter in the
    `DLQ` stream and goes on with the next ones (`danvan dlq` lists and retries them). A
    failure to reach the consumer's own database never makes a dead letter."""
    ack_wait_seconds: float = Field(default=30.0, gt=0)
    """How long JetStream waits for a consumer to acknowledge a batch before it delivers the
    batch again (to another copy, or after a crash). Set when a durable consumer is first
    created; a longer wait suits batches that take long to apply."""
    dead_letter_max_age_days: float = Field(default=30.0, gt=0)
    """How long the `DLQ` stream keeps a dead letter (and a retry not yet applied), in days."""
    gateway_host: str = "127.0.0.1"
    """The address the gateway's HTTP API listens on."""
    gateway_port: int = 8000
    """The port of the gateway's HTTP API."""
    ops_host: str = "127.0.0.1"
    """The address every service's operations endpoint (`/healthz`, `/readyz`, `/metrics`)
    listens on; `0.0.0.0` in a container so that Prometheus can scrape it."""
    registry_ops_port: int = Field(default=9101, ge=0, le=65535)
    """The port of the registry's operations endpoint; 0 turns it off."""
    reception_ops_port: int = Field(default=9102, ge=0, le=65535)
    """The port of reception's operations endpoint; 0 turns it off."""
    reporting_ops_port: int = Field(default=9103, ge=0, le=65535)
    """The port of reporting's operations endpoint; 0 turns it off."""
    gateway_ops_port: int = Field(default=9104, ge=0, le=65535)
    """The port of the gateway's operations endpoint; 0 turns it off."""
    registry_database_url: str = ""
    """The registry's database (SQLAlchemy URL, `postgresql+asyncpg://…` in production); empty
    means a SQLite file under `home`."""
    reception_database_url: str = ""
    """Reception's database; empty means a SQLite file under `home`."""
    reporting_database_url: str = ""
    """Reporting's database; empty means a SQLite file under `home`."""
    jwt_secret: SecretStr = SecretStr("")
    """HS256 secret for the embedded default; generated under `home` on first run when empty."""
    jwt_jwks_url: str = ""
    """Production tokens: when set, the gateway verifies tokens with the public keys an
    identity provider publishes at this URL (a JWKS), and accepts no HS256 token."""
    jwt_algorithms: Annotated[tuple[str, ...], NoDecode] = ("RS256", "ES256")
    """What a JWKS-verified token may be signed with, comma-separated."""
    jwt_issuer: str = "danvan"
    """The `iss` every token carries."""
    jwt_audience: str = ""
    """The `aud` every token must carry; when empty, a token that names an audience is refused
    (it was meant for another application)."""
    jwt_jwks_cache_seconds: PositiveFloat = 300.0
    """How long a fetched key set is trusted before it is fetched again, in seconds."""
    jwt_jwks_refetch_seconds: NonNegativeFloat = 10.0
    """The least time between two fetches, in seconds, so that tokens naming unknown keys
    cannot make the gateway hammer the identity provider."""
    jwt_jwks_fetch_timeout: PositiveFloat = 3.0
    """How long one fetch of the key set may take, in seconds."""
    rpc_timeout: float = 5.0
    """How long the gateway waits for a service's rpc reply, in seconds."""
    view_deadline: float = 3.0
    """How long the gateway waits for the parts of a view (a dashboard), in seconds: a part
    whose service has not answered by then is left out with a warning."""
    view_cache_seconds: float = 60.0
    """How long the gateway keeps a composed view at most, in seconds (events drop it
    sooner)."""
    view_cache_size: int = 2000
    """How many composed views the gateway keeps."""
    rate_limit: str = "600/minute"
    """Requests one principal (a token's subject) may make to the gateway, e.g. `600/minute`;
    beyond that the gateway answers 429 with Retry-After."""
    cors_origins: list[str] = []
    """Portal origins allowed to call the gateway from a browser, as JSON: `["https://…"]`."""
    max_upload_bytes: int = 20 * 1024 * 1024
    """The largest spreadsheet upload the gateway reads, in bytes."""
    max_body_bytes: int = 2 * 1024 * 1024
    """The largest other request body the gateway reads, in bytes."""
    graceful_timeout: PositiveFloat = 10.0
    """How long a stopping service (on SIGTERM) lets the work in hand finish, in seconds: the
    rpc requests already received, the batch of events being applied, and the gateway's HTTP
    requests. Then the outbox's last passes publish what they wrote (for as long again at
    most), and the process exits: allow it twice this and a few seconds more (compose's
    `stop_grace_period`) before it is killed. It usually takes well under a second."""
    startup_timeout: NonNegativeFloat = 0.0
    """How long a starting service waits at most, in seconds, for NATS (and JetStream) and its
    database, logging each try, before it gives up with an error and exit status 1; 0 waits
    for ever. For ever by default: compose's restart policy would only start it again to wait
    anew, and a service that waits says in its log what for; set a limit where something
    outside should see the failure."""
    log_level: str = "INFO"
    """The least level logged: DEBUG, INFO, WARNING or ERROR."""
    log_format: Literal["json", "text"] | None = None
    """How a service writes its log lines to standard output: `json` (one object per line with
    time, level, service, logger, message, and the trace and span ids of the request being
    served) or `text` (one readable line). When empty: `json` in production, `text` in
    development."""
    reception_crowd_threshold: int = 5
    """Reception: a crowd delegation from this many people (the law's duty starts at 5)."""
    reception_nearly_due_days: int = 5
    """A petition is "nearly due" when an open deadline falls within this many days."""
    reception_retention_days: int = 1826
    """Personal data of closed cases is anonymised after this many days (5 years by default)."""
    reception_check_interval: float = 3600.0
    """How often the deadline check (overdue, digests, anonymisation) runs, in seconds."""
    reception_acceptance_working_days: int = 7
    """Working days to accept a complaint (Decree 155/2026, read only in secondary copies:
    DOMAIN.md marks it unsure)."""
    reception_unhandled_petition_days: int = 45
    """Days before a petition counts as "unhandled" (Decree 154/2026, read only in secondary
    copies: DOMAIN.md marks it unsure)."""
    units_dir: Path | None = None
    """Where `danvan units load` keeps later reorganisations; empty means `home`/units. Every
    service reads the same folder (compose mounts one volume into each)."""
    units_check_interval: float = 60.0
    """How often each service looks whether a reorganisation has taken effect, in seconds."""
    reporting_report_due_days: int = 6
    """Days a unit has to write its report once the period's data close (Decree 09: the
    14th)."""
    registry_topics: dict[str, str] = {}
    """Topics of models beyond the defaults, as JSON: `{"code": "Vietnamese label|English
    label"}`."""
    export_max_rows: int = 100_000
    """The most rows one CSV or XLSX export of a list holds; a longer list answers 422."""

    @field_validator("rate_limit")
    @classmethod
    def _rate_limit_is_understood(cls, value: str) -> str:
        try:
            parse(value)
        except ValueError as error:
            raise ValueError(f"not a rate such as 600/minute: {error}") from error
        return value

    @field_validator("log_format", mode="before")
    @classmethod
    def _empty_log_format_is_the_default(cls, value: Any) -> Any:
        return None if value == "" else value

    @field_validator("jwt_jwks_url")
    @classmethod
    def _jwks_url_is_http(cls, url: str) -> str:
        parts = urlsplit(url)
        if url and (parts.scheme not in ("http", "https") or not parts.hostname):
            raise ValueError(f"{url!r} is not an http(s) URL of a JWKS")
        return url

    @field_validator("jwt_algorithms", mode="before")
    @classmethod
    def _algorithms_from_a_comma_separated_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(value.replace(",", " ").split())
        return value

    @field_validator("jwt_algorithms")
    @classmethod
    def _only_public_key_algorithms(cls, algorithms: tuple[str, ...]) -> tuple[str, ...]:
        if not algorithms:
            raise ValueError("name at least one algorithm, e.g. RS256,ES256")
        for name in algorithms:
            if name not in PUBLIC_KEY_ALGORITHMS:
                allowed = ", ".join(sorted(PUBLIC_KEY_ALGORITHMS))
                raise ValueError(
                    f"{name!r} is not accepted for tokens verified with published keys; "
                    f"use public-key algorithms only: {allowed}"
                )
        return algorithms

    @field_validator("jwt_issuer")
    @classmethod
    def _issuer_is_named(cls, issuer: str) -> str:
        if not issuer.strip():
            raise ValueError("tokens must name their issuer: set it, or leave the default")
        return issuer

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
            problems.extend(self._token_problems())
        elif not getattr(self, f"{service}_database_url"):
            problems.append(f"DANVAN_{service.upper()}_DATABASE_URL is required (no SQLite file)")
        return problems

    def _token_problems(self) -> list[str]:
        """The gateway verifies tokens with an identity provider's keys, fetched over TLS (keys
        fetched over plain HTTP could be swapped on the way), or with a strong HS256 secret."""
        if self.jwt_jwks_url:
            if urlsplit(self.jwt_jwks_url).scheme != "https":
                return ["DANVAN_JWT_JWKS_URL must be an https URL"]
            return []
        if len(self.jwt_secret.get_secret_value()) < _MIN_SECRET_LENGTH:
            return [
                f"DANVAN_JWT_JWKS_URL, or a DANVAN_JWT_SECRET of at least {_MIN_SECRET_LENGTH} "
                "characters, is required"
            ]
        return []

    def log_style(self) -> Literal["json", "text"]:
        """`log_format`, or the default of the environment."""
        if self.log_format is not None:
            return self.log_format
        return "json" if self.env == "production" else "text"

    def ops_port(self, service: ServiceName) -> int:
        """The port of `service`'s operations endpoint (0: none)."""
        port: int = getattr(self, f"{service}_ops_port")
        return port

    def nats_servers(self) -> list[str]:
        """`nats_url` as the list of a cluster's servers."""
        return servers_of(self.nats_url)

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
