"""The RPC adapter: a command or query handler as a NATS request handler, and its reply encoding."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from s3c_events import Message, Reply

C = TypeVar("C", bound=BaseModel)


class RequestError(Exception):
    """A command or query refused for a reason the caller can fix (maps to a 4xx)."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


def json_default(value: Any) -> Any:
    """Datetimes as ISO 8601 UTC (`...Z`); the store may hand them back without a zone."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return str(value)


def validation_message(exc: ValidationError) -> tuple[str, str]:
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"]) or "body"
    return field, f"{field}: {err['msg']}"


def rpc(
    model: type[C],
) -> Callable[[Callable[[C], Awaitable[Any]]], Callable[[bytes], Awaitable[bytes]]]:
    """Adapt `async def handler(cmd: Model) -> data` to a NATS request handler.

    Bad payloads and RequestErrors become `Reply.failure` (the caller gets a clear 4xx reason,
    never a timeout); the data is wrapped in `Reply.success`.
    """

    def wrap(handler: Callable[[C], Awaitable[Any]]) -> Callable[[bytes], Awaitable[bytes]]:
        async def adapter(body: Any) -> bytes:
            # The broker runs without FastStream's own validation (apply_types=False), so a
            # bad payload reaches us and gets a reply naming the problem instead of a timeout.
            try:
                payload = json.loads(body or b"{}") if isinstance(body, bytes | str) else body
                if not isinstance(payload, dict):
                    raise RequestError("invalid", "the request body must be a JSON object")
                cmd = model.model_validate(payload)
                data = await handler(cmd)
            except json.JSONDecodeError as exc:
                return Reply[Any].failure("invalid", f"malformed JSON: {exc}").to_json()
            except ValidationError as exc:
                field, message = validation_message(exc)
                return Reply[Any].failure("invalid", message, field).to_json()
            except RequestError as exc:
                return Reply[Any].failure(exc.code, exc.message, exc.field).to_json()
            except Exception as exc:
                # A fault of ours: say so at once (503) rather than leave the caller to time out.
                logging.getLogger("s3c.rpc").exception("request failed: %s", model.__name__)
                message = f"{model.__name__} failed: {type(exc).__name__}"
                return Reply[Any].failure("unavailable", message).to_json()
            if isinstance(data, Message):
                data = data.to_dict()
            return json.dumps({"ok": True, "data": data}, default=json_default).encode()

        # Only for the AsyncAPI document: the payload schema comes from this annotation.
        adapter.__annotations__ = {"body": model, "return": bytes}
        adapter.__name__ = adapter.__qualname__ = model.__name__
        return adapter

    return wrap
