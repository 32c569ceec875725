"""Decoding: which model a subject carries, and upcasting of older schema versions."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from s3c_events.billing import BILLING_EVENTS
from s3c_events.envelope import Event
from s3c_events.executor import EXECUTION_EVENTS
from s3c_events.registry import FUNCTION_EVENTS
from s3c_events.scaler import SCALING_EVENTS

EVENT_TYPES: dict[tuple[str, str], type[Event]] = {
    (cls.AGGREGATE, cls.TYPE): cls
    for cls in (*FUNCTION_EVENTS, *EXECUTION_EVENTS, *BILLING_EVENTS, *SCALING_EVENTS)
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


def decode_event(subject: str, data: bytes | str | dict[str, Any]) -> Event:
    """Parse an event payload, upcasting older schema versions first (stored events never change)."""
    cls = event_class(subject)
    payload: dict[str, Any] = json.loads(data) if isinstance(data, bytes | str) else dict(data)
    version = int(payload.get("schema_version", cls.SCHEMA_VERSION))
    while version < cls.SCHEMA_VERSION:
        payload = UPCASTERS[(cls.AGGREGATE, cls.TYPE, version)](payload)
        version += 1
        payload["schema_version"] = version
    return cls.model_validate(payload)
