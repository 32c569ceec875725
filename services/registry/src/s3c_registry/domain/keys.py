"""API key rules: what the key commands decide, and a key's state folded from its events."""

from __future__ import annotations

import re
from datetime import datetime

from s3c_events import CreateKey, Event, KeyCreated, KeyRevoked, KeyView, RevokeKey
from s3c_events.owners import OWNER_PATTERN, SCOPES, visible

from s3c_registry.domain.errors import Rejected


def check_scopes(scopes: list[str]) -> list[str]:
    """The scopes a key is given: at least one, each known; repeats dropped, in `SCOPES` order."""
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown:
        raise Rejected(
            "invalid",
            f"scopes: {unknown[0]!r} is not a scope (one of {', '.join(SCOPES)})",
            "scopes",
        )
    if not scopes:
        raise Rejected("invalid", f"scopes: give at least one of {', '.join(SCOPES)}", "scopes")
    return [s for s in SCOPES if s in scopes]


def check_owner(owner: str) -> None:
    if not re.fullmatch(OWNER_PATTERN, owner):
        raise Rejected("invalid", f"owner: {owner!r} is not an owner ({OWNER_PATTERN})", "owner")


def create(cmd: CreateKey, exists: bool, now: datetime) -> KeyCreated:
    """`key.created`, unless the id is taken (a revoked key keeps its id) or the key is bad."""
    if exists:
        raise Rejected("conflict", f"a key with id '{cmd.key_id}' already exists", "keyId")
    check_owner(cmd.owner)
    scopes = check_scopes(cmd.scopes)
    return KeyCreated(
        event_id=f"{cmd.key_id}-created",
        key_id=cmd.key_id,
        owner=cmd.owner,
        scopes=scopes,
        name=cmd.name,
        hash=cmd.hash,
        created_at=now,
        occurred_at=now,
    )


def revoke(key: KeyView | None, cmd: RevokeKey, now: datetime) -> KeyRevoked | None:
    """`key.revoked`, or nothing for a key revoked already. An unknown key, or one of another
    owner than the command's, is not found."""
    if key is None or not visible(key.owner, cmd.owner):
        raise Rejected("not_found", f"key '{cmd.key_id}' not found")
    if key.revoked:
        return None
    return KeyRevoked(
        event_id=f"{key.id}-revoked",
        key_id=key.id,
        owner=key.owner,
        revoked_at=now,
        occurred_at=now,
    )


def evolve(key: KeyView | None, event: Event) -> KeyView | None:
    """The key after an event: the read model and replays share this."""
    if isinstance(event, KeyCreated):
        return KeyView(
            id=event.key_id,
            owner=event.owner,
            scopes=event.scopes,
            name=event.name,
            created_at=event.created_at,
        )
    if isinstance(event, KeyRevoked) and key is not None and not key.revoked:
        return key.model_copy(update={"revoked": True, "revoked_at": event.revoked_at})
    return key
