"""A request its caller no longer waits for is not begun: a service that was paused or busy
answers the stale requests in its queue with `unavailable`, and writes nothing for them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import BaseModel

from danvan.bus import handle_rpc
from danvan.contracts.rpc import Principal
from danvan.timeutil import utcnow

PRINCIPAL = {"sub": "u", "unit": "01", "roles": ["officer"]}


class Echo(BaseModel):
    text: str


async def test_a_request_that_waited_in_the_queue_past_its_callers_timeout_is_not_begun() -> None:
    begun: list[str] = []

    async def write(_principal: Principal, request: Echo) -> dict[str, Any]:
        begun.append(request.text)
        return {}

    sent = utcnow() - timedelta(seconds=10)
    stale = {
        "principal": PRINCIPAL,
        "data": {"text": "stale"},
        "timeout": 5.0,
        "sent_at": sent.isoformat(),
    }
    fresh = {**stale, "data": {"text": "fresh"}, "sent_at": utcnow().isoformat()}

    refused = await handle_rpc(stale, Echo, write)
    answered = await handle_rpc(fresh, Echo, write)

    assert refused["ok"] is False
    assert refused["error"]["code"] == "unavailable"
    assert answered["ok"] is True
    assert begun == ["fresh"]
