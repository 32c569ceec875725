"""How platform objects look over HTTP and WebSocket (the seed's shapes: `_id` beside `id`)."""

from __future__ import annotations

from typing import Any

from s3c_events import FunctionState


def function_view(state: FunctionState | dict[str, Any]) -> dict[str, Any]:
    data = state.to_dict() if isinstance(state, FunctionState) else dict(state)
    return {"_id": data["id"], **data}
