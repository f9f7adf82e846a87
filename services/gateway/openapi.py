"""Shared OpenAPI declarations: the one error shape every route answers with."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from danvan.contracts.rpc import ErrorCode


class ApiErrorDetail(BaseModel):
    """One thing wrong with a request."""

    field: str | None = Field(default=None, examples=["unit_code"])
    reason: str = Field(examples=["không có đơn vị hành chính 99999"])
    hint: str | None = None
    row: int | None = Field(
        default=None, description="the spreadsheet row (header is row 1), for imports"
    )


class ApiError(BaseModel):
    code: ErrorCode
    message: str = Field(
        description="in Vietnamese, or in English when `Accept-Language` prefers it",
        examples=["yêu cầu không hợp lệ"],
    )
    details: list[ApiErrorDetail] = []


class ErrorResponse(BaseModel):
    error: ApiError


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "no valid bearer token"},
    403: {"model": ErrorResponse, "description": "outside the caller's unit or role"},
    404: {"model": ErrorResponse, "description": "not found"},
    409: {"model": ErrorResponse, "description": "not allowed in the record's present state"},
    422: {"model": ErrorResponse, "description": "invalid input: `details` names the field"},
    413: {"model": ErrorResponse, "description": "the request body is too large"},
    429: {
        "model": ErrorResponse,
        "description": "too many requests from this principal: `Retry-After` says when to "
        "try again",
    },
    503: {"model": ErrorResponse, "description": "a service did not answer"},
}
