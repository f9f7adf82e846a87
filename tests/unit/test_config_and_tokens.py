"""Settings and bearer tokens."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError
from typer.testing import CliRunner

from danvan.cli import app
from danvan.clock import VIETNAM, FixedClock
from danvan.config import Settings, get_settings
from danvan.contracts.rpc import Role
from danvan.tokens import (
    InvalidToken,
    JwksVerifier,
    SecretVerifier,
    issue_token,
    token_verifier,
    verify_token,
)

SECRET = "s" * 40


def test_settings_come_from_danvan_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DANVAN_GATEWAY_PORT", "8123")
    monkeypatch.setenv("DANVAN_NATS_URL", "nats://example:4222")
    settings = Settings()
    assert settings.gateway_port == 8123
    assert settings.nats_url == "nats://example:4222"


def test_each_service_gets_its_own_sqlite_file_by_default(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    assert settings.database_url("registry") == f"sqlite+aiosqlite:///{tmp_path}/registry.db"
    assert settings.database_url("reporting").endswith("/reporting.db")


def test_a_configured_database_url_wins(tmp_path: Path) -> None:
    url = "postgresql+asyncpg://registry@db/registry"
    assert Settings(home=tmp_path, registry_database_url=url).database_url("registry") == url


def test_production_gateway_refuses_a_weak_secret_and_the_embedded_nats() -> None:
    weak = Settings(env="production", nats_url="nats://n:4222", jwt_secret="short")
    assert any("JWT_SECRET" in p for p in weak.production_problems("gateway"))
    no_nats = Settings(env="production", jwt_secret=SECRET)
    assert any("NATS_URL" in p for p in no_nats.production_problems("gateway"))
    good = Settings(env="production", nats_url="nats://n:4222", jwt_secret=SECRET)
    assert good.production_problems("gateway") == []


def test_production_data_service_needs_its_database_url_but_no_token_secret() -> None:
    settings = Settings(env="production", nats_url="nats://n:4222")
    assert settings.production_problems("registry") == [
        "DANVAN_REGISTRY_DATABASE_URL is required (no SQLite file)"
    ]
    configured = settings.model_copy(update={"registry_database_url": "postgresql://r@db/r"})
    assert configured.production_problems("registry") == []


def test_development_starts_with_the_embedded_defaults() -> None:
    assert Settings().production_problems("gateway") == []
    assert Settings().production_problems("reporting") == []


def test_the_embedded_default_generates_its_secret_once(tmp_path: Path) -> None:
    first = Settings(home=tmp_path).signing_secret()
    assert len(first) >= 32
    assert Settings(home=tmp_path).signing_secret() == first
    assert (tmp_path / "jwt-secret").stat().st_mode & 0o077 == 0


def test_a_token_carries_the_principal() -> None:
    token = issue_token(SECRET, unit="00097", roles=[Role.OFFICER], sub="u1", name="Nguyễn Văn A")
    principal = verify_token(SECRET, token)
    assert principal.unit == "00097"
    assert principal.roles == (Role.OFFICER,)
    assert principal.name == "Nguyễn Văn A"


def test_a_token_signed_with_another_secret_is_refused() -> None:
    token = issue_token("x" * 40, unit="01", roles=[Role.ADMIN], sub="intruder")
    with pytest.raises(InvalidToken):
        verify_token(SECRET, token)


def test_an_expired_token_is_refused() -> None:
    token = issue_token(SECRET, unit="01", roles=[Role.VIEWER], sub="u", ttl=timedelta(seconds=-1))
    with pytest.raises(InvalidToken, match="expired"):
        verify_token(SECRET, token)


def test_a_token_without_a_unit_is_refused() -> None:
    import jwt

    token = jwt.encode({"sub": "u", "iss": "danvan", "exp": 4102444800}, SECRET, "HS256")
    with pytest.raises(InvalidToken, match="unit"):
        verify_token(SECRET, token)


# ---- production tokens (a JWKS URL) ---------------------------------------------------------

JWKS_URL = "https://idp.example.org/realms/danvan/protocol/openid-connect/certs"


def test_jwks_settings_come_from_danvan_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DANVAN_JWT_JWKS_URL", JWKS_URL)
    monkeypatch.setenv("DANVAN_JWT_ALGORITHMS", "RS256, PS256,ES384")
    monkeypatch.setenv("DANVAN_JWT_AUDIENCE", "danvan-portal")
    monkeypatch.setenv("DANVAN_JWT_JWKS_CACHE_SECONDS", "600")
    settings = Settings()
    assert settings.jwt_jwks_url == JWKS_URL
    assert settings.jwt_algorithms == ("RS256", "PS256", "ES384")
    assert settings.jwt_audience == "danvan-portal"
    assert settings.jwt_jwks_cache_seconds == 600
    assert Settings(jwt_algorithms=["EdDSA"]).jwt_algorithms == ("EdDSA",)


def test_tokens_verified_with_published_keys_take_rs256_and_es256_by_default() -> None:
    settings = Settings()
    assert settings.jwt_algorithms == ("RS256", "ES256")
    assert settings.jwt_issuer == "danvan"
    assert settings.jwt_audience == ""


@pytest.mark.parametrize("algorithms", ["none", "HS256", "RS256,HS512", "rs256", " , "])
def test_unsigned_and_shared_secret_algorithms_are_refused_for_published_keys(
    monkeypatch: pytest.MonkeyPatch, algorithms: str
) -> None:
    monkeypatch.setenv("DANVAN_JWT_ALGORITHMS", algorithms)
    with pytest.raises(ValidationError, match="jwt_algorithms") as refused:
        Settings()
    assert "public-key algorithms only" in str(refused.value) or "at least one" in str(
        refused.value
    )


@pytest.mark.parametrize(
    "url", ["idp.example.org/certs", "ftp://idp.example.org/certs", "https://"]
)
def test_a_jwks_url_must_be_an_http_url(url: str) -> None:
    with pytest.raises(ValidationError, match="is not an http"):
        Settings(jwt_jwks_url=url)


def test_jwks_cache_and_timeouts_must_be_positive_and_the_issuer_named() -> None:
    with pytest.raises(ValidationError, match="jwt_jwks_cache_seconds"):
        Settings(jwt_jwks_cache_seconds=0)
    with pytest.raises(ValidationError, match="jwt_jwks_fetch_timeout"):
        Settings(jwt_jwks_fetch_timeout=-1)
    with pytest.raises(ValidationError, match="jwt_jwks_refetch_seconds"):
        Settings(jwt_jwks_refetch_seconds=-1)
    with pytest.raises(ValidationError, match="must name their issuer"):
        Settings(jwt_issuer=" ")


def test_production_gateway_takes_a_jwks_url_instead_of_a_secret() -> None:
    settings = Settings(env="production", nats_url="nats://n:4222", jwt_jwks_url=JWKS_URL)
    assert settings.production_problems("gateway") == []
    neither = Settings(env="production", nats_url="nats://n:4222")
    assert neither.production_problems("gateway") == [
        "DANVAN_JWT_JWKS_URL, or a DANVAN_JWT_SECRET of at least 32 characters, is required"
    ]


def test_production_gateway_fetches_its_keys_over_https_only() -> None:
    plain = JWKS_URL.replace("https://", "http://")
    settings = Settings(env="production", nats_url="nats://n:4222", jwt_jwks_url=plain)
    assert settings.production_problems("gateway") == ["DANVAN_JWT_JWKS_URL must be an https URL"]
    # A strong secret beside it changes nothing: with a JWKS URL, the secret is not used.
    with_secret = settings.model_copy(update={"jwt_secret": SecretStr(SECRET)})
    assert with_secret.production_problems("gateway") == [
        "DANVAN_JWT_JWKS_URL must be an https URL"
    ]
    assert Settings(jwt_jwks_url=plain).production_problems("gateway") == []


async def test_the_gateway_verifies_with_the_secret_unless_a_jwks_url_is_set(
    tmp_path: Path,
) -> None:
    clock = FixedClock(datetime(2026, 11, 23, 10, tzinfo=VIETNAM))
    embedded = token_verifier(Settings(home=tmp_path, jwt_secret=SECRET), clock)
    assert isinstance(embedded, SecretVerifier)
    token = issue_token(SECRET, unit="01", roles=[Role.LEADER], sub="u")
    assert (await embedded.verify(token)).roles == (Role.LEADER,)
    production = token_verifier(Settings(home=tmp_path, jwt_jwks_url=JWKS_URL), clock)
    assert isinstance(production, JwksVerifier)
    with pytest.raises(InvalidToken, match="'HS256' is not accepted"):
        await production.verify(token)
    await production.aclose()
    assert not (tmp_path / "jwt-secret").exists()  # no secret is generated for JWKS tokens


async def test_the_embedded_default_checks_the_configured_issuer_and_audience(
    tmp_path: Path,
) -> None:
    settings = Settings(home=tmp_path, jwt_secret=SECRET, jwt_issuer="ubnd-hn", jwt_audience="p")
    verifier = token_verifier(settings, FixedClock(datetime(2026, 11, 23, tzinfo=VIETNAM)))
    good = issue_token(
        SECRET, unit="01", roles=[Role.VIEWER], sub="u", issuer="ubnd-hn", audience="p"
    )
    assert (await verifier.verify(good)).sub == "u"
    default_issuer = issue_token(SECRET, unit="01", roles=[Role.VIEWER], sub="u", audience="p")
    with pytest.raises(InvalidToken, match="issuer"):
        await verifier.verify(default_issuer)
    no_audience = issue_token(SECRET, unit="01", roles=[Role.VIEWER], sub="u", issuer="ubnd-hn")
    with pytest.raises(InvalidToken, match="aud"):
        await verifier.verify(no_audience)


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    """The CLI reads cached settings: each run here starts, and leaves, with none cached."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.usefixtures("fresh_settings")
def test_danvan_token_prints_a_token_the_gateway_takes(tmp_path: Path) -> None:
    env = {"DANVAN_HOME": str(tmp_path), "DANVAN_JWT_ISSUER": "ubnd-hn"}
    printed = CliRunner().invoke(app, ["token", "--unit", "01", "--role", "officer"], env=env)
    assert printed.exit_code == 0, printed.output
    secret = Settings(home=tmp_path).signing_secret()
    principal = verify_token(secret, printed.output.strip(), issuer="ubnd-hn")
    assert (principal.unit, principal.roles) == ("01", (Role.OFFICER,))


@pytest.mark.usefixtures("fresh_settings")
def test_danvan_token_refuses_when_the_gateway_takes_only_the_providers_tokens(
    tmp_path: Path,
) -> None:
    env = {"DANVAN_HOME": str(tmp_path), "DANVAN_JWT_JWKS_URL": JWKS_URL}
    refused = CliRunner().invoke(app, ["token", "--unit", "01", "--role", "officer"], env=env)
    assert refused.exit_code == 2
    assert "ask it for one" in " ".join(refused.output.split())
    assert not (tmp_path / "jwt-secret").exists()
