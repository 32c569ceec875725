"""The gateway's cache of functions (by id and by name), kept fresh by function.* events.

The execute/invoke hot path reads it instead of asking the registry every time; a miss or an
entry older than `ttl` asks the registry again.
"""

from __future__ import annotations

import time

from s3c_events import (
    Event,
    FunctionActivated,
    FunctionDeactivated,
    FunctionDeleted,
    FunctionDetail,
    FunctionRegistered,
    FunctionState,
    FunctionUpdated,
)

from s3c_gateway.service_client import ServiceClient


class FunctionCatalog:
    def __init__(self, services: ServiceClient, ttl: float = 30.0) -> None:
        self.services = services
        self.ttl = ttl
        self._by_id: dict[str, tuple[float, FunctionState]] = {}
        self._by_name: dict[str, str] = {}

    def put(self, state: FunctionState) -> None:
        old = self._by_id.get(state.id)
        if old and old[1].version > state.version:
            return
        if old and old[1].name != state.name:
            self._by_name.pop(old[1].name, None)
        self._by_id[state.id] = (time.monotonic(), state)
        self._by_name[state.name] = state.id

    def drop(self, function_id: str) -> None:
        old = self._by_id.pop(function_id, None)
        if old:
            self._by_name.pop(old[1].name, None)

    def apply(self, event: Event) -> None:
        if isinstance(event, FunctionRegistered | FunctionUpdated):
            self.put(event.function)
        elif isinstance(event, FunctionActivated | FunctionDeactivated):
            cached = self._by_id.get(event.function_id)
            if cached:
                status = "active" if isinstance(event, FunctionActivated) else "inactive"
                self._by_id[event.function_id] = (
                    cached[0],
                    cached[1].model_copy(update={"status": status}),
                )
        elif isinstance(event, FunctionDeleted):
            self.drop(event.function_id)

    def _fresh(self, function_id: str | None) -> FunctionState | None:
        entry = self._by_id.get(function_id or "")
        if entry and time.monotonic() - entry[0] < self.ttl:
            return entry[1]
        return None

    async def by_id(self, function_id: str) -> FunctionState:
        state = self._fresh(function_id)
        if state is None:
            data = await self.services.call(
                FunctionDetail.SUBJECT, FunctionDetail(function_id=function_id)
            )
            state = FunctionState.model_validate(data)
            self.put(state)
        return state

    async def by_name(self, name: str) -> FunctionState:
        state = self._fresh(self._by_name.get(name))
        if state is None or state.name != name:
            data = await self.services.call(FunctionDetail.SUBJECT, FunctionDetail(name=name))
            state = FunctionState.model_validate(data)
            self.put(state)
        return state
