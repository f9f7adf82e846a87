"""Shared OpenAPI declarations: the one error shape every route answers with, and what each
error status means, with an example of each."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from danvan.contracts.rpc import ErrorCode
from danvan.spreadsheets import XLSX_MEDIA_TYPE


class ApiErrorDetail(BaseModel):
    """One thing wrong with a request."""

    field: str | None = Field(
        default=None,
        description="a dotted path into the request (`entries.3.period`), or null",
        examples=["unit_code"],
    )
    reason: str = Field(examples=["không có đơn vị hành chính nào mang mã 99999"])
    hint: str | None = Field(default=None, description="what to do instead, when known")
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
    """Every error, from every route: `{"error": {"code", "message", "details"}}`."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "error": {
                        "code": "validation_error",
                        "message": "yêu cầu không hợp lệ",
                        "details": [
                            {
                                "field": "unit_code",
                                "reason": "không có đơn vị hành chính nào mang mã 99999",
                                "hint": None,
                                "row": None,
                            }
                        ],
                    }
                }
            ]
        }
    )

    error: ApiError


def _error(
    description: str,
    code: ErrorCode,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, Any] | None = None,
) -> dict[str, Any]:
    example = {"error": {"code": code.value, "message": message, "details": details or []}}
    response: dict[str, Any] = {
        "model": ErrorResponse,
        "description": description,
        "content": {"application/json": {"example": example}},
    }
    if headers:
        response["headers"] = headers
    return response


SPREADSHEET_UPLOAD: dict[str, Any] = {
    "requestBody": {
        "content": {
            "multipart/form-data": {
                "encoding": {"file": {"contentType": f"text/csv, {XLSX_MEDIA_TYPE}"}}
            }
        }
    }
}
"""For a route's `openapi_extra`: the upload's `file` part is a CSV or an XLSX file."""


def json_example(example: Any) -> dict[str, Any]:
    """A `responses` entry giving a JSON answer's example, for a type with none of its own."""
    return {"content": {"application/json": {"example": example}}}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _error(
        "no valid bearer token",
        ErrorCode.UNAUTHENTICATED,
        "cần có mã thông báo (bearer token)",
        headers={
            "WWW-Authenticate": {"description": "`Bearer`", "schema": {"type": "string"}},
        },
    ),
    403: _error(
        "outside the caller's unit or role",
        ErrorCode.FORBIDDEN,
        "Phường Hồng Hà (00097) nằm ngoài phạm vi của người dùng",
    ),
    404: _error("not found", ErrorCode.NOT_FOUND, "không tìm thấy mô hình"),
    409: _error(
        "not allowed in the record's present state",
        ErrorCode.CONFLICT,
        "mô hình đang ở phiên bản 3, không phải 2: hãy tải lại và thử lại",
    ),
    413: _error(
        "the request body is too large", ErrorCode.TOO_LARGE, "nội dung yêu cầu lớn hơn 1 MB"
    ),
    422: _error(
        "invalid input: `details` names the field",
        ErrorCode.VALIDATION,
        "yêu cầu không hợp lệ",
        details=[
            {
                "field": "unit_code",
                "reason": "không có đơn vị hành chính nào mang mã 99999",
                "hint": None,
                "row": None,
            }
        ],
    ),
    429: _error(
        "too many requests from this principal: `Retry-After` says when to try again",
        ErrorCode.RATE_LIMITED,
        "quá nhiều yêu cầu: hãy thử lại sau 12 giây",
        headers={
            "Retry-After": {
                "description": "seconds until the principal may call again",
                "schema": {"type": "integer", "minimum": 1},
            }
        },
    ),
    500: _error("an unexpected error; it is logged", ErrorCode.INTERNAL, "lỗi không lường trước"),
    503: _error(
        "a service (or the identity provider's keys) did not answer in time: try again",
        ErrorCode.UNAVAILABLE,
        "reporting không trả lời trong 5.0 giây",
    ),
}
"""The errors of an authenticated route. Every error has the one shape, in the caller's
language (Vietnamese unless `Accept-Language` prefers English); a route's own description
says which of them its rules can give."""


# ---- the document as FastAPI makes it, with its examples' nulls put back --------------------


def with_nulls_restored(document: dict[str, Any]) -> dict[str, Any]:
    """FastAPI drops every null from the document it makes, examples included
    (fastapi/fastapi#5559), so an example of a required field that may be null (a petition's
    `conclusion` before it is concluded) loses the field and breaks its own schema. A
    required field missing from an example was null there: this puts it back."""
    schemas: dict[str, Any] = document.get("components", {}).get("schemas", {})
    for schema in schemas.values():
        for example in schema.get("examples", []):
            _restore(example, schema, schemas)
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            bodies = [operation.get("requestBody", {}), *operation.get("responses", {}).values()]
            for body in bodies:
                for media in body.get("content", {}).values():
                    if "example" in media and "schema" in media:
                        _restore(media["example"], media["schema"], schemas)
    return document


def _resolved(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = schemas[str(schema["$ref"]).rsplit("/", 1)[-1]]
    return schema


def _options(schema: dict[str, Any], schemas: dict[str, Any]) -> list[dict[str, Any]]:
    """The schema and the schemas it is made of (anyOf, oneOf, allOf), resolved."""
    schema = _resolved(schema, schemas)
    found = [schema]
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            found += _options(option, schemas)
    return found


def _admits_null(schema: dict[str, Any], schemas: dict[str, Any]) -> bool:
    for option in _options(schema, schemas):
        kind = option.get("type")
        if kind == "null" or (isinstance(kind, list) and "null" in kind):
            return True
    return False


def _restore(example: Any, schema: dict[str, Any], schemas: dict[str, Any]) -> None:
    options = _options(schema, schemas)
    if isinstance(example, dict):
        for option in options:
            properties: dict[str, Any] = option.get("properties", {})
            for name in option.get("required", []):
                if name not in example and _admits_null(properties.get(name, {}), schemas):
                    example[name] = None
            extra = option.get("additionalProperties")
            for name, value in example.items():
                if name in properties:
                    _restore(value, properties[name], schemas)
                elif isinstance(extra, dict):
                    _restore(value, extra, schemas)
    elif isinstance(example, list):
        for option in options:
            if isinstance(option.get("items"), dict):
                for value in example:
                    _restore(value, option["items"], schemas)
