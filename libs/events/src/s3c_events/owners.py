"""Tenants: the owner every function, execution and key carries, and the scopes a key grants."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

OWNER_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
# Local mode's owner; everything written before owners existed reads as owned by it.
LOCAL = "local"
# The owner of the gateway's `S3C_ADMIN_KEY` (never stored).
ADMIN = "admin"

# admin: keys, every owner, audit, system totals; deploy: create, change and delete functions;
# invoke: execute, invoke, function URLs; read: functions, executions, costs, metrics.
Scope = Literal["admin", "deploy", "invoke", "read"]
SCOPES: tuple[Scope, ...] = ("admin", "deploy", "invoke", "read")

# An owner as a command or query gives it (a stored one is read as is).
Owner = Annotated[str, Field(pattern=OWNER_PATTERN)]
OWNER_FILTER = (
    "only this owner's: another owner's is not_found (absent from a list); none: every owner"
)


def name_scope(owner: str | None) -> str:
    """The owner a function name is looked up within: names are unique per owner, and a
    lookup by name that names no owner means local mode's."""
    return owner if owner is not None else LOCAL


def owner_of(stored: object) -> str:
    """The owner of a stored record or document (`None` or absent: written before owners)."""
    return stored if isinstance(stored, str) and stored else LOCAL


def visible(owner: str, asked: str | None) -> bool:
    """Whether something of `owner` may be shown to a request for `asked` (None: every owner)."""
    return asked is None or owner == asked
