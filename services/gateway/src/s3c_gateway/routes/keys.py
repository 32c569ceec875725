"""`/api/me` and `/api/keys`: who a key is, and managing keys (the registry stores them).

The gateway makes each secret and sends the registry only its hash: the secret is in the 201
answer once, and nowhere else.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel
from s3c_events.keys import MAX_KEY_NAME_CHARS, CreateKey, KeyList, RevokeKey
from s3c_events.owners import OWNER_PATTERN, Owner, Scope

from s3c_gateway import schemas
from s3c_gateway.auth import new_secret
from s3c_gateway.deps import Caller, client
from s3c_gateway.errors import ApiError, refusals
from s3c_gateway.service_client import ServiceClient

router = APIRouter(tags=["keys"])
Client = Annotated[ServiceClient, Depends(client)]


class NewKeyRequest(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    scopes: list[Scope] = Field(min_length=1, description="admin, deploy, invoke, read")
    owner: Owner | None = Field(None, description="whose key (admin only); default: yours")
    name: str = Field("", max_length=MAX_KEY_NAME_CHARS)


def ok(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse({"success": True, "data": data}, status_code=status)


def forbidden(action: str) -> ApiError:
    return ApiError(403, f"This key cannot {action}: it lacks the admin scope", "forbidden")


@router.get("/api/me", summary="Who this key is", response_model=schemas.Ok[schemas.Me])
async def me(caller: Caller) -> JSONResponse:
    return ok(
        {
            "owner": caller.owner,
            "scopes": sorted(caller.scopes),
            "keyId": caller.key_id,
            "local": caller.local,
        }
    )


@router.post(
    "/api/keys",
    status_code=201,
    summary="Create a key (admin): the secret is in this answer only",
    response_model=schemas.Ok[schemas.NewKey],
    responses=refusals(409),
)
async def create_key(body: NewKeyRequest, caller: Caller, services: Client) -> JSONResponse:
    if not caller.admin:
        raise forbidden("create keys")
    key_id, secret, hash_ = new_secret()
    command = CreateKey(
        key_id=key_id,
        owner=caller.acts_for(body.owner),
        scopes=list(dict.fromkeys(body.scopes)),
        name=body.name,
        hash=hash_,
    )
    view = await services.call(CreateKey.SUBJECT, command)
    return ok({**view, "key": secret}, 201)


@router.get(
    "/api/keys",
    summary="Keys, newest first (admin: every owner's; others: their own)",
    response_model=schemas.Ok[list[schemas.Key]],
)
async def list_keys(
    caller: Caller,
    services: Client,
    owner: Annotated[str | None, Query(pattern=OWNER_PATTERN)] = None,
) -> JSONResponse:
    sees = owner if caller.admin else caller.owner
    return ok(await services.call(KeyList.SUBJECT, KeyList(owner=sees)))


@router.delete(
    "/api/keys/{key_id}",
    summary="Revoke a key (admin, or the key's owner); it fails everywhere within a second",
    response_model=schemas.Ok[schemas.KeyRevokedView],
    responses=refusals(404),
)
async def revoke_key(
    key_id: str, caller: Caller, services: Client, request: Request
) -> JSONResponse:
    # An owner may revoke its own keys, but not with a lesser key than the one it revokes (a
    # leaked read key must not take away its owner's deploy or admin keys).
    target = request.app.state.keys.scopes_of(key_id)
    if not caller.admin and target is not None and not target <= caller.scopes:
        raise ApiError(
            403, "This key cannot revoke a key with scopes it does not have itself", "forbidden"
        )
    view = await services.call(RevokeKey.SUBJECT, RevokeKey(key_id=key_id, owner=caller.sees))
    return ok({"id": view["id"], "revoked": True})
