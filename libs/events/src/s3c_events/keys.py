"""API keys, an aggregate the registry owns: `key.*` events, the key commands and the keys query.

A key's secret (`s3c_<keyId>_<43 url-safe characters>`, made by the gateway) never travels on
the bus: commands and events carry only `hash`, the hex SHA-256 of the whole secret. Gateways
learn the keys by replaying `s3c.evt.key.>` and following it.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import Field

from s3c_events.envelope import Event, Message
from s3c_events.owners import OWNER_FILTER, Owner
from s3c_events.subjects import command_subject, query_subject

SERVICE = "registry"
KEY_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
HASH_PATTERN = r"^[0-9a-f]{64}$"
MAX_KEY_NAME_CHARS = 200
SECRET_PREFIX = "s3c"
SECRET_CHARS = 43  # the random part: 32 bytes, url-safe base64 without padding


class KeyView(Message):
    """A key as the keys query and the key commands answer it: never its hash."""

    id: str
    owner: str
    scopes: list[str]
    name: str = ""
    created_at: datetime
    revoked: bool = False
    revoked_at: datetime | None = None


class _KeyEvent(Event):
    AGGREGATE: ClassVar[str] = "key"
    key_id: str

    @property
    def aggregate_id(self) -> str:
        return self.key_id


class KeyCreated(_KeyEvent):
    """A key was created: who it acts for, what it may do, and the hash of its secret."""

    TYPE: ClassVar[str] = "created"
    owner: str
    scopes: list[str]
    name: str = ""
    hash: str = Field(description="hex SHA-256 of the whole secret; the secret is never sent")
    created_at: datetime


class KeyRevoked(_KeyEvent):
    """A key was revoked: from now on it authenticates nothing."""

    TYPE: ClassVar[str] = "revoked"
    owner: str
    revoked_at: datetime


KEY_EVENTS: tuple[type[_KeyEvent], ...] = (KeyCreated, KeyRevoked)
KeyEvent = KeyCreated | KeyRevoked


class CreateKey(Message):
    """Store a new key (answered with its `KeyView`). The gateway makes the secret and the id."""

    SUBJECT: ClassVar[str] = command_subject(SERVICE, "create_key")
    key_id: str = Field(pattern=KEY_ID_PATTERN, description="unique; the secret's middle part")
    owner: Owner
    scopes: list[str] = Field(description="one or more of admin, deploy, invoke, read")
    name: str = Field("", max_length=MAX_KEY_NAME_CHARS)
    hash: str = Field(pattern=HASH_PATTERN, description="hex SHA-256 of the whole secret")


class RevokeKey(Message):
    """Revoke a key (answered with its `KeyView`); revoking a revoked key changes nothing."""

    SUBJECT: ClassVar[str] = command_subject(SERVICE, "revoke_key")
    key_id: str
    owner: Owner | None = Field(None, description=OWNER_FILTER)


class KeyList(Message):
    """Keys, newest first, without their hashes; revoked ones included."""

    SUBJECT: ClassVar[str] = query_subject(SERVICE, "keys")
    owner: Owner | None = Field(None, description=OWNER_FILTER)
