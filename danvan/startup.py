"""Waiting at start for what a service needs: NATS and its database.

A service may be started before its servers answer (compose after a reboot, a database failing
over, a cluster still electing its leader). It then waits for them with back-off and says in
its log what it waits for, where, why not yet, and when it tries again. It gives up only after
`startup_timeout` seconds (never, by default), or at once on an error that waiting cannot
cure: credentials NATS refuses.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from danvan.nats_once import connect_once, refused_credentials

log = logging.getLogger(__name__)

FIRST_DELAY = 0.5
LONGEST_DELAY = 10.0
#: One try's own bound: a server that never answers (its packets dropped) is a failed try, not
#: a hang; asyncpg alone would wait a minute.
ATTEMPT_TIMEOUT = 5.0


class StartupFailed(RuntimeError):
    """A service gave up waiting for a server, or met an error waiting cannot cure."""


class Refused(Exception):
    """An answer that will not change by asking again (NATS refused the credentials)."""


def next_delay(attempt: int) -> float:
    """The wait before try `attempt + 1`: 0.5 s, 1 s, 2 s … up to 10 s, each up to a fifth
    shorter at random, so that copies started together do not knock in step."""
    longest = min(LONGEST_DELAY, FIRST_DELAY * 2.0 ** max(0, attempt - 1))
    return float(longest * random.uniform(0.8, 1.0))


def describe(error: BaseException) -> str:
    """An error in words for the log: its message, or its kind when it has none (a timeout).
    A database error is the driver's own words, without SQLAlchemy's wrapping."""
    if isinstance(error, DBAPIError) and error.orig is not None:
        error = error.orig
    words = str(error).strip()
    if isinstance(error, TimeoutError) and not words:
        return f"no answer within {ATTEMPT_TIMEOUT:.0f} s"
    return words or type(error).__name__


def nats_address(servers: Sequence[str]) -> str:
    """The NATS servers as an operator would write them, without any password in them."""
    shown = []
    for url in servers:
        parts = urlsplit(url)
        host = parts.hostname or ""
        netloc = f"{host}:{parts.port}" if parts.port else host
        if parts.username:
            netloc = f"{parts.username}@{netloc}"
        shown.append(urlunsplit(parts._replace(netloc=netloc)) if parts.scheme else url)
    return ", ".join(shown)


def database_address(url: str) -> str:
    """A database URL with its password masked."""
    return make_url(url).render_as_string(hide_password=True)


@dataclass
class Patience:
    """How long start-up may wait in all: for ever when `limit` is None."""

    limit: float | None
    started: float = field(default_factory=time.monotonic)

    def waited(self) -> float:
        return time.monotonic() - self.started

    async def until_done(
        self, what: str, where: str, attempt: Callable[[], Awaitable[None]]
    ) -> None:
        """Run `attempt` until it succeeds, waiting longer after each failure and logging why."""
        tries = 0
        while True:
            tries += 1
            try:
                await asyncio.wait_for(attempt(), ATTEMPT_TIMEOUT)
            except Refused as error:
                raise StartupFailed(f"{what} at {where} refused us: {error}") from error
            except Exception as error:  # whatever went wrong, the next try may do better
                delay = next_delay(tries)
                waited = self.waited()
                if self.limit is not None and waited + delay > self.limit:
                    raise StartupFailed(
                        f"gave up waiting for {what} at {where} after {waited:.0f} s "
                        f"(DANVAN_STARTUP_TIMEOUT={self.limit:g}): {describe(error)}"
                    ) from error
                log.warning(
                    "waiting for %s at %s: %s; next try in %.1f s",
                    what,
                    where,
                    describe(error),
                    delay,
                )
                await asyncio.sleep(delay)
                continue
            if tries > 1:
                log.info("%s at %s answers (after %.1f s)", what, where, self.waited())
            return


async def nats_answers(servers: Sequence[str], user: str, password: str) -> None:
    """One try at each server: returns at the first that takes our connection and credentials;
    raises with every server's reason otherwise, `Refused` when the credentials were refused."""
    reasons: list[str] = []
    for url in servers:
        seen: list[Exception] = []

        async def record(error: Exception, seen: list[Exception] = seen) -> None:
            seen.append(error)

        try:
            connection = await connect_once(
                [url], user=user, password=password, timeout=ATTEMPT_TIMEOUT, error_cb=record
            )
        except Exception as error:
            reason = seen[0] if seen else error
            if refused_credentials(reason):
                who = f"user {user!r}" if user else "a connection without a user"
                raise Refused(
                    f"{who} is not allowed (DANVAN_NATS_USER, DANVAN_NATS_PASSWORD)"
                ) from error
            reasons.append(describe(reason) if len(servers) == 1 else f"{url}: {describe(reason)}")
            continue
        await connection.close()
        return
    raise ConnectionError("; ".join(reasons))


async def database_answers(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
