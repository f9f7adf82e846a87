"""The AsyncAPI document of every event the platform publishes, for outside subscribers.

Events leave the services through the outbox relay, not through FastStream publishers, so
the document is built from the payload catalog: one channel per event type, its address
`evt.<service>.<aggregate>.<verb>.{province}`, its message the CloudEvents envelope with the
payload as `data`.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from faststream.nats import NatsBroker
from faststream.specification import AsyncAPI

from danvan.bus import stream_name
from danvan.contracts.catalog import event_types
from danvan.contracts.envelope import CloudEvent

TITLE = "danvan events"
DESCRIPTION = (
    "Facts of mass-mobilisation work (công tác dân vận), as CloudEvents 1.0 in structured JSON "
    "mode. Subjects end with the code of the unit's *current* province (`01` for Hà Nội), so "
    "one subscription follows a province's whole history; `VN` for national facts. Each "
    "service's events are in its JetStream stream (REGISTRY, RECEPTION, REPORTING); the "
    "CloudEvents `id` is also the `Nats-Msg-Id`: deduplicate by it. A change within `.v1` is "
    "additive only; a breaking change is published as `.v2` beside it."
)


@cache
def asyncapi_document() -> dict[str, Any]:
    broker = NatsBroker()
    for payload in event_types():
        channel = f"evt.{payload.service}.{payload.aggregate}.{payload.verb}"
        broker.publisher(
            channel + ".{province}",
            stream=stream_name(payload.service),
            title=channel,
            description=(payload.__doc__ or "").strip()
            or f"{payload.aggregate} {payload.verb.replace('_', ' ')}: `{payload.event_type()}`",
            schema=CloudEvent[payload],  # type: ignore[valid-type]
        )
    spec = AsyncAPI(broker, title=TITLE, version="1.0.0", description=DESCRIPTION)
    document: dict[str, Any] = spec.to_specification().to_jsonable()
    document.pop("servers", None)  # the broker's address is each deployment's own
    for channel in document.get("channels", {}).values():
        channel.pop("servers", None)
    return document
