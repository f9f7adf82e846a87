"""One error shape everywhere: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from danvan.contracts.rpc import ErrorCode, ErrorDetail, RpcError, ServiceError

STATUS_BY_CODE: dict[ErrorCode, int] = {
    ErrorCode.VALIDATION: 422,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.CONFLICT: 409,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.UNAVAILABLE: 503,
    ErrorCode.INTERNAL: 500,
}
CODE_BY_STATUS = {status: code for code, status in STATUS_BY_CODE.items()}


def error_response(error: ServiceError) -> JSONResponse:
    body = {
        "error": RpcError(code=error.code, message=error.message, details=error.details).model_dump(
            mode="json"
        )
    }
    headers = {"WWW-Authenticate": "Bearer"} if error.code is ErrorCode.UNAUTHENTICATED else None
    return JSONResponse(body, status_code=STATUS_BY_CODE[error.code], headers=headers)


def _field_path(location: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """`("body", "name")` → `("name",)`, `("query", "period")` → `("period",)`."""
    if location and location[0] in ("body", "query", "path", "header"):
        return location[1:]
    return location


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def service_error(_request: Request, error: ServiceError) -> JSONResponse:
        return error_response(error)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, error: RequestValidationError) -> JSONResponse:
        details = [
            ErrorDetail(
                field=".".join(str(part) for part in _field_path(item["loc"])) or None,
                reason=item["msg"],
            )
            for item in error.errors()
        ]
        return error_response(ServiceError(ErrorCode.VALIDATION, "invalid request", details))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = CODE_BY_STATUS.get(error.status_code, ErrorCode.INTERNAL)
        return error_response(ServiceError(code, str(error.detail)))
