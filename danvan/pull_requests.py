"""Reading a JetStream consumer a batch at a time with the pull API itself.

nats-py's `fetch` waits for each message of a batch with its own timer and task, which cost
more than everything a rebuild does with the message after. Here one pull request asks for a
batch on an inbox of our own, the subscription's callback only collects what arrives, and the
next batch is asked for as soon as one is complete, so that the server is already sending it
while the caller works on the last.
"""

from __future__ import annotations

import asyncio
import json

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.js.client import JetStreamContext

#: Headers of a status message (no data), which ends a pull request or only keeps it alive.
_STATUS = "Status"
_HEARTBEAT = "100"
#: How long after a request's expiry the server's own "request timeout" may take to arrive.
_GRACE_SECONDS = 5.0
_NANOSECONDS = 1_000_000_000


def client_of(js: JetStreamContext) -> Client:
    """The connection a JetStream context publishes on (nats-py keeps no public handle)."""
    client: Client = js._nc
    return client


class PullReader:
    """The messages of one pull consumer, `size` at a time, with the next batch always asked
    for ahead. A batch is shorter when the server ends the request early: no message left, or
    the request expired after `wait` seconds."""

    def __init__(self, js: JetStreamContext, stream: str, consumer: str, *, wait: float) -> None:
        self._client = client_of(js)
        self._next = f"{js._prefix}.CONSUMER.MSG.NEXT.{stream}.{consumer}"
        self._wait = wait
        self._inbox = ""
        self._subscription: Subscription | None = None
        self._requests: list[tuple[int, list[Msg], asyncio.Future[None]]] = []

    async def __aenter__(self) -> PullReader:
        self._inbox = self._client.new_inbox()
        self._subscription = await self._client.subscribe(self._inbox, cb=self._arrived)
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self._subscription is not None:
            await self._subscription.unsubscribe()
        for request in self._requests:
            request[2].cancel()

    async def ask(self, size: int) -> None:
        """Ask for the next `size` messages; they come after those of earlier requests."""
        body = json.dumps({"batch": size, "expires": int(self._wait * _NANOSECONDS)})
        self._requests.append((size, [], asyncio.get_running_loop().create_future()))
        await self._client.publish(self._next, body.encode(), reply=self._inbox)

    async def take(self) -> list[Msg]:
        """The messages of the oldest request, once it is complete or ended."""
        _, messages, done = self._requests[0]
        async with asyncio.timeout(self._wait + _GRACE_SECONDS):
            await done
        self._requests.pop(0)
        return messages

    async def _arrived(self, msg: Msg) -> None:
        open_request = next((r for r in self._requests if not r[2].done()), None)
        if open_request is None:
            return  # the end of a request given up on
        size, messages, done = open_request
        status = msg.headers.get(_STATUS) if msg.headers and not msg.data else None
        if status == _HEARTBEAT:
            return
        if status is None:
            messages.append(msg)
            if len(messages) < size:
                return
        done.set_result(None)
