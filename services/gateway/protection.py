"""What guards the gateway before a route runs: browser origins (CORS), security headers,
the size of request bodies, and how often one principal may call."""

from __future__ import annotations

import math
import time

import secure
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from danvan.config import Settings
from danvan.contracts.rpc import ErrorCode, Principal, ServiceError
from danvan.contracts.rpc import Message as Said
from services.gateway.errors import rendered
from services.gateway.language import negotiate

# ---- how often -----------------------------------------------------------------------------


class RateLimited(ServiceError):
    """429, with the seconds until the caller may try again."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            ErrorCode.RATE_LIMITED,
            Said(
                vi=f"quá nhiều yêu cầu: hãy thử lại sau {retry_after} giây",
                en=f"too many requests: try again in {retry_after} s",
            ),
        )
        self.headers = {"Retry-After": str(retry_after)}


class RateLimiter:
    """A moving window per principal, in this gateway process (each copy counts its own)."""

    def __init__(self, limit: str) -> None:
        self._item: RateLimitItem = parse(limit)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def check(self, principal: Principal) -> None:
        if self._limiter.hit(self._item, principal.sub):
            return
        reset_at, _ = self._limiter.get_window_stats(self._item, principal.sub)
        raise RateLimited(max(1, math.ceil(reset_at - time.time())))


# ---- headers ---------------------------------------------------------------------------------

# The API's answers are data, never pages: nothing may run or be framed.
_API_POLICY = "default-src 'none'; frame-ancestors 'none'"
# The documentation pages load their viewers (Swagger UI, ReDoc, AsyncAPI) from CDNs.
_DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net "
    "https://unpkg.com; style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net "
    "https://unpkg.com https://fonts.googleapis.com; font-src 'self' data: "
    "https://fonts.gstatic.com; img-src 'self' data: https:; worker-src blob:; "
    "frame-ancestors 'none'"
)
DOCS_PATHS = frozenset({"/docs", "/redoc", "/asyncapi", "/docs/oauth2-redirect"})


def _headers(policy: str) -> secure.Secure:
    return secure.Secure(
        csp=secure.ContentSecurityPolicy().set(policy),
        hsts=secure.StrictTransportSecurity().max_age(31536000).include_subdomains(),
        referrer=secure.ReferrerPolicy().no_referrer(),
        xcto=secure.XContentTypeOptions().nosniff(),
        xfo=secure.XFrameOptions().deny(),
        permissions=secure.PermissionsPolicy().geolocation().microphone().camera(),
        server=secure.Server().set(""),
    )


_API_HEADERS = _headers(_API_POLICY)
_DOCS_HEADERS = _headers(_DOCS_POLICY)


class SecurityHeaders:
    """Sets the security headers on every answer. A plain ASGI middleware: Starlette's
    `BaseHTTPMiddleware` runs the rest of the app in a task of its own and streams its answer
    through a memory channel, which cost about a millisecond of every request."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        chosen = _DOCS_HEADERS if scope["path"] in DOCS_PATHS else _API_HEADERS

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in chosen.headers.items():
                    headers[name] = value
            await send(message)

        await self._app(scope, receive, sending)


# ---- body size -------------------------------------------------------------------------------

_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})


class BodyLimit:
    """Reads a request's body before the route does, and answers 413 (and reads no further)
    once it passes the limit: uploads (multipart) may be larger than other bodies."""

    def __init__(self, app: ASGIApp, *, upload_bytes: int, body_bytes: int) -> None:
        self._app = app
        self._upload_bytes = upload_bytes
        self._body_bytes = body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _WITH_BODY:
            await self._app(scope, receive, send)
            return
        headers = {key.lower(): value for key, value in scope["headers"]}
        upload = headers.get(b"content-type", b"").startswith(b"multipart/")
        limit = self._upload_bytes if upload else self._body_bytes
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await self._too_large(headers, limit, send)
            return
        chunks: list[Message] = []
        size = 0
        while True:
            message = await receive()
            chunks.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > limit:
                await self._too_large(headers, limit, send)
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            return chunks.pop(0) if chunks else await receive()

        await self._app(scope, replay, send)

    @staticmethod
    async def _too_large(headers: dict[bytes, bytes], limit: int, send: Send) -> None:
        language = negotiate(headers.get(b"accept-language", b"").decode("latin-1"))
        megabytes = f"{limit / 2**20:g}"
        error = ServiceError(
            ErrorCode.TOO_LARGE,
            Said(
                vi=f"nội dung yêu cầu lớn hơn {megabytes} MB",
                en=f"the request body is larger than {megabytes} MB",
            ),
        )
        body = rendered(error, language).model_dump_json().encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def install_protection(app: FastAPI, settings: Settings) -> None:
    """Outermost first: CORS answers pre-flights before anything else runs."""
    app.add_middleware(SecurityHeaders)
    app.add_middleware(
        BodyLimit, upload_bytes=settings.max_upload_bytes, body_bytes=settings.max_body_bytes
    )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", "Accept-Language", "If-None-Match"],
        expose_headers=["ETag", "Retry-After", "Content-Disposition"],
        max_age=600,
    )
