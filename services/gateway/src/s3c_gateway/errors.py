"""The seed's error envelope `{success: false, error, code, field}` for every failure, the
status each code maps to, and how the OpenAPI document describes them."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

STATUS_BY_CODE = {
    "invalid": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "too_large": 413,
    "busy": 429,
    "unavailable": 503,
}
CODE_BY_STATUS = {status: code for code, status in STATUS_BY_CODE.items()}


class ErrorBody(BaseModel):
    """Every refusal, from a route, a middleware or the connection layer."""

    success: Literal[False]
    error: str = Field(description="what was wrong, for a person")
    code: str = Field(
        description="for a program: invalid, not_found, conflict, too_large, busy, "
        "rate_limited, timeout, unavailable, ..."
    )
    field: str | None = Field(
        None, description="the parameter or part of the body at fault, e.g. `input.a[2]`"
    )


# What any request may get before a route sees it: a request or parameter that does not parse
# (400), a head or body sent too slowly (408), too many requests or connections from one client
# (429), headers too large (431), too many connections in all or a service not answering (503).
ANY_REQUEST = (400, 401, 403, 408, 429, 431, 503)
WHY = {
    400: "Invalid request: `field` names the parameter or part of the body",
    401: "No valid API key (`Authorization: Bearer <key>`); outside local mode every /api route needs one",
    403: "The key lacks the scope this needs",
    404: "Not found",
    408: "The request head or body took too long",
    409: "Conflict with the current state (a taken name, an inactive function)",
    413: "Request body or input too large",
    429: "Too many requests from this client (`Retry-After` says when to retry)",
    431: "Request headers too large",
    503: "Over capacity, or a service is not answering; retry shortly",
}


def refusals(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses` of a route for the refusals it may answer, each with the envelope."""
    return {s: {"model": ErrorBody, "description": WHY[s]} for s in statuses}


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        code: str,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.field = field
        self.headers = headers


def code_for(status: int) -> str:
    """The code of a refusal no route chose (routing's 404 and 405): `not_found`,
    `method_not_allowed`."""
    if status in CODE_BY_STATUS:
        return CODE_BY_STATUS[status]
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        return "http_error"
    return phrase.lower().replace(" ", "_").replace("-", "_")


def error_body(message: str, code: str, field: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"success": False, "error": message, "code": code}
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


def without_422(document: dict[str, Any]) -> dict[str, Any]:
    """FastAPI documents a 422 for every route with parameters; the gateway answers its
    validation errors with 400 (`ANY_REQUEST`), so the 422 and its schemas go."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            operation.get("responses", {}).pop("422", None)
    schemas = document.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    return document


def install(app: FastAPI) -> None:
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = without_422(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

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
        return JSONResponse(
            error_body(str(exc.detail), code_for(exc.status_code)),
            status_code=exc.status_code,
            headers=exc.headers,
        )

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(
            error_body(f"internal error: {type(exc).__name__}", "internal"), status_code=500
        )
