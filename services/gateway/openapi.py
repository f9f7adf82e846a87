"""Shared OpenAPI declarations."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from danvan.contracts.rpc import RpcError


class ErrorResponse(BaseModel):
    error: RpcError


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "no valid bearer token"},
    403: {"model": ErrorResponse, "description": "outside the caller's unit or role"},
    404: {"model": ErrorResponse, "description": "not found"},
    409: {"model": ErrorResponse, "description": "not allowed in the record's present state"},
    422: {"model": ErrorResponse, "description": "invalid input: `details` names the field"},
    503: {"model": ErrorResponse, "description": "a service did not answer"},
}
