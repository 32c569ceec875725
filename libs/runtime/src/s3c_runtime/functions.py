"""An in-memory cache of functions kept by `function.*` events: what the gateway and the executor
read on their hot paths instead of asking the registry each time. No I/O here: each service adds
its own way of asking the registry on a miss or for an entry older than `ttl`."""

from __future__ import annotations

import time
from collections.abc import Callable

from s3c_events import (
    Event,
    FunctionActivated,
    FunctionDeactivated,
    FunctionDeleted,
    FunctionRegistered,
    FunctionState,
    FunctionUpdated,
)
from s3c_events.owners import LOCAL


class FunctionCache:
    def __init__(self, ttl: float = 30.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._by_id: dict[str, tuple[float, FunctionState]] = {}
        self._by_name: dict[tuple[str, str], str] = {}  # (owner, name) -> id: unique per owner

    def put(self, state: FunctionState) -> None:
        old = self._by_id.get(state.id)
        if old and old[1].version > state.version:
            return  # an older version than the one known
        if old and (old[1].owner, old[1].name) != (state.owner, state.name):
            self._by_name.pop((old[1].owner, old[1].name), None)
        self._by_id[state.id] = (self.clock(), state)
        self._by_name[(state.owner, state.name)] = state.id

    def drop(self, function_id: str) -> None:
        old = self._by_id.pop(function_id, None)
        if old and self._by_name.get((old[1].owner, old[1].name)) == function_id:
            del self._by_name[(old[1].owner, old[1].name)]

    def apply(self, event: Event) -> None:
        """Follow one `function.*` event. Synchronous on purpose: a caller applies it in its
        subscription callback, before any later request is handled."""
        if isinstance(event, FunctionRegistered | FunctionUpdated):
            self.put(event.function)
        elif isinstance(event, FunctionActivated | FunctionDeactivated):
            cached = self._by_id.get(event.function_id)
            if cached is None:
                return
            if cached[1].version != event.version:
                self.drop(event.function_id)  # a change was missed: ask the registry next time
                return
            status = "active" if isinstance(event, FunctionActivated) else "inactive"
            self._by_id[event.function_id] = (
                cached[0],
                cached[1].model_copy(update={"status": status}),
            )
        elif isinstance(event, FunctionDeleted):
            self.drop(event.function_id)

    def fresh(self, function_id: str | None) -> FunctionState | None:
        """The cached function, if it was learned less than `ttl` ago."""
        entry = self._by_id.get(function_id or "")
        if entry and self.clock() - entry[0] < self.ttl:
            return entry[1]
        return None

    def fresh_by_name(self, name: str, owner: str = LOCAL) -> FunctionState | None:
        """The cached function of that name within `owner` (names are unique per owner)."""
        state = self.fresh(self._by_name.get((owner, name)))
        return state if state is not None and (state.owner, state.name) == (owner, name) else None
