"""The event envelope every S3C event carries, and the command/query reply envelope."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return uuid.uuid4().hex


class Message(BaseModel):
    """Base of every payload on the wire: camelCase JSON, tolerant reader (unknown keys ignored)."""

    model_config = ConfigDict(
        frozen=True, extra="ignore", populate_by_name=True, alias_generator=to_camel
    )

    def to_json(self) -> bytes:
        return self.model_dump_json(by_alias=True).encode()

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


# The service that writes each aggregate: a CloudEvent's `source` is `/s3c/<service>`.
SOURCES = {
    "function": "registry",
    "execution": "executor",
    "billing": "billing",
    "scaling": "scaler",
    "key": "registry",
}
ENVELOPE = frozenset({"event_id", "type", "schema_version", "occurred_at"})
CLOUDEVENTS_CONTENT_TYPE = "application/cloudevents+json"


def dataschema(aggregate: str, event_type: str, version: int) -> str:
    return f"urn:s3c:event:{aggregate}.{event_type}:v{version}"


def cloud_event_type(aggregate: str, event_type: str) -> str:
    return f"dev.s3c.{aggregate}.{event_type}"


def iso_z(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class Event(Message):
    """An immutable fact. `event_id` doubles as `Nats-Msg-Id`, so JetStream drops duplicates.

    Subclasses set `TYPE` (the last subject token) and `AGGREGATE` (the subject's aggregate
    token) and name their aggregate id field through `aggregate_id`.
    """

    TYPE: ClassVar[str]
    AGGREGATE: ClassVar[str]
    SCHEMA_VERSION: ClassVar[int] = 1

    # The envelope keeps the snake_case names DESIGN.md gives it; payload fields are camelCase.
    event_id: str = Field(default_factory=new_id, alias="event_id")
    type: str = Field("", alias="type")
    schema_version: int = Field(0, alias="schema_version")
    occurred_at: datetime = Field(default_factory=utc_now, alias="occurred_at")

    def model_post_init(self, __context: Any) -> None:
        # Fill the envelope's class-level constants; frozen models need object.__setattr__.
        if not self.type:
            object.__setattr__(self, "type", self.TYPE)
        if not self.schema_version:
            object.__setattr__(self, "schema_version", self.SCHEMA_VERSION)

    @property
    def aggregate_id(self) -> str:
        raise NotImplementedError

    @property
    def subject(self) -> str:
        from s3c_events.subjects import event_subject

        return event_subject(self.AGGREGATE, self.aggregate_id, self.TYPE)

    def to_cloudevent(self) -> dict[str, Any]:
        """The wire shape: a CloudEvents 1.0 structured-mode message with camelCase `data`."""
        flat = self.to_dict()
        return {
            "specversion": "1.0",
            "id": self.event_id,
            "source": f"/s3c/{SOURCES[self.AGGREGATE]}",
            "type": cloud_event_type(self.AGGREGATE, self.TYPE),
            "subject": self.aggregate_id,
            "time": iso_z(self.occurred_at),
            "datacontenttype": "application/json",
            "dataschema": dataschema(self.AGGREGATE, self.TYPE, self.schema_version),
            "data": {k: v for k, v in flat.items() if k not in ENVELOPE},
        }

    def to_wire(self) -> bytes:
        import json

        return json.dumps(self.to_cloudevent(), separators=(",", ":")).encode()


class ErrorInfo(Message):
    """Why a command or query was refused. `code` maps to an HTTP status at the gateway."""

    code: str  # "invalid" | "conflict" | "not_found" | "too_large" | "unavailable"
    message: str
    field: str | None = None


T = TypeVar("T")


class Reply(Message, Generic[T]):
    """Answer to every command and query: `ok` with `data`, or an `error`."""

    ok: bool
    data: T | None = None
    error: ErrorInfo | None = None

    @classmethod
    def success(cls, data: T) -> Reply[T]:
        return cls(ok=True, data=data)

    @classmethod
    def failure(cls, code: str, message: str, field: str | None = None) -> Reply[T]:
        return cls(ok=False, error=ErrorInfo(code=code, message=message, field=field))
