"""Counting an HTTP API's requests and timing them, by method, route template and status."""

from __future__ import annotations

import time

from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from danvan import metrics

#: The route of a request no route matches: one label for every unknown path.
UNMATCHED = "unmatched"


class HttpMetrics:
    """Outermost middleware: what it times includes every other middleware."""

    def __init__(self, app: ASGIApp, *, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the server answers when the app raises before its answer

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            labels = (self.service, scope["method"], _route(scope), str(status))
            metrics.http_requests.labels(*labels).inc()
            metrics.http_duration.labels(*labels).observe(time.perf_counter() - started)


def _route(scope: Scope) -> str:
    """The route template (`/api/v1/models/{model_id}`), never the path itself, so that the
    labels stay few. The router notes the route it chose; a request answered before routing
    (a body too large) is matched here."""
    route: BaseRoute | None = scope.get("route")
    if route is None:
        for candidate in getattr(scope.get("app"), "routes", ()):
            if candidate.matches(scope)[0] is Match.FULL:
                route = candidate
                break
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED
