"""The executor's catalog of functions: kept in memory from `function.*` events, with the
registry asked on a miss, so admitting a run costs a dict lookup.

Why it reads its own writes: the registry publishes a command's events before it answers the
command, and NATS delivers them to this process's connection before any later request to run
(one server keeps the order per connection; the catalog applies an event synchronously in its
callback, before a request's handler starts). A function created a moment ago and not yet seen
is a miss, and the registry answers from a read model that holds its own writes. An entry older
than `ttl` is asked again, in case this process missed events while disconnected.

Names are unique per owner, so a name is looked up within an owner (`name_scope`): the catalog
keeps its own index by (owner, name) beside the cache's.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from nats.aio.client import Client
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeout
from s3c_events import FunctionDetail, FunctionState, Reply
from s3c_events.owners import name_scope
from s3c_runtime.functions import FunctionCache
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


class FunctionCatalog(FunctionCache):
    def __init__(
        self, lookup: Lookup, ttl: float = 30.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(ttl, clock)
        self.lookup = lookup
        self._named: dict[tuple[str, str], str] = {}  # (owner, name) -> function id

    def put(self, state: FunctionState) -> None:
        super().put(state)
        self._named[(state.owner, state.name)] = state.id

    def fresh_named(self, owner: str, name: str) -> FunctionState | None:
        """`owner`'s function named `name`, if it was learned less than `ttl` ago. An entry
        left by a rename or a deletion finds a function of another name, or none: a miss."""
        state = self.fresh(self._named.get((owner, name)))
        return state if state is not None and (state.owner, state.name) == (owner, name) else None

    async def find(
        self, function_id: str | None = None, name: str | None = None, owner: str | None = None
    ) -> FunctionState:
        """The function by id (whoever owns it: admission checks that), else by name within
        `owner` (local mode's when None), as the registry's `function` query reads them."""
        if function_id:
            state = self.fresh(function_id)
            query = FunctionDetail(function_id=function_id)
        elif name:
            scope = name_scope(owner)
            state = self.fresh_named(scope, name)
            query = FunctionDetail(name=name, owner=scope)
        else:
            raise RequestError("invalid", "give functionId or name", "functionId")
        if state is None:
            state = await self.lookup(query)
            self.put(state)
        return state
