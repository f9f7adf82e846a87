"""Dependencies of the gateway's routes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from faststream.nats import NatsBroker
from pydantic import BaseModel

from danvan.bus import call, rpc_subject
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


class Services:
    """The services behind the gateway, asked over NATS with the configured deadline."""

    def __init__(self, broker: NatsBroker, settings: Settings) -> None:
        self._broker = broker
        self._settings = settings

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
            timeout=timeout or self._settings.rpc_timeout,
        )


def get_services(request: Request) -> Services:
    return Services(get_broker(request), get_settings(request))


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
ServicesDep = Annotated[Services, Depends(get_services)]
