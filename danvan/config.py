"""Settings from DANVAN_* environment variables, in one place for every service."""

from __future__ import annotations

import secrets
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from limits import parse
from pydantic import NonNegativeFloat, PositiveFloat, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

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
    # Production tokens: when set, the gateway verifies tokens with the public keys an identity
    # provider publishes at this URL (a JWKS), and accepts no HS256 token.
    jwt_jwks_url: str = ""
    # What a JWKS-verified token may be signed with, comma-separated.
    jwt_algorithms: Annotated[tuple[str, ...], NoDecode] = ("RS256", "ES256")
    # The `iss` every token carries; the `aud` it must carry when set (when empty, a token that
    # names an audience is refused: it was meant for another application).
    jwt_issuer: str = "danvan"
    jwt_audience: str = ""
    # How long a fetched key set is trusted before it is fetched again, in seconds.
    jwt_jwks_cache_seconds: PositiveFloat = 300.0
    # The least time between two fetches, in seconds, so that tokens naming unknown keys cannot
    # make the gateway hammer the identity provider.
    jwt_jwks_refetch_seconds: NonNegativeFloat = 10.0
    # How long one fetch of the key set may take, in seconds.
    jwt_jwks_fetch_timeout: PositiveFloat = 3.0
    # How long the gateway waits for a service's rpc reply, in seconds.
    rpc_timeout: float = 5.0
    # How long the gateway waits for the parts of a view (a dashboard), in seconds: a part
    # whose service has not answered by then is left out with a warning.
    view_deadline: float = 3.0
    # How long the gateway keeps a composed view at most, in seconds (events drop it sooner),
    # and how many views it keeps.
    view_cache_seconds: float = 60.0
    view_cache_size: int = 2000
    # Requests one principal (a token's subject) may make to the gateway, e.g. "600/minute";
    # beyond that the gateway answers 429 with Retry-After.
    rate_limit: str = "600/minute"
    # Portal origins allowed to call the gateway from a browser, as JSON: ["https://…"].
    cors_origins: list[str] = []
    # The largest request body the gateway reads: a spreadsheet upload, and any other body.
    max_upload_bytes: int = 20 * 1024 * 1024
    max_body_bytes: int = 2 * 1024 * 1024
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

    @field_validator("rate_limit")
    @classmethod
    def _rate_limit_is_understood(cls, value: str) -> str:
        try:
            parse(value)
        except ValueError as error:
            raise ValueError(f"not a rate such as 600/minute: {error}") from error
        return value

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
