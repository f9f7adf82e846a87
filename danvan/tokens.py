"""Bearer tokens: HS256 for the embedded default (`danvan token` issues, the gateway verifies),
or tokens of an identity provider verified with the public keys it publishes (a JWKS URL)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta
from typing import Any, Protocol

import jwt
from pydantic import ValidationError

from danvan.clock import Clock
from danvan.config import Settings
from danvan.contracts.rpc import Message, Principal, Role
from danvan.jwks import JwksKeys, UnknownKey
from danvan.messages import MessageError
from danvan.timeutil import utcnow

ISSUER = "danvan"
ALGORITHM = "HS256"
# The identity provider's clock is not the gateway's: a token it issued a second "in the
# future", or that expired a moment ago by our clock, is still taken.
PROVIDER_CLOCK_SKEW = timedelta(seconds=30)
_REQUIRED_CLAIMS = ["exp", "sub", "iss"]


class InvalidToken(MessageError):
    pass


class TokenVerifier(Protocol):
    async def verify(self, token: str) -> Principal:
        """The principal a token carries; InvalidToken when it does not verify."""
        ...

    async def aclose(self) -> None: ...


def issue_token(
    secret: str,
    *,
    unit: str,
    roles: list[Role],
    sub: str,
    name: str = "",
    ttl: timedelta = timedelta(hours=12),
    issuer: str = ISSUER,
    audience: str | None = None,
) -> str:
    now = utcnow()
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": sub,
        "name": name,
        "unit": unit,
        "roles": [role.value for role in roles],
        "iat": now,
        "exp": now + ttl,
    }
    if audience:
        claims["aud"] = audience
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_token(
    secret: str, token: str, *, issuer: str = ISSUER, audience: str | None = None
) -> Principal:
    return _principal(token, secret, algorithms=[ALGORITHM], issuer=issuer, audience=audience)


class SecretVerifier:
    """HS256 with the embedded default's secret."""

    def __init__(self, secret: str, *, issuer: str = ISSUER, audience: str | None = None) -> None:
        self._secret = secret
        self._issuer = issuer
        self._audience = audience

    async def verify(self, token: str) -> Principal:
        return verify_token(self._secret, token, issuer=self._issuer, audience=self._audience)

    async def aclose(self) -> None:
        return None


class JwksVerifier:
    """Tokens of an identity provider, signed with one of the keys it publishes.

    The token's `alg` must be one of `algorithms` (public-key ones only: Settings refuses the
    others) and is checked before any key is looked up, so an unsigned token or one "signed" with
    a public key as an HMAC secret costs no fetch; the key found must be of that algorithm."""

    def __init__(
        self, keys: JwksKeys, *, algorithms: Collection[str], issuer: str, audience: str | None
    ) -> None:
        self._keys = keys
        self._algorithms = list(algorithms)
        self._issuer = issuer
        self._audience = audience

    async def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise InvalidToken(Message(vi="mã truy cập không đọc được", en=str(error))) from error
        algorithm, kid = header.get("alg"), header.get("kid")
        if algorithm not in self._algorithms:
            accepted = ", ".join(self._algorithms)
            raise InvalidToken(
                Message(
                    vi=f"không chấp nhận mã truy cập ký bằng {algorithm!r} (chỉ nhận: {accepted})",
                    en=f"a token signed with {algorithm!r} is not accepted ({accepted})",
                )
            )
        if not isinstance(kid, str) or not kid:
            raise InvalidToken(
                Message(
                    vi="mã truy cập không ghi mã khóa (kid)",
                    en="the token names no key id (kid)",
                )
            )
        try:
            key = await self._keys.key(kid, algorithm)
        except UnknownKey as error:
            raise InvalidToken(
                Message(
                    vi=f"hệ thống xác thực không công bố khóa {algorithm} có mã {kid!r}",
                    en=str(error),
                )
            ) from error
        return _principal(
            token,
            key,
            algorithms=[algorithm],
            issuer=self._issuer,
            audience=self._audience,
            leeway=PROVIDER_CLOCK_SKEW,
        )

    async def aclose(self) -> None:
        await self._keys.aclose()


def token_verifier(settings: Settings, clock: Clock) -> TokenVerifier:
    """The gateway's verifier: the provider's keys when a JWKS URL is set (and then no HS256
    token, so a leaked or weak shared secret cannot mint tokens beside the provider), else the
    embedded default's secret."""
    audience = settings.jwt_audience or None
    if not settings.jwt_jwks_url:
        return SecretVerifier(
            settings.signing_secret(), issuer=settings.jwt_issuer, audience=audience
        )
    keys = JwksKeys(
        settings.jwt_jwks_url,
        algorithms=settings.jwt_algorithms,
        cache_for=timedelta(seconds=settings.jwt_jwks_cache_seconds),
        refetch_after=timedelta(seconds=settings.jwt_jwks_refetch_seconds),
        fetch_timeout=settings.jwt_jwks_fetch_timeout,
        clock=clock,
    )
    return JwksVerifier(
        keys, algorithms=settings.jwt_algorithms, issuer=settings.jwt_issuer, audience=audience
    )


def _principal(
    token: str,
    key: jwt.PyJWK | str,
    *,
    algorithms: list[str],
    issuer: str,
    audience: str | None,
    leeway: timedelta = timedelta(0),
) -> Principal:
    required = [*_REQUIRED_CLAIMS, "aud"] if audience else _REQUIRED_CLAIMS
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=algorithms,
            issuer=issuer,
            audience=audience,
            leeway=leeway,
            options={"require": required},
        )
        return Principal.model_validate(claims)
    except jwt.PyJWTError as error:
        raise InvalidToken(
            Message(vi="mã truy cập không hợp lệ hoặc đã hết hạn", en=str(error))
        ) from error
    except ValidationError as error:
        problems = ", ".join(str(item["loc"][0]) for item in error.errors())
        raise InvalidToken(
            Message(
                vi=f"mã truy cập thiếu hoặc sai các thông tin: {problems}",
                en=f"token claims missing or invalid: {problems}",
            )
        ) from error
