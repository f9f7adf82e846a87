"""Composed views kept in the gateway, so that repeated views of a busy unit do not ask the
services each time, and dropped as soon as something they show may have changed.

What may change a view of a unit: a new event about its province (any service's event subject
ends with the province's code), and reporting's note that it applied events of that province.
Notes and events reach the gateway on core NATS, which may lose one (while reconnecting, say):
every entry also expires after `ttl` seconds, and a reconnection drops everything.

A view being composed while an event arrives must not be kept: it may hold the part from
before the event. Each entry is stored only if no change touched its provinces meanwhile, and
is stale once one has.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass
from functools import lru_cache

from cachetools import TTLCache
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg

from danvan.access import facts_scope
from danvan.emit import province_token
from danvan.notes import APPLIED_SUBJECTS, EVENT_SUBJECTS, EVERYWHERE, province_of
from danvan.units import UnitTree

log = logging.getLogger(__name__)

# The provinces whose events may change a view; None for the nation (any province).
Provinces = frozenset[str] | None


@dataclass(frozen=True)
class CachedView:
    body: bytes
    etag: str
    provinces: Provinces


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an `If-None-Match` header names this entity tag (weak comparison)."""
    if not if_none_match:
        return False
    wanted = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in wanted or etag in wanted


@lru_cache(maxsize=4096)
def provinces_of_unit(tree: UnitTree, unit_id: str) -> Provinces:
    """The province tokens of the events that count in a unit's views: those of every unit
    whose facts belong to its subtree (former units included)."""
    scope = facts_scope(tree, unit_id)
    if scope is None:
        return None
    return frozenset(province_token(tree, member) for member in scope)


@dataclass(frozen=True)
class _Stored:
    view: CachedView
    version: tuple[int, ...]


class ViewCache:
    """Views by key. A change only moves counters (events arrive at the rate of the whole
    country's writes); an entry whose provinces' counters moved since it was stored is stale,
    and is dropped when it is next asked for."""

    def __init__(self, *, ttl: float, size: int) -> None:
        self._entries: TTLCache[Hashable, _Stored] = TTLCache(maxsize=size, ttl=ttl)
        self._changes: Counter[str] = Counter()
        self._everywhere = 0
        self._anywhere = 0
        self._reconnects = 0
        self._client: NatsClient | None = None

    # ---- reading and storing ---------------------------------------------------------------

    def get(self, key: Hashable) -> CachedView | None:
        self._notice_reconnection()
        stored = self._entries.get(key)
        if stored is None:
            return None
        if self.version(stored.view.provinces) != stored.version:
            self._entries.pop(key, None)
            return None
        return stored.view

    def version(self, provinces: Provinces) -> tuple[int, ...]:
        """A mark of the changes so far that touch `provinces`: take it before composing, and
        give it back to `put`."""
        if provinces is None:
            return (self._anywhere,)
        return (self._everywhere, *(self._changes[p] for p in sorted(provinces)))

    def put(self, key: Hashable, view: CachedView, version: tuple[int, ...]) -> None:
        """Keep `view`, unless something touching it changed while it was composed."""
        if self.version(view.provinces) == version:
            self._entries[key] = _Stored(view, version)

    # ---- forgetting -----------------------------------------------------------------------

    def changed(self, province: str) -> None:
        """Something about `province` changed (EVERYWHERE: everything may have)."""
        self._anywhere += 1
        if province == EVERYWHERE:
            self._everywhere += 1
        else:
            self._changes[province] += 1

    async def watch(self, client: NatsClient) -> None:
        """Follow every event and reporting's notes on `client` (core subscriptions: each
        gateway copy sees them all)."""
        self._client = client
        self._reconnects = client.stats.get("reconnects", 0)
        await client.subscribe(EVENT_SUBJECTS, cb=self._on_message)
        await client.subscribe(APPLIED_SUBJECTS, cb=self._on_message)

    async def _on_message(self, message: Msg) -> None:
        self.changed(province_of(message.subject))

    def _notice_reconnection(self) -> None:
        if self._client is None:
            return
        reconnects = self._client.stats.get("reconnects", 0)
        if reconnects != self._reconnects:
            # Notes may have been lost while disconnected.
            self._reconnects = reconnects
            log.info("reconnected to NATS: dropping %d cached views", len(self._entries))
            self.changed(EVERYWHERE)
            self._entries.clear()
