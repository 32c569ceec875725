"""The executor's catalog of functions: kept in memory from `function.*` events, with the
registry asked on a miss, so admitting a run costs a dict lookup.

Why it reads its own writes: the registry publishes a command's events before it answers the
command, and NATS delivers them to this process's connection before any later request to run
(one server keeps the order per connection; the catalog applies an event synchronously in its
callback, before a request's handler starts). A function created a moment ago and not yet seen
is a miss, and the registry answers from a read model that holds its own writes. An entry older
than `ttl` is asked again, in case this process missed events while disconnected.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from nats.aio.client import Client
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeout
from s3c_events import (
    Event,
    FunctionActivated,
    FunctionDeactivated,
    FunctionDeleted,
    FunctionDetail,
    FunctionRegistered,
    FunctionState,
    FunctionUpdated,
    Reply,
)
from s3c_runtime.rpc import RequestError

Lookup = Callable[[FunctionDetail], Awaitable[FunctionState]]


class RegistryLookup:
    """Asks the registry for one function (the `FunctionDetail` query); its refusals
    (`not_found`, `invalid`) pass through unchanged."""

    def __init__(self, nc: Client, timeout: float) -> None:
        self.nc = nc
        self.timeout = timeout

    async def __call__(self, query: FunctionDetail) -> FunctionState:
        try:
            msg = await self.nc.request(
                FunctionDetail.SUBJECT, query.to_json(), timeout=self.timeout
            )
        except (NoRespondersError, NatsTimeout):
            raise RequestError(
                "unavailable", "the registry service is not answering; retry shortly"
            ) from None
        reply = Reply[FunctionState].model_validate_json(msg.data)
        if reply.data is None:
            error = reply.error
            if error is None:
                raise RequestError("unavailable", "the registry answered without a function")
            raise RequestError(error.code, error.message, error.field)
        return reply.data


class FunctionCatalog:
    def __init__(
        self, lookup: Lookup, ttl: float = 30.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.lookup = lookup
        self.ttl = ttl
        self.clock = clock
        self._by_id: dict[str, tuple[float, FunctionState]] = {}
        self._by_name: dict[str, str] = {}

    def put(self, state: FunctionState) -> None:
        old = self._by_id.get(state.id)
        if old and old[1].version > state.version:
            return  # an older version than the one known
        if old and old[1].name != state.name:
            self._by_name.pop(old[1].name, None)
        self._by_id[state.id] = (self.clock(), state)
        self._by_name[state.name] = state.id

    def drop(self, function_id: str) -> None:
        old = self._by_id.pop(function_id, None)
        if old and self._by_name.get(old[1].name) == function_id:
            del self._by_name[old[1].name]

    def apply(self, event: Event) -> None:
        """Follow one `function.*` event. Synchronous on purpose: see the module docstring."""
        if isinstance(event, FunctionRegistered | FunctionUpdated):
            self.put(event.function)
        elif isinstance(event, FunctionActivated | FunctionDeactivated):
            cached = self._by_id.get(event.function_id)
            if cached is None:
                return
            if cached[1].version != event.version:
                self.drop(event.function_id)  # we missed a change: ask the registry next time
                return
            status = "active" if isinstance(event, FunctionActivated) else "inactive"
            self._by_id[event.function_id] = (
                cached[0],
                cached[1].model_copy(update={"status": status}),
            )
        elif isinstance(event, FunctionDeleted):
            self.drop(event.function_id)

    def _fresh(self, function_id: str | None) -> FunctionState | None:
        entry = self._by_id.get(function_id or "")
        if entry and self.clock() - entry[0] < self.ttl:
            return entry[1]
        return None

    async def find(self, function_id: str | None = None, name: str | None = None) -> FunctionState:
        """The function by id, else by name (as the registry's `function` query reads them)."""
        if function_id:
            state = self._fresh(function_id)
            query = FunctionDetail(function_id=function_id)
        elif name:
            state = self._fresh(self._by_name.get(name))
            if state is not None and state.name != name:
                state = None
            query = FunctionDetail(name=name)
        else:
            raise RequestError("invalid", "give functionId or name", "functionId")
        if state is None:
            state = await self.lookup(query)
            self.put(state)
        return state
