"""Dependencies of the gateway's routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from faststream.nats import NatsBroker

from danvan.bus import ServiceClient
from danvan.clock import Clock, SystemClock
from danvan.config import Settings
from danvan.contracts.rpc import ErrorCode, Principal, ServiceError
from danvan.tokens import InvalidToken, verify_token
from danvan.units import UnitTree

_bearer = HTTPBearer(auto_error=False, description="a JWT: `danvan token --unit CODE --role ROLE`")


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_broker(request: Request) -> NatsBroker:
    broker: NatsBroker = request.app.state.runtime.broker
    return broker


def get_units(request: Request) -> UnitTree:
    units: UnitTree = request.app.state.units
    return units


def get_clock(request: Request) -> Clock:
    # create_app sets the clock; an app assembled from routers alone runs on the system's.
    clock: Clock = getattr(request.app.state, "clock", None) or SystemClock()
    return clock


def get_services(request: Request) -> ServiceClient:
    return ServiceClient(get_broker(request), get_settings(request).rpc_timeout)


def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise ServiceError(ErrorCode.UNAUTHENTICATED, "a bearer token is required")
    try:
        return verify_token(request.app.state.signing_secret, credentials.credentials)
    except InvalidToken as error:
        raise ServiceError(ErrorCode.UNAUTHENTICATED, f"invalid token: {error}") from error


SettingsDep = Annotated[Settings, Depends(get_settings)]
BrokerDep = Annotated[NatsBroker, Depends(get_broker)]
UnitsDep = Annotated[UnitTree, Depends(get_units)]
CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
ServicesDep = Annotated[ServiceClient, Depends(get_services)]
ClockDep = Annotated[Clock, Depends(get_clock)]
