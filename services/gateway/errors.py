"""One error shape everywhere: {"error": {"code", "message", "details"}}, in the caller's
language (Vietnamese unless `Accept-Language` prefers English)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from danvan.contracts.rpc import ErrorCode, ErrorDetail, Language, Message, ServiceError
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


def _field_path(location: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """`("body", "name")` → `("name",)`, `("query", "period")` → `("period",)`."""
    if location and location[0] in ("body", "query", "path", "header"):
        return location[1:]
    return location


INVALID_REQUEST = Message(vi="yêu cầu không hợp lệ", en="invalid request")
UNEXPECTED = Message(
    vi="lỗi không lường trước của cổng API; lỗi đã được ghi lại",
    en="an unexpected error in the gateway; it has been logged",
)
# What the framework says itself (routing, body parsing), in both languages.
FRAMEWORK_MESSAGES: dict[int, Message] = {
    400: Message(vi="không đọc được nội dung yêu cầu", en="the request body could not be read"),
    404: Message(vi="không có đường dẫn này", en="no such path"),
    405: Message(
        vi="phương thức không được hỗ trợ tại đường dẫn này",
        en="method not allowed at this path",
    ),
}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def service_error(request: Request, error: ServiceError) -> JSONResponse:
        return error_response(error, request_language(request), getattr(error, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        details = [
            ErrorDetail(
                field=".".join(str(part) for part in _field_path(item["loc"])) or None,
                reason=item["msg"],
            )
            for item in error.errors()
        ]
        return error_response(
            ServiceError(ErrorCode.VALIDATION, INVALID_REQUEST, details), request_language(request)
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = CODE_BY_STATUS.get(error.status_code, ErrorCode.INTERNAL)
        message = FRAMEWORK_MESSAGES.get(error.status_code, str(error.detail))
        # The framework's headers matter: `Allow` on a 405.
        headers = dict(error.headers) if error.headers else None
        return error_response(ServiceError(code, message), request_language(request), headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        # Starlette logs the exception after this answer: the shape stays the same for a bug.
        return error_response(
            ServiceError(ErrorCode.INTERNAL, UNEXPECTED), request_language(request)
        )
