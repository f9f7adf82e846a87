"""Dead letters: events a consumer could not apply, set aside in the `DLQ` stream so the events
after them go on being applied.

A dead letter of durable consumer `<durable>` is stored at `dlq.dead.<durable>`: the original
message's data unchanged, and headers saying where it came from (stream, sequence, subject,
event id), which consumer failed, how often it tried, the error and when. A message to be
delivered again to that one consumer (a retried dead letter, a replayed range) is stored at
`dlq.retry.<durable>`, with the same headers of origin; the consumer reads its retries through
a second durable and applies them with the same handler, so its inbox still drops a repeat.

`DLQ` is a work-queue stream: a retry is gone once its consumer acknowledges it, and a dead
letter (which no consumer reads) stays until an operator retries or drops it, or it ages out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple
from urllib.parse import quote, unquote

from nats.aio.msg import Msg
from nats.js import api
from nats.js.api import RawStreamMsg, RetentionPolicy, StorageType, StreamConfig
from nats.js.client import JetStreamContext
from nats.js.errors import BadRequestError

from danvan.timeutil import as_utc, utcnow

DLQ_STREAM = "DLQ"
DEAD_PREFIX = "dlq.dead"
RETRY_PREFIX = "dlq.retry"
ALL_DEAD = f"{DEAD_PREFIX}.>"
# A dead letter published twice (the term of the original lost, so it came back and failed
# again) within this window is stored once.
DUPLICATE_WINDOW_SECONDS = 600.0
PUBLISH_TIMEOUT_SECONDS = 5.0

# Headers of origin, on dead letters and retries alike.
STREAM = "Danvan-Stream"
SEQUENCE = "Danvan-Sequence"
SUBJECT = "Danvan-Subject"
EVENT_ID = "Danvan-Event-Id"
# Headers of a dead letter only.
CONSUMER = "Danvan-Consumer"
DELIVERIES = "Danvan-Deliveries"
ERROR_TYPE = "Danvan-Error-Type"
ERROR = "Danvan-Error"
FAILED_AT = "Danvan-Failed-At"
# On a retry: the dead letter it came from.
RETRY_OF = "Danvan-Retry-Of"
# On a dead letter too large to store whole: the original's size (it keeps only its start; the
# original stays in its stream, where its origin headers point).
DATA_CUT = "Danvan-Data-Cut"
# Carried over from the original, so a dead letter and its retry stay in the request's trace.
KEPT_HEADERS = ("traceparent", "tracestate", "content-type")

MAX_ERROR_LENGTH = 500
# Printable ASCII but "%": header values must be ASCII on one line (nats-py reads others
# back as email Header objects), so anything else is percent-encoded.
_HEADER_SAFE = "".join(chr(c) for c in range(0x20, 0x7F) if chr(c) != "%")


def dead_subject(durable: str) -> str:
    return f"{DEAD_PREFIX}.{durable}"


def retry_subject(durable: str) -> str:
    return f"{RETRY_PREFIX}.{durable}"


def retry_durable(durable: str) -> str:
    """The second durable through which `durable`'s service reads its retries."""
    return f"{durable}-retry"


def consumer_of(subject: str) -> str:
    """The durable a `dlq.dead.<durable>` or `dlq.retry.<durable>` subject is for."""
    return subject.split(".", 2)[2]


def dlq_stream_config(*, replicas: int = 1, max_age_days: float = 30) -> StreamConfig:
    return StreamConfig(
        name=DLQ_STREAM,
        subjects=["dlq.>"],
        retention=RetentionPolicy.WORK_QUEUE,
        storage=StorageType.FILE,
        num_replicas=replicas,
        max_age=timedelta(days=max_age_days).total_seconds(),
        duplicate_window=DUPLICATE_WINDOW_SECONDS,
        description="Events danvan's consumers could not apply, and events to deliver again",
    )


async def ensure_dlq_stream(
    js: JetStreamContext, *, replicas: int = 1, max_age_days: float = 30
) -> None:
    """Declare (or update) the dead-letter stream: every service that consumes events does."""
    config = dlq_stream_config(replicas=replicas, max_age_days=max_age_days)
    try:
        await js.add_stream(config=config)
    except BadRequestError:
        await js.update_stream(config=config)


class Origin(NamedTuple):
    """Where a message was first published: its stream, its sequence there, its subject."""

    stream: str
    sequence: int
    subject: str


def origin_headers(origin: Origin, event_id: str | None) -> dict[str, str]:
    headers = {STREAM: origin.stream, SEQUENCE: str(origin.sequence), SUBJECT: origin.subject}
    if event_id:
        headers[EVENT_ID] = event_id
    return headers


def origin_from_headers(headers: Mapping[str, str] | None) -> Origin | None:
    """The origin a retry carries; None when its headers do not say (not one of ours)."""
    if not headers:
        return None
    stream, sequence, subject = (headers.get(name) for name in (STREAM, SEQUENCE, SUBJECT))
    if not stream or not subject or not sequence or not sequence.isdigit():
        return None
    return Origin(stream, int(sequence), subject)


def kept_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    return {name: headers[name] for name in KEPT_HEADERS if headers and name in headers}


def header_text(text: str, limit: int = MAX_ERROR_LENGTH) -> str:
    """`text` as one header value: on one line, at most `limit` characters, ASCII."""
    one_line = re.sub(r"\s+", " ", text).strip()
    if len(one_line) > limit:
        one_line = one_line[: limit - 1] + "…"
    return quote(one_line, safe=_HEADER_SAFE)


def dead_letter_headers(
    msg: Msg,
    *,
    consumer: str,
    origin: Origin,
    event_id: str | None,
    error: BaseException,
    read_from: tuple[str, int],
) -> dict[str, str]:
    """The headers of `msg`'s dead letter. `read_from` (the stream and sequence the consumer
    read it at: the original, or a retry in `DLQ`) names it for JetStream's deduplication, so
    a repeat is stored once while a retry that fails again is a new dead letter."""
    stream, sequence = read_from
    return {
        **kept_headers(msg.headers),
        **origin_headers(origin, event_id),
        CONSUMER: consumer,
        DELIVERIES: str(msg.metadata.num_delivered or 1),
        ERROR_TYPE: type(error).__name__,
        ERROR: header_text(str(error) or type(error).__name__),
        FAILED_AT: utcnow().isoformat(),
        "Nats-Msg-Id": f"dead:{consumer}:{stream}:{sequence}",
    }


def headers_size(headers: Mapping[str, str]) -> int:
    """The bytes `headers` take in a NATS message (`NATS/1.0`, a line each, a blank line)."""
    lines = sum(len(f"{name}: {value}\r\n".encode()) for name, value in headers.items())
    return len(b"NATS/1.0\r\n") + lines + len(b"\r\n")


def fitted(
    data: bytes, headers: dict[str, str], max_payload: int, *, added: Mapping[str, str]
) -> tuple[bytes, dict[str, str]]:
    """`data` and `headers` as one message the server takes, once the client has `added` its
    own headers: whole when they fit in its `max_payload`, else `data` cut and a header saying
    how large it was. A message just under the limit on an event subject grows past it by a
    dead letter's headers, and a server that is sent more than its limit closes the
    connection: the consumer's, for good."""
    if len(data) + headers_size({**headers, **added}) <= max_payload:
        return data, headers
    marked = {**headers, DATA_CUT: str(len(data))}
    return data[: max(0, max_payload - headers_size({**marked, **added}))], marked


async def publish_dead_letter(js: JetStreamContext, data: bytes, headers: dict[str, str]) -> None:
    """Store a dead letter, cut to fit the server's limit; raises unless JetStream acknowledged
    it."""
    # nats-py checks only the data against the limit, not data and headers together.
    max_payload = int(js._nc.max_payload)
    data, headers = fitted(
        data, headers, max_payload, added={api.Header.EXPECTED_STREAM: DLQ_STREAM}
    )
    await js.publish(
        dead_subject(headers[CONSUMER]),
        data,
        stream=DLQ_STREAM,
        headers=headers,
        timeout=PUBLISH_TIMEOUT_SECONDS,
    )


def retry_headers(
    origin: Origin, event_id: str | None, carried: Mapping[str, str] | None
) -> dict[str, str]:
    return {**kept_headers(carried), **origin_headers(origin, event_id)}


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A dead letter as stored in `DLQ`, read back for an operator."""

    sequence: int
    consumer: str
    origin: Origin | None
    event_id: str | None
    deliveries: int
    error_type: str
    error: str
    failed_at: datetime | None
    stored_at: datetime | None
    data: bytes
    headers: dict[str, str]

    @property
    def cut_from(self) -> int | None:
        """The original's size when the dead letter keeps only its start, else None."""
        size = self.headers.get(DATA_CUT, "")
        return int(size) if size.isdigit() else None

    @classmethod
    def from_stored(cls, raw: RawStreamMsg) -> DeadLetter:
        headers = {str(name): str(value) for name, value in (raw.headers or {}).items()}
        deliveries = headers.get(DELIVERIES, "")
        return cls(
            sequence=int(raw.seq or 0),
            consumer=headers.get(CONSUMER) or consumer_of(str(raw.subject)),
            origin=origin_from_headers(headers),
            event_id=headers.get(EVENT_ID),
            deliveries=int(deliveries) if deliveries.isdigit() else 0,
            error_type=headers.get(ERROR_TYPE, ""),
            error=unquote(headers.get(ERROR, "")),
            failed_at=_moment(headers.get(FAILED_AT)),
            stored_at=as_utc(raw.time) if raw.time else None,
            data=raw.data or b"",
            headers=headers,
        )

    def retry(self, origin: Origin) -> tuple[str, dict[str, Any]]:
        """The subject and headers of its retry: its origin, and `Nats-Msg-Id` naming this
        dead letter, so retrying it twice in a row stores one retry."""
        headers: dict[str, Any] = {
            **retry_headers(origin, self.event_id, self.headers),
            RETRY_OF: str(self.sequence),
            "Nats-Msg-Id": f"retry:{self.sequence}",
        }
        return retry_subject(self.consumer), headers


def _moment(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return as_utc(datetime.fromisoformat(text))
    except ValueError:
        return None
