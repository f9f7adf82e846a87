"""The bus: the broker factory, the event streams and who owns them, publishing for the
outbox relay, and request/reply with the one reply shape."""

from __future__ import annotations

import logging
import time
import weakref
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from faststream.nats import NatsBroker
from faststream.nats.opentelemetry import NatsTelemetryMiddleware
from faststream.security import SASLPlaintext
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import StorageType, StreamConfig
from nats.js.errors import BadRequestError
from opentelemetry import context, propagate
from pydantic import BaseModel, ValidationError
from pydantic_core import from_json, to_json
from sqlalchemy.exc import DBAPIError

from danvan import metrics
from danvan.answer_by import answering_within, still_awaited
from danvan.config import Settings
from danvan.contracts.rpc import (
    ErrorCode,
    ErrorDetail,
    Message,
    Principal,
    RpcFailed,
    RpcRequest,
    ServiceError,
)
from danvan.outbox import CONTENT_TYPE, MAX_RETRY_DELAY, OutgoingEvent, Publish
from danvan.telemetry import tracer_provider
from danvan.text import unstorable_paths
from danvan.timeutil import utcnow
from danvan.validation_errors import INVALID_REQUEST, validation_details

log = logging.getLogger(__name__)

# Longer than the relay's worst retry delay, so a republished event is dropped by JetStream.
DUPLICATE_WINDOW_SECONDS = max(600.0, 4 * MAX_RETRY_DELAY.total_seconds())
PUBLISH_TIMEOUT_SECONDS = 5.0

# One stream per producing service, declared only by its owner.
EVENT_STREAMS: dict[str, str] = {
    "registry": "REGISTRY",
    "reception": "RECEPTION",
    "reporting": "REPORTING",
}


def stream_name(service: str) -> str:
    return EVENT_STREAMS[service]


def stream_config(service: str, *, replicas: int = 1) -> StreamConfig:
    return StreamConfig(
        name=stream_name(service),
        subjects=[f"evt.{service}.>"],
        storage=StorageType.FILE,
        duplicate_window=DUPLICATE_WINDOW_SECONDS,
        num_replicas=replicas,
        description=f"Events of the danvan {service} service",
    )


def nats_servers(settings: Settings, nats_url: str | None = None) -> list[str]:
    """The servers to connect to: `nats_url` when given (comma-separated), else the settings'."""
    if nats_url:
        return [url.strip() for url in nats_url.split(",") if url.strip()]
    return settings.nats_servers()


def inbox_prefix(user: str) -> str:
    """Where a connection takes its replies (rpc, JetStream API, fetched messages): an inbox of
    the NATS user's own, so that the server's permissions let each user read only its own
    replies (deploy/nats/permissions.conf allows `_INBOX.<user>.>` and no other inbox)."""
    return f"_INBOX.{user}" if user else "_INBOX"


# Which service each broker belongs to, so that `call` labels its timings with the caller.
_broker_service: weakref.WeakKeyDictionary[NatsBroker, str] = weakref.WeakKeyDictionary()


def make_broker(settings: Settings, service: str, *, nats_url: str | None = None) -> NatsBroker:
    """A broker that reconnects for ever, traces every message and drains on shutdown.

    Its first connect also retries for ever, silently: a service waits for NATS first
    (`danvan.startup`), and says so."""
    broker = NatsBroker(
        servers=nats_servers(settings, nats_url),
        security=SASLPlaintext(
            username=settings.nats_user, password=settings.nats_password.get_secret_value()
        )
        if settings.nats_user
        else None,
        inbox_prefix=inbox_prefix(settings.nats_user),
        name=f"danvan-{service}",
        allow_reconnect=True,
        max_reconnect_attempts=-1,
        reconnect_time_wait=1,
        connect_timeout=5,
        graceful_timeout=settings.graceful_timeout,
        # Closing drains what is left (replies, notes); it must not hold an exit for long.
        drain_timeout=max(1, round(settings.graceful_timeout)),
        middlewares=[NatsTelemetryMiddleware(tracer_provider=tracer_provider())],
        # FastStream's own loggers write coloured text to stdout and do not propagate; this
        # one (outside their "faststream" tree) goes through the process's handler.
        logger=logging.getLogger("danvan.faststream"),
        # The level of FastStream's per-message lines, not a threshold: keep them at DEBUG.
        log_level=logging.DEBUG,
    )
    _broker_service[broker] = service
    return broker


async def ensure_stream(broker: NatsBroker, service: str, *, replicas: int = 1) -> None:
    """Declare (or update) the service's own event stream. Only the owner calls this."""
    js = broker.config.connection_state.stream
    config = stream_config(service, replicas=replicas)
    try:
        await js.add_stream(config=config)
    except BadRequestError:
        await js.update_stream(config=config)


def relay_publisher(broker: NatsBroker) -> Publish:
    """Publish an outbox row with `Nats-Msg-Id`, continuing the trace the writer started."""

    async def publish(event: OutgoingEvent) -> None:
        token = context.attach(propagate.extract(event.headers))
        try:
            await broker.publish(
                event.body,
                event.subject,
                headers={"Nats-Msg-Id": event.event_id, "content-type": CONTENT_TYPE},
                stream=event.stream,
                timeout=PUBLISH_TIMEOUT_SECONDS,
            )
        finally:
            context.detach(token)

    return publish


# ---- request/reply ----------------------------------------------------------------------

Req = TypeVar("Req", bound=BaseModel)
Res = TypeVar("Res", bound=BaseModel)


def rpc_subject(service: str, resource: str, action: str) -> str:
    return f"rpc.{service}.{resource}.{action}"


def register_rpc(
    broker: NatsBroker,
    subject: str,
    *,
    queue: str,
    request_type: type[Req],
    handler: Callable[[Principal, Req], Awaitable[BaseModel | list[Any] | dict[str, Any]]],
) -> None:
    """Answer `subject` in the service's queue group with the one reply shape."""

    service = subject.split(".")[1]

    async def answer(body: dict[str, Any]) -> bytes:
        started = time.perf_counter()
        reply = await handle_rpc(body, request_type, handler)
        outcome = reply_outcome(reply)
        written = reply_body(reply)
        metrics.rpc_requests.labels(service, subject, outcome).inc()
        metrics.rpc_duration.labels(service, subject, outcome).observe(
            time.perf_counter() - started
        )
        return written

    answer.__name__ = f"rpc_{subject.replace('.', '_')}"
    broker.subscriber(subject, queue=queue, title=subject)(answer)


def reply_outcome(reply: dict[str, Any]) -> str:
    """`ok`, or the error code a reply carries: the outcome label of the rpc metrics."""
    if reply.get("ok"):
        return "ok"
    error = reply.get("error")
    return str(error.get("code", "unknown")) if isinstance(error, dict) else "unknown"


DATABASE_UNAVAILABLE = Message(
    vi="cơ sở dữ liệu của dịch vụ đang không truy cập được: hãy thử lại sau",
    en="the service's database is unavailable",
)
INTERNAL_ERROR = Message(vi="lỗi nội bộ của hệ thống", en="internal error")


async def handle_rpc(
    body: Any,
    request_type: type[Req],
    handler: Callable[[Principal, Req], Awaitable[BaseModel | list[Any] | dict[str, Any]]],
) -> dict[str, Any]:
    try:
        envelope = RpcRequest[dict[str, Any]].model_validate(body)
        data = request_type.model_validate(envelope.data)
    except ValidationError as error:
        return ServiceError(
            ErrorCode.VALIDATION, INVALID_REQUEST, validation_details(error.errors())
        ).to_reply()
    unstorable = unstorable_paths(envelope.data)
    if unstorable:
        return unstorable_text(unstorable).to_reply()
    try:
        with answering_within(envelope.timeout, envelope.sent_at):
            # A request that waited in a queue past its caller's patience is not begun.
            still_awaited()
            result = await handler(envelope.principal, data)
    except ServiceError as error:
        return error.to_reply()
    except (DBAPIError, OSError) as error:
        # The service's own database is unreachable: the caller may retry; nothing was written.
        log.warning("rpc handler could not reach its database: %s", error)
        return ServiceError(ErrorCode.UNAVAILABLE, DATABASE_UNAVAILABLE).to_reply()
    except Exception:
        log.exception("rpc handler failed")
        return ServiceError(ErrorCode.INTERNAL, INTERNAL_ERROR).to_reply()
    # The handler's models as they are: `reply_body` writes them.
    return {"ok": True, "data": result}


def reply_body(reply: dict[str, Any]) -> bytes:
    """A reply as JSON, written by pydantic's serializer straight from the handler's models
    (the shape RpcOk describes). A national figures view is some 140 KB: turning its models
    into dicts first and the dicts into JSON then took three times as long."""
    return to_json(reply)


UNSTORABLE_TEXT = Message(
    vi="không được chứa ký tự NUL (U+0000) hay nửa cặp UTF-16 đứng lẻ",
    en="must not contain the NUL character (U+0000) or a lone UTF-16 surrogate",
)


def unstorable_text(paths: list[str]) -> ServiceError:
    """Refused before a handler runs: PostgreSQL would refuse it mid-write, SQLite keep it."""
    return ServiceError(
        ErrorCode.VALIDATION,
        Message(vi="văn bản có ký tự không lưu được", en="text with characters not kept"),
        [ErrorDetail(field=path or None, reason=UNSTORABLE_TEXT) for path in paths],
    )


async def call(
    broker: NatsBroker,
    subject: str,
    principal: Principal,
    data: BaseModel | dict[str, Any],
    *,
    timeout: float,
) -> Any:
    """Send a request; return the reply's data or raise the ServiceError it carried."""
    started = time.perf_counter()
    outcome = ErrorCode.INTERNAL.value
    try:
        reply = await _ask(broker, subject, principal, data, timeout=timeout)
        outcome = reply_outcome(reply)
    except ServiceError as error:
        outcome = error.code.value
        raise
    finally:
        metrics.rpc_client_duration.labels(
            _broker_service.get(broker, ""), subject, outcome
        ).observe(time.perf_counter() - started)
    if reply.get("ok"):
        return reply.get("data")
    failure = RpcFailed.model_validate(reply).error
    raise ServiceError(failure.code, failure.message, failure.details)


async def _ask(
    broker: NatsBroker,
    subject: str,
    principal: Principal,
    data: BaseModel | dict[str, Any],
    *,
    timeout: float,
) -> dict[str, Any]:
    """The reply's body; ServiceError(UNAVAILABLE) when nobody answered in time."""
    payload = data.model_dump(mode="json") if isinstance(data, BaseModel) else data
    request = {
        "principal": principal.model_dump(mode="json"),
        "data": payload,
        "timeout": timeout,
        "sent_at": utcnow().isoformat(),
    }
    try:
        reply = await broker.request(request, subject, timeout=timeout)
    except (TimeoutError, NatsTimeoutError) as error:
        service = subject.split(".")[1]
        raise ServiceError(
            ErrorCode.UNAVAILABLE,
            Message(
                vi=f"dịch vụ {service} không trả lời trong {timeout} giây",
                en=f"{service} did not answer in {timeout} s",
            ),
        ) from error
    except NoRespondersError as error:
        service = subject.split(".")[1]
        raise ServiceError(
            ErrorCode.UNAVAILABLE,
            Message(vi=f"dịch vụ {service} đang không chạy", en=f"{service} is not running"),
        ) from error
    body: dict[str, Any] = from_json(reply.body)
    return body


class ServiceClient:
    """Asks the services over NATS by service, resource and action, with a default deadline:
    what the gateway and commands beside the platform (`danvan import models`) share."""

    def __init__(self, broker: NatsBroker, default_timeout: float) -> None:
        self._broker = broker
        self._default_timeout = default_timeout

    async def ask(
        self,
        service: str,
        resource: str,
        action: str,
        principal: Principal,
        data: BaseModel | dict[str, Any],
        *,
        timeout: float | None = None,
    ) -> Any:
        return await call(
            self._broker,
            rpc_subject(service, resource, action),
            principal,
            data,
            timeout=timeout or self._default_timeout,
        )
