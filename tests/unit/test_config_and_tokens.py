"""Settings and bearer tokens."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from danvan.config import Settings
from danvan.contracts.rpc import Role
from danvan.tokens import InvalidToken, issue_token, verify_token

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
