"""Decoding: which model a subject carries, and upcasting of older schema versions."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from s3c_events.billing import BILLING_EVENTS
from s3c_events.envelope import Event
from s3c_events.executor import EXECUTION_EVENTS
from s3c_events.keys import KEY_EVENTS
from s3c_events.registry import FUNCTION_EVENTS
from s3c_events.scaler import SCALING_EVENTS

EVENT_TYPES: dict[tuple[str, str], type[Event]] = {
    (cls.AGGREGATE, cls.TYPE): cls
    for cls in (
        *FUNCTION_EVENTS,
        *EXECUTION_EVENTS,
        *BILLING_EVENTS,
        *SCALING_EVENTS,
        *KEY_EVENTS,
    )
}

# (aggregate, type, from_version) -> function turning an old payload into the next version's.
UPCASTERS: dict[tuple[str, str, int], Callable[[dict[str, Any]], dict[str, Any]]] = {}


class UnknownEvent(ValueError):
    pass


def event_class(subject: str) -> type[Event]:
    parts = subject.split(".")
    if len(parts) < 5 or parts[1] != "evt":
        raise UnknownEvent(f"not an event subject: {subject}")
    key = (parts[2], parts[-1])
    try:
        return EVENT_TYPES[key]
    except KeyError:
        raise UnknownEvent(f"no event type for subject {subject}") from None


def from_cloudevent(message: dict[str, Any]) -> dict[str, Any]:
    """A CloudEvents message back to the model's flat shape (envelope beside camelCase payload)."""
    data = message.get("data")
    if not isinstance(data, dict):
        raise ValueError("a CloudEvents message without an object `data`")
    schema = str(message.get("dataschema", ""))
    version = schema.rsplit(":v", 1)[1] if ":v" in schema else "1"
    return {
        **data,
        "event_id": message.get("id"),
        "schema_version": int(version) if version.isdigit() else 1,
        "occurred_at": message.get("time"),
    }


def decode_event(subject: str, data: bytes | str | dict[str, Any]) -> Event:
    """Parse an event, upcasting older shapes first (stored events are never rewritten).

    Two wire shapes exist: CloudEvents 1.0 (written since schema 1 of the wire, with
    `specversion`) and the flat shape stored before it (snake_case envelope keys beside the
    camelCase payload). Both decode to the same model.
    """
    cls = event_class(subject)
    payload: dict[str, Any] = json.loads(data) if isinstance(data, bytes | str) else dict(data)
    if "specversion" in payload:
        payload = from_cloudevent(payload)
    version = int(payload.get("schema_version", cls.SCHEMA_VERSION))
    while version < cls.SCHEMA_VERSION:
        payload = UPCASTERS[(cls.AGGREGATE, cls.TYPE, version)](payload)
        version += 1
        payload["schema_version"] = version
    return cls.model_validate(payload)
