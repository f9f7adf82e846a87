"""Dependencies of the gateway's routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from faststream.nats import NatsBroker

from danvan.bus import ServiceClient
from danvan.clock import Clock, SystemClock
from danvan.config import Settings
from danvan.contracts.rpc import ErrorCode, Message, Principal, ServiceError
from danvan.jwks import KeySetUnavailable
from danvan.tokens import InvalidToken, TokenVerifier
from danvan.units import UnitTree
from services.gateway.protection import RateLimiter
from services.gateway.view_cache import ViewCache

TOKEN_REQUIRED = Message(
    vi="cần có mã truy cập (bearer token) để thực hiện yêu cầu này",
    en="a bearer token is required",
)

_bearer = HTTPBearer(
    auto_error=False,
    bearerFormat="JWT",
    description="a JWT: `danvan token --unit CODE --role ROLE` prints one for trying the API",
)


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_broker(request: Request) -> NatsBroker:
    broker: NatsBroker = request.app.state.runtime.broker
    return broker


def get_units(request: Request) -> UnitTree:
    units: UnitTree = request.app.state.units
    return units


def get_view_cache(request: Request) -> ViewCache:
    cache: ViewCache = request.app.state.view_cache
    return cache


def get_clock(request: Request) -> Clock:
    # create_app sets the clock; an app assembled from routers alone runs on the system's.
    clock: Clock = getattr(request.app.state, "clock", None) or SystemClock()
    return clock


def get_services(request: Request) -> ServiceClient:
    return ServiceClient(get_broker(request), get_settings(request).rpc_timeout)


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise ServiceError(ErrorCode.UNAUTHENTICATED, TOKEN_REQUIRED)
    verifier: TokenVerifier = request.app.state.token_verifier
    try:
        return await verifier.verify(credentials.credentials)
    except InvalidToken as error:
        raise ServiceError(
            ErrorCode.UNAUTHENTICATED,
            Message(vi=error.message.vi, en=f"invalid token: {error.message.en}"),
        ) from error
    except KeySetUnavailable as error:
        # The token may well be good: a 401 would make a portal drop a valid session.
        raise ServiceError(
            ErrorCode.UNAVAILABLE,
            Message(
                vi="không lấy được khóa của hệ thống xác thực để kiểm tra mã truy cập; "
                "hãy thử lại sau ít phút",
                en="the identity provider's keys could not be fetched to verify the token; "
                "try again shortly",
            ),
        ) from error


def limited_principal(
    request: Request, principal: Annotated[Principal, Depends(current_principal)]
) -> Principal:
    """The verified caller, within its rate limit (429 beyond it)."""
    limiter: RateLimiter = request.app.state.rate_limiter
    limiter.check(principal)
    return principal


SettingsDep = Annotated[Settings, Depends(get_settings)]
BrokerDep = Annotated[NatsBroker, Depends(get_broker)]
UnitsDep = Annotated[UnitTree, Depends(get_units)]
CurrentPrincipal = Annotated[Principal, Depends(limited_principal)]
ServicesDep = Annotated[ServiceClient, Depends(get_services)]
ViewCacheDep = Annotated[ViewCache, Depends(get_view_cache)]
ClockDep = Annotated[Clock, Depends(get_clock)]
