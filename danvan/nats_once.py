"""A short-lived NATS connection that gives up soon: what a start-up probe and an operator's
command need, where nats-py's own defaults would retry each server for minutes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import nats
from nats.aio.client import Client


def servers_of(nats_url: str) -> list[str]:
    """A comma-separated `nats_url` as the list of a cluster's servers."""
    return [url.strip() for url in nats_url.split(",") if url.strip()]


def refused_credentials(error: BaseException) -> bool:
    return "authorization violation" in str(error).lower()


async def connect_once(
    servers: Sequence[str],
    *,
    user: str,
    password: str,
    timeout: float,
    error_cb: Callable[[Exception], Awaitable[None]],
    name: str | None = None,
    retry_wait: float = 0.0,
) -> Client:
    """One round over `servers`, as `user` when one is given; raises when none takes us."""
    return await nats.connect(
        servers=list(servers),
        user=user or None,
        password=password or None,
        name=name,
        connect_timeout=timeout,
        allow_reconnect=False,
        # nats-py tries each server of the list until it has failed this many times more (0
        # would mean for ever), waiting `reconnect_time_wait` between tries.
        max_reconnect_attempts=1,
        reconnect_time_wait=retry_wait,
        error_cb=error_cb,
    )
