"""One error shape everywhere: {"error": {"code", "message", "details"}}, in the caller's
language (Vietnamese unless `Accept-Language` prefers English)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from danvan.contracts.rpc import ErrorCode, ErrorDetail, Language, Message, ServiceError
from danvan.validation_errors import (
    FIELD,
    INVALID_REQUEST,
    PARAMETER,
    dotted,
    validation_detail,
)
from services.gateway.language import request_language
from services.gateway.openapi import ApiError, ApiErrorDetail, ErrorResponse

STATUS_BY_CODE: dict[ErrorCode, int] = {
    ErrorCode.VALIDATION: 422,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.CONFLICT: 409,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.UNAVAILABLE: 503,
    ErrorCode.INTERNAL: 500,
    ErrorCode.TOO_LARGE: 413,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.METHOD_NOT_ALLOWED: 405,
}
CODE_BY_STATUS = {status: code for code, status in STATUS_BY_CODE.items()}
# A body the framework could not parse (broken JSON, not multipart) is invalid input like any
# other: 422, as FastAPI answers for a JSON decode error.
CODE_BY_STATUS[400] = ErrorCode.VALIDATION


def rendered(error: ServiceError, language: Language) -> ErrorResponse:
    return ErrorResponse(
        error=ApiError(
            code=error.code,
            message=error.message.in_language(language),
            details=[_detail(detail, language) for detail in error.details],
        )
    )


def _detail(detail: ErrorDetail, language: Language) -> ApiErrorDetail:
    return ApiErrorDetail(
        field=detail.field,
        reason=detail.reason.in_language(language),
        hint=detail.hint.in_language(language) if detail.hint else None,
        row=detail.row,
    )


def error_response(
    error: ServiceError, language: Language, headers: dict[str, str] | None = None
) -> JSONResponse:
    if error.code is ErrorCode.UNAUTHENTICATED:
        headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
    return JSONResponse(
        rendered(error, language).model_dump(mode="json"),
        status_code=STATUS_BY_CODE[error.code],
        headers=headers,
    )


_PARAMETER_PLACES = ("query", "path", "header")


def _request_detail(item: Mapping[str, Any]) -> ErrorDetail:
    """`("body", "name")` is the field `name`; `("query", "period")` the parameter `period`."""
    location = tuple(item.get("loc", ()))
    if item.get("type") == "json_invalid":  # located at a character offset, not a field
        return validation_detail(item, None)
    if location and location[0] in _PARAMETER_PLACES:
        return validation_detail(item, dotted(location[1:]), PARAMETER)
    if location and location[0] == "body":
        location = location[1:]
    return validation_detail(item, dotted(location), FIELD)


HTTP_MESSAGES: dict[int, str] = {
    400: "yêu cầu không đúng cú pháp",
    401: "cần đăng nhập: yêu cầu này phải có mã truy cập",
    403: "không được phép thực hiện yêu cầu này",
    404: "không có địa chỉ này",
    405: "địa chỉ này không nhận phương thức HTTP đó",
    406: "không trả lời được theo định dạng yêu cầu",
    413: "nội dung gửi lên quá lớn",
    415: "không nhận kiểu nội dung này",
    429: "quá nhiều yêu cầu: hãy thử lại sau",
    500: "lỗi nội bộ của hệ thống",
    503: "dịch vụ tạm thời không phục vụ được: hãy thử lại sau",
}


# What the framework says in English where its own words ("Not Found") say less.
HTTP_ENGLISH: dict[int, str] = {
    400: "the request body could not be read",
    404: "no such path",
    405: "method not allowed at this path",
}


def _http_message(error: StarletteHTTPException) -> Message:
    """Starlette's own refusals (an unknown path, a method not allowed), in both languages."""
    english = HTTP_ENGLISH.get(error.status_code, str(error.detail))
    vietnamese = HTTP_MESSAGES.get(error.status_code)
    if vietnamese is None:
        return Message(vi=f"yêu cầu không được đáp ứng (HTTP {error.status_code})", en=english)
    return Message(vi=vietnamese, en=english)


UNEXPECTED = Message(
    vi="lỗi không lường trước của cổng API; lỗi đã được ghi lại",
    en="an unexpected error in the gateway; it has been logged",
)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def service_error(request: Request, error: ServiceError) -> JSONResponse:
        return error_response(error, request_language(request), getattr(error, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        details = [_request_detail(item) for item in error.errors()]
        return error_response(
            ServiceError(ErrorCode.VALIDATION, INVALID_REQUEST, details), request_language(request)
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = CODE_BY_STATUS.get(error.status_code, ErrorCode.INTERNAL)
        return error_response(
            ServiceError(code, _http_message(error)),
            request_language(request),
            dict(error.headers) if error.headers else None,
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        # Starlette logs the exception after this answer: the shape stays the same for a bug.
        return error_response(
            ServiceError(ErrorCode.INTERNAL, UNEXPECTED), request_language(request)
        )
