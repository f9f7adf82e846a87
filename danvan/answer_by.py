"""The time by which an rpc's caller stops waiting. A write that would commit after it is
rolled back instead: the caller was already told the service did not answer (503), so the
write must not happen behind its back."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import Context, ContextVar, copy_context
from datetime import datetime

from danvan.contracts.rpc import ErrorCode, Message, ServiceError
from danvan.timeutil import utcnow

_deadline: ContextVar[float | None] = ContextVar("answer_by", default=None)

# Kept back from the caller's wait for the commit itself and the reply's way back.
_MARGIN_SHARE = 0.1
_MARGIN_CAP_SECONDS = 0.5


@contextmanager
def answering_within(seconds: float | None, sent_at: datetime | None = None) -> Iterator[None]:
    """Handle one request whose caller waits `seconds` (None: no limit) from `sent_at`. The
    time a request spent queued (a paused or busy service) counts: it was sent at `sent_at`,
    by a clock in sync with ours (NTP), and a clock behind ours only ever shortens the wait."""
    if seconds is None:
        yield
        return
    queued = max(0.0, (utcnow() - sent_at).total_seconds()) if sent_at is not None else 0.0
    margin = min(_MARGIN_CAP_SECONDS, seconds * _MARGIN_SHARE)
    token = _deadline.set(time.monotonic() + seconds - queued - margin)
    try:
        yield
    finally:
        _deadline.reset(token)


def still_awaited() -> None:
    """Raise before committing when the caller has stopped waiting."""
    deadline = _deadline.get()
    if deadline is not None and time.monotonic() > deadline:
        raise ServiceError(
            ErrorCode.UNAVAILABLE,
            Message(
                vi="dịch vụ trả lời quá muộn: không có gì được ghi, hãy gửi lại",
                en="the service was too slow to answer: nothing was written, send it again",
            ),
        )


def detached() -> Context:
    """The context for work a request starts but does not wait for (a rebuild): the
    request's deadline is not that work's."""
    context = copy_context()
    context.run(_deadline.set, None)
    return context
