"""Production tokens: the gateway takes tokens of an identity provider, signed RS256 or ES256 with
a key the provider publishes at its JWKS URL, and refuses every other token with 401.

Requests go through the real gateway app to a route that needs a token and no service
(`GET /api/v1/indicators`); the JWKS is served over HTTP by a thread that counts its fetches.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from danvan.clock import VIETNAM, FixedClock
from danvan.config import Settings
from danvan.contracts.rpc import Role
from danvan.tokens import issue_token
from danvan.units import UnitTree, load_units
from services.gateway.app import create_app
from tests.identity_provider import (
    ISSUER,
    IdentityProvider,
    SigningKey,
    claims,
    ec_key,
    rsa_key,
    sign,
)
from tests.languages import ENGLISH

ROUTE = "/api/v1/indicators"
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=VIETNAM)
CACHE = timedelta(seconds=300)
REFETCH = timedelta(seconds=10)
SECRET = "an-hs256-secret-of-the-embedded-default-" + "x" * 16


@dataclass(frozen=True)
class Keys:
    rsa: SigningKey
    ec: SigningKey
    rotated: SigningKey  # published only once the gateway runs
    stranger: SigningKey  # never published


@pytest.fixture(scope="module")
def keys() -> Keys:
    return Keys(rsa_key("rsa-2026-11"), ec_key("ec-2026-11"), rsa_key("rsa-2027-01"), rsa_key("x"))


@pytest.fixture(scope="module")
def units() -> UnitTree:
    return load_units()


@pytest.fixture
def provider(keys: Keys) -> Iterator[IdentityProvider]:
    with IdentityProvider(keys.rsa, keys.ec).serving() as serving:
        yield serving


@dataclass
class Gateway:
    client: httpx.AsyncClient
    clock: FixedClock

    async def status(self, token: str) -> int:
        return (await self.answer(token)).status_code

    async def answer(self, token: str) -> httpx.Response:
        return await self.client.get(ROUTE, headers={"Authorization": f"Bearer {token}"})


@asynccontextmanager
async def running_gateway(
    home: Path, nats_url: str, units: UnitTree, jwks_url: str, **settings: Any
) -> AsyncIterator[Gateway]:
    configured = Settings(
        home=home,
        nats_url=nats_url,
        jwt_secret=SECRET,
        jwt_jwks_url=jwks_url,
        jwt_issuer=ISSUER,
        jwt_jwks_cache_seconds=CACHE.total_seconds(),
        jwt_jwks_refetch_seconds=REFETCH.total_seconds(),
        **settings,
    )
    clock = FixedClock(NOW)
    app = create_app(configured, units_tree=units, clock=clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://gateway", headers=ENGLISH
        ) as client:
            yield Gateway(client, clock)


@pytest.fixture
async def gateway(
    tmp_path: Path, nats_url: str, units: UnitTree, provider: IdentityProvider
) -> AsyncIterator[Gateway]:
    async with running_gateway(tmp_path, nats_url, units, provider.url) as running:
        yield running


def message(response: httpx.Response) -> str:
    text: str = response.json()["error"]["message"]
    return text


# ---- accepted -------------------------------------------------------------------------------


async def test_rs256_and_es256_tokens_of_the_provider_are_accepted_with_one_fetch_of_its_keys(
    gateway: Gateway, provider: IdentityProvider, keys: Keys
) -> None:
    tokens = [sign(keys.rsa, claims()), sign(keys.ec, claims())] * 15
    answers = await asyncio.gather(*(gateway.answer(token) for token in tokens))
    assert [answer.status_code for answer in answers] == [200] * 30, answers[0].text
    assert provider.fetches == 1
    assert [await gateway.status(token) for token in tokens[:4]] == [200] * 4
    assert provider.fetches == 1


async def test_the_keys_are_fetched_again_once_the_cache_time_is_over(
    gateway: Gateway, provider: IdentityProvider, keys: Keys
) -> None:
    assert await gateway.status(sign(keys.rsa, claims())) == 200
    gateway.clock.advance(CACHE - timedelta(seconds=1))
    assert await gateway.status(sign(keys.ec, claims())) == 200
    assert provider.fetches == 1
    gateway.clock.advance(timedelta(seconds=1))
    assert await gateway.status(sign(keys.ec, claims())) == 200
    assert provider.fetches == 2


async def test_a_key_rotated_into_the_jwks_after_start_is_accepted(
    gateway: Gateway, provider: IdentityProvider, keys: Keys
) -> None:
    assert await gateway.status(sign(keys.rsa, claims())) == 200
    provider.publish(keys.rotated)
    gateway.clock.advance(timedelta(minutes=1))  # well within the cache time
    assert await gateway.status(sign(keys.rotated, claims())) == 200
    assert provider.fetches == 2
    assert await gateway.status(sign(keys.rsa, claims())) == 200
    assert provider.fetches == 2


async def test_a_token_that_expired_a_moment_ago_by_our_clock_is_still_taken(
    gateway: Gateway, keys: Keys
) -> None:
    # The provider's clock is not the gateway's: a few seconds either way are forgiven.
    moment = datetime.now(VIETNAM)
    skewed = claims(iat=moment + timedelta(seconds=5), exp=moment - timedelta(seconds=5))
    assert await gateway.status(sign(keys.ec, skewed)) == 200


# ---- refused --------------------------------------------------------------------------------


async def test_a_token_from_a_key_not_in_the_jwks_is_refused_after_exactly_one_refetch(
    gateway: Gateway, provider: IdentityProvider, keys: Keys
) -> None:
    assert await gateway.status(sign(keys.rsa, claims())) == 200
    gateway.clock.advance(REFETCH)
    refused = await gateway.answer(sign(keys.stranger, claims()))
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"] == "Bearer"
    assert "no RS256 key with id 'x'" in message(refused)
    assert provider.fetches == 2
    # A flood of made-up key ids makes no further fetch until the interval is over.
    flood = [sign(keys.stranger, claims(), kid=f"made-up-{n}") for n in range(20)]
    answers = await asyncio.gather(*(gateway.status(token) for token in flood))
    assert answers == [401] * 20
    assert provider.fetches == 2
    gateway.clock.advance(REFETCH)
    assert await gateway.status(flood[0]) == 401
    assert provider.fetches == 3


async def test_a_token_with_a_bad_signature_is_refused(gateway: Gateway, keys: Keys) -> None:
    good = sign(keys.rsa, claims())
    header, _, signature = good.split(".")
    upgraded = _segment(claims(unit="01", roles=["admin"]))
    altered = await gateway.answer(f"{header}.{upgraded}.{signature}")
    assert altered.status_code == 401
    assert "Signature verification failed" in message(altered)
    # Signed by another key that claims the published key's id.
    impostor = sign(keys.stranger, claims(), kid=keys.rsa.kid)
    assert await gateway.status(impostor) == 401
    assert await gateway.status(good) == 200


async def test_an_expired_token_is_refused(gateway: Gateway, keys: Keys) -> None:
    moment = datetime.now(VIETNAM)
    expired = claims(iat=moment - timedelta(hours=2), exp=moment - timedelta(hours=1))
    refused = await gateway.answer(sign(keys.ec, expired))
    assert refused.status_code == 401
    assert "expired" in message(refused)


async def test_a_token_without_an_expiry_or_a_unit_is_refused(gateway: Gateway, keys: Keys) -> None:
    no_expiry = await gateway.answer(sign(keys.rsa, claims(exp=None)))
    assert no_expiry.status_code == 401
    assert "exp" in message(no_expiry)
    no_unit = await gateway.answer(sign(keys.rsa, claims(unit=None)))
    assert no_unit.status_code == 401
    assert "unit" in message(no_unit)


async def test_a_token_of_another_issuer_is_refused(gateway: Gateway, keys: Keys) -> None:
    refused = await gateway.answer(sign(keys.rsa, claims(iss="https://elsewhere.example.org")))
    assert refused.status_code == 401
    assert "issuer" in message(refused)


async def test_a_token_meant_for_another_application_is_refused(
    gateway: Gateway, keys: Keys
) -> None:
    # No audience is configured: a token that names one was meant for someone else.
    assert await gateway.status(sign(keys.rsa, claims(aud="account"))) == 401


async def test_with_an_audience_configured_only_tokens_for_it_are_accepted(
    tmp_path: Path, nats_url: str, units: UnitTree, provider: IdentityProvider, keys: Keys
) -> None:
    async with running_gateway(
        tmp_path, nats_url, units, provider.url, jwt_audience="danvan-portal"
    ) as gateway:
        assert await gateway.status(sign(keys.rsa, claims(aud="danvan-portal"))) == 200
        assert await gateway.status(sign(keys.ec, claims(aud=["account", "danvan-portal"]))) == 200
        other = await gateway.answer(sign(keys.rsa, claims(aud="account")))
        assert other.status_code == 401
        assert "audience" in message(other).lower()
        assert await gateway.status(sign(keys.rsa, claims())) == 401


async def test_an_unsigned_token_and_one_signed_with_the_public_key_as_hmac_secret_are_refused(
    gateway: Gateway, provider: IdentityProvider, keys: Keys
) -> None:
    kid = keys.rsa.kid
    unsigned = jwt_by_hand({"alg": "none", "typ": "JWT", "kid": kid}, claims(), b"")
    public_pem = keys.rsa.private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    confused = jwt_by_hand({"alg": "HS256", "typ": "JWT", "kid": kid}, claims(), public_pem)
    for token in (unsigned, confused):
        refused = await gateway.answer(token)
        assert refused.status_code == 401
        assert "is not accepted" in message(refused)
    assert provider.fetches == 0  # refused before any key was looked up


async def test_an_rsa_key_cannot_verify_a_token_that_claims_es256(
    gateway: Gateway, keys: Keys
) -> None:
    good = sign(keys.rsa, claims())
    _, payload, signature = good.split(".")
    header = _segment({"alg": "ES256", "typ": "JWT", "kid": keys.rsa.kid})
    assert await gateway.status(f"{header}.{payload}.{signature}") == 401


async def test_a_token_of_the_embedded_default_is_refused_once_a_jwks_url_is_set(
    gateway: Gateway,
) -> None:
    embedded = issue_token(SECRET, unit="00097", roles=[Role.OFFICER], sub="u", issuer=ISSUER)
    assert await gateway.status(embedded) == 401


async def test_a_token_without_a_key_id_is_refused(gateway: Gateway, keys: Keys) -> None:
    token = jwt.encode(claims(), keys.rsa.private, algorithm="RS256")
    refused = await gateway.answer(token)
    assert refused.status_code == 401
    assert "key id" in message(refused)


# ---- the provider down ----------------------------------------------------------------------


async def test_while_the_jwks_is_down_keys_held_keep_working_and_unknown_keys_get_503(
    gateway: Gateway, provider: IdentityProvider, keys: Keys
) -> None:
    assert await gateway.status(sign(keys.rsa, claims())) == 200
    provider.down = True
    provider.publish(keys.rotated)
    gateway.clock.advance(CACHE)
    assert await gateway.status(sign(keys.rsa, claims())) == 200
    assert await gateway.status(sign(keys.ec, claims())) == 200
    assert provider.fetches == 2
    unknown = await gateway.answer(sign(keys.rotated, claims()))
    assert unknown.status_code == 503
    assert unknown.json()["error"]["code"] == "unavailable"
    assert provider.fetches == 2  # the failed fetch counts toward the interval
    provider.down = False
    gateway.clock.advance(REFETCH)
    assert await gateway.status(sign(keys.rotated, claims())) == 200
    assert provider.fetches == 3


async def test_when_the_provider_cannot_be_reached_tokens_get_503_not_401(
    tmp_path: Path, nats_url: str, units: UnitTree, keys: Keys
) -> None:
    async with running_gateway(tmp_path, nats_url, units, unreachable_url()) as gateway:
        answer = await gateway.answer(sign(keys.rsa, claims()))
        assert answer.status_code == 503
        assert "identity provider's keys could not be fetched" in message(answer)
        assert await gateway.status("not.a.token") == 401


def unreachable_url() -> str:
    """A URL on a local port that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/jwks.json"


def jwt_by_hand(header: dict[str, Any], payload: dict[str, Any], hmac_key: bytes) -> str:
    """A token PyJWT would refuse to make: unsigned when `hmac_key` is empty, else HS256."""
    signing_input = f"{_segment(header)}.{_segment(payload)}"
    if not hmac_key:
        return f"{signing_input}."
    digest = hmac.new(hmac_key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(digest)}"


def _segment(value: dict[str, Any]) -> str:
    return _b64(json.dumps(value, default=_epoch).encode())


def _epoch(value: object) -> int:
    assert isinstance(value, datetime)
    return int(value.timestamp())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
