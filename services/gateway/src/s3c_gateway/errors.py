"""The seed's error envelope `{success: false, error}` for every failure, and status mapping."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

STATUS_BY_CODE = {
    "invalid": 400,
    "not_found": 404,
    "conflict": 409,
    "too_large": 413,
    "busy": 429,
    "unavailable": 503,
}


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        code: str = "",
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.field = field
        self.headers = headers


def error_body(message: str, code: str = "", field: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"success": False, "error": message}
    if code:
        body["code"] = code
    if field:
        body["field"] = field
    return body


def describe_validation(exc: RequestValidationError) -> tuple[str, str | None]:
    err = exc.errors()[0]
    loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
    field = ".".join(loc) or None
    if err.get("type") == "json_invalid":
        return f"malformed JSON body: {err.get('ctx', {}).get('error', err['msg'])}", None
    if field is None:
        return f"request body: {err['msg']}", None
    if err.get("type") == "extra_forbidden":
        return f"{field}: unknown key '{loc[-1]}'", field
    return f"{field}: {err['msg']}", field


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(
            error_body(exc.message, exc.code, exc.field),
            status_code=exc.status,
            headers=exc.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        message, field = describe_validation(exc)
        return JSONResponse(error_body(message, "invalid", field), status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(error_body(str(exc.detail)), status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(error_body(f"internal error: {type(exc).__name__}"), status_code=500)
