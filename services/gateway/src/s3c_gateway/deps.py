"""FastAPI dependencies: the per-app objects handlers need, taken from `app.state`, and who is
calling. All `async def`: FastAPI runs a plain `def` dependency in a thread pool, a hop per
request on the hot path."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request

from s3c_gateway.auth import LOCAL_PRINCIPAL, KeyRing, Principal, bearer, loopback_request
from s3c_gateway.catalog import FunctionCatalog
from s3c_gateway.errors import ApiError
from s3c_gateway.service_client import ServiceClient


async def client(request: Request) -> ServiceClient:
    services: ServiceClient = request.app.state.services
    return services


async def catalog(request: Request) -> FunctionCatalog:
    functions: FunctionCatalog = request.app.state.catalog
    return functions


async def audit_gate(request: Request) -> asyncio.Lock:
    """Held while a cost audit runs: one at a time per gateway."""
    gate: asyncio.Lock = request.app.state.audit_gate
    return gate


UNAUTHORIZED = "a valid API key is required: send `Authorization: Bearer <key>`"
# What a refusal says a key cannot do without each scope.
ACTIONS = {
    "read": "read functions, executions, metrics or costs",
    "deploy": "create, change or delete functions",
    "invoke": "run functions",
    "admin": "manage keys or see every owner",
}


def unauthorized(message: str = UNAUTHORIZED) -> ApiError:
    return ApiError(401, message, "unauthorized", headers={"WWW-Authenticate": "Bearer"})


async def local_mode(request: Request) -> bool:
    """No key exists, the gateway is bound to a loopback address, and the request is for a
    loopback host from no page or a loopback page: then everyone acts as `local`."""
    keys: KeyRing = request.app.state.keys
    if keys.configured or not request.app.state.loopback:
        return False
    return loopback_request(request.headers.get("host"), request.headers.get("origin"))


async def who(request: Request) -> Principal:
    """The caller: local mode's principal, or the owner of a valid bearer key; else 401."""
    if await local_mode(request):
        return LOCAL_PRINCIPAL
    keys: KeyRing = request.app.state.keys
    token = bearer(request.headers.get("authorization"))
    principal = keys.authenticate(token) if token else None
    if principal is None:
        raise unauthorized()
    return principal


async def optional_caller(request: Request) -> Principal | None:
    """The caller if a valid key came with the request (or local mode), else None."""
    try:
        return await who(request)
    except ApiError:
        return None


def need(scope: str) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency: the caller, who must hold `scope` (admin holds every scope); else 403."""

    async def check(request: Request) -> Principal:
        principal = await who(request)
        if not principal.can(scope):
            raise ApiError(
                403,
                f"This key cannot {ACTIONS[scope]}: it lacks the {scope} scope",
                "forbidden",
            )
        return principal

    return check


Reader = Annotated[Principal, Depends(need("read"))]
Deployer = Annotated[Principal, Depends(need("deploy"))]
Invoker = Annotated[Principal, Depends(need("invoke"))]
Admin = Annotated[Principal, Depends(need("admin"))]
Caller = Annotated[Principal, Depends(who)]
