"""Reading a stream as an outside subscriber would: every message, from the first."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import nats


@dataclass(frozen=True, slots=True)
class Received:
    subject: str
    event: dict[str, Any]
    msg_id: str | None


async def read_stream(nats_url: str, stream: str, *, batch: int = 1000) -> list[Received]:
    """Every message now in `stream`, in order, through an ephemeral pull consumer."""
    connection = await nats.connect(nats_url)
    try:
        js = connection.jetstream()
        info = await js.stream_info(stream)
        wanted = info.state.messages
        subscription = await js.pull_subscribe(">", stream=stream)
        received: list[Received] = []
        while len(received) < wanted:
            for message in await subscription.fetch(min(batch, wanted - len(received)), timeout=5):
                await message.ack()
                headers = message.headers or {}
                received.append(
                    Received(message.subject, _object(message.data), headers.get("Nats-Msg-Id"))
                )
        await subscription.unsubscribe()
        return received
    finally:
        await connection.close()


def _object(data: bytes) -> dict[str, Any]:
    """The message as a JSON object; empty when it is not one (malformed messages a test put
    on the stream)."""
    try:
        parsed = json.loads(data)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


async def stream_size(nats_url: str, stream: str) -> int:
    connection = await nats.connect(nats_url)
    try:
        info = await connection.jetstream().stream_info(stream)
        return int(info.state.messages)
    finally:
        await connection.close()
