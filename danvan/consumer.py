"""Durable, idempotent event consumption: a pull consumer per source stream, the inbox in the
same transaction as the effect, ack after commit, and a delayed nak that grows with each
redelivery (a plain nak is redelivered at once and would burn through retries)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from faststream import AckPolicy
from faststream.nats import ConsumerConfig, JStream, NatsBroker, NatsMessage, PullSub
from nats.js.api import DeliverPolicy
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from danvan.bus import stream_name
from danvan.contracts.envelope import RawCloudEvent
from danvan.db import transaction
from danvan.inbox import claim

log = logging.getLogger(__name__)

Apply = Callable[[AsyncSession, RawCloudEvent], Awaitable[None]]

ACK_WAIT_SECONDS = 30.0


def redelivery_delay(delivered: int, *, base: float = 0.5, cap: float = 60.0) -> float:
    return float(min(cap, base * (2 ** max(0, delivered - 1))))


def subscribe_events(
    broker: NatsBroker,
    *,
    source: str,
    durable: str,
    sessions: async_sessionmaker[AsyncSession],
    apply: Apply,
) -> None:
    """Consume every event of `source`'s stream through a durable named `durable`.

    The durable keeps the configuration it was created with: change it by versioning the
    name (`reporting-registry-v2`).
    """

    async def on_event(msg: NatsMessage) -> None:
        try:
            event = RawCloudEvent.model_validate_json(msg.body)
        except ValidationError as error:
            log.error("dropping a malformed event on %s: %s", msg.raw_message.subject, error)
            await msg.reject()
            return
        try:
            async with transaction(sessions) as session:
                if await claim(session, durable, str(event.id)):
                    await apply(session, event)
        except Exception:
            delivered = msg.raw_message.metadata.num_delivered
            delay = redelivery_delay(delivered)
            log.exception(
                "applying event %s failed (delivery %d); retrying in %.1f s",
                event.id,
                delivered,
                delay,
            )
            await msg.nack(delay=delay)
            return
        await msg.ack()

    on_event.__name__ = f"consume_{durable.replace('-', '_')}"
    broker.subscriber(
        f"evt.{source}.>",
        stream=JStream(stream_name(source), declare=False),
        durable=durable,
        pull_sub=PullSub(batch_size=100, timeout=1.0),
        ack_policy=AckPolicy.MANUAL,
        config=ConsumerConfig(
            ack_wait=ACK_WAIT_SECONDS,
            deliver_policy=DeliverPolicy.ALL,
            max_ack_pending=1000,
        ),
        title=f"{durable} ← evt.{source}.>",
    )(on_event)
