"""The public keys an identity provider publishes at a JWKS URL, for verifying its tokens.

The key set is fetched asynchronously (the gateway's event loop never waits on a socket), trusted
for a while, and fetched again early when a token names a key it does not hold (the provider
rotated its keys). Fetches are at least `refetch_after` apart whatever tokens arrive, so a flood
of made-up key ids cannot make the gateway hammer the provider. When a fetch fails, the keys
already held keep working.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

import httpx
from jwt import PyJWK, PyJWTError

from danvan.clock import Clock

log = logging.getLogger(__name__)

KeyId = tuple[str, str]  # (kid, algorithm): one kid may name keys of two types (RFC 7517 §4.5)


class UnknownKey(Exception):
    """The key set, fetched again, holds no key with the token's id for its algorithm."""


class KeySetUnavailable(Exception):
    """The key set could not be fetched, and the token's key is not among the keys held."""


class KeySetError(Exception):
    """One fetch failed: the provider did not answer, or its answer holds no usable key."""


class JwksKeys:
    """The signing keys published at one URL, cached."""

    def __init__(
        self,
        url: str,
        *,
        algorithms: Collection[str],
        cache_for: timedelta,
        refetch_after: timedelta,
        fetch_timeout: float,
        clock: Clock,
    ) -> None:
        self._url = url
        self._algorithms = frozenset(algorithms)
        self._cache_for = cache_for
        self._refetch_after = refetch_after
        self._clock = clock
        self._keys: dict[KeyId, PyJWK] = {}
        self._fetched_at: datetime | None = None
        self._attempted_at: datetime | None = None
        self._failure: str | None = None
        self._lock = asyncio.Lock()
        # Made now, at start-up: loading the CA certificates takes tens of milliseconds that
        # would otherwise hold up the event loop at the first token.
        self._client = httpx.AsyncClient(
            timeout=fetch_timeout, headers={"Accept": "application/json"}
        )

    async def key(self, kid: str, algorithm: str) -> PyJWK:
        """The key a token with this `kid` and `alg` header was signed with."""
        wanted = (kid, algorithm)
        if wanted not in self._keys or self._expired():
            await self._refresh()
        found = self._keys.get(wanted)
        if found is not None:
            return found
        if self._failure is not None:
            raise KeySetUnavailable(self._failure)
        raise UnknownKey(f"the identity provider publishes no {algorithm} key with id {kid!r}")

    async def aclose(self) -> None:
        await self._client.aclose()

    def _expired(self) -> bool:
        return self._fetched_at is None or self._clock.now() - self._fetched_at >= self._cache_for

    async def _refresh(self) -> None:
        # One fetch at a time: requests that waited here find the keys it brought, and the
        # interval keeps them (and any flood behind them) from fetching again.
        async with self._lock:
            now = self._clock.now()
            if self._attempted_at is not None and now - self._attempted_at < self._refetch_after:
                return
            self._attempted_at = now
            try:
                self._keys = await self._fetch()
            except KeySetError as error:
                self._failure = str(error)
                log.warning("keeping the %d key(s) held: %s", len(self._keys), error)
                return
            self._fetched_at = now
            self._failure = None

    async def _fetch(self) -> dict[KeyId, PyJWK]:
        try:
            response = await self._client.get(self._url)
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as error:
            reason = str(error) or type(error).__name__
            message = f"the key set at {self._url} could not be fetched: {reason}"
            raise KeySetError(message) from error
        keys = usable_keys(document, self._algorithms)
        if not keys:
            accepted = ", ".join(sorted(self._algorithms))
            raise KeySetError(f"the key set at {self._url} holds no signing key for {accepted}")
        return keys


def usable_keys(document: Any, algorithms: Collection[str]) -> dict[KeyId, PyJWK]:
    """The signing keys of a JWKS document by (kid, algorithm). Keys without an id, meant for
    encryption, of an algorithm not accepted (a symmetric `oct` key is HS256) or that PyJWT
    cannot read are left out: a token can only ever be checked against an accepted public key."""
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise KeySetError('the answer is not a JWKS: it has no "keys" list')
    keys: dict[KeyId, PyJWK] = {}
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("kid"), str):
            continue
        if entry.get("use", "sig") != "sig":
            continue
        try:
            key = PyJWK(entry)
        except PyJWTError as error:
            log.info("leaving out the published key %r: %s", entry["kid"], error)
            continue
        if key.algorithm_name in algorithms:
            keys.setdefault((entry["kid"], key.algorithm_name), key)
    return keys
