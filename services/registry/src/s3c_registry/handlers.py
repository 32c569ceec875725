"""Registry command and query handlers: thin, they load state, call the domain, append events.
They touch only the ports (`ports.py`)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from s3c_events import (
    ActivateFunction,
    CreateKey,
    DeactivateFunction,
    DeleteFunction,
    Event,
    FunctionDetail,
    FunctionList,
    FunctionState,
    KeyList,
    KeyView,
    RegisterFunction,
    RevokeKey,
    UpdateFunction,
    new_id,
    utc_now,
)
from s3c_events.owners import name_scope
from s3c_events.registry import MAX_TIMEOUT_MS, Status
from s3c_runtime.bus import ConcurrencyConflict
from s3c_runtime.rpc import RequestError

from s3c_registry.domain import functions as domain
from s3c_registry.domain import keys as key_rules
from s3c_registry.domain.errors import Rejected
from s3c_registry.ports import CodeChecker, EventLog, FunctionStore, KeyStore, Names, Stored

T = TypeVar("T")


async def decided(
    lock: asyncio.Lock, log: EventLog, decide: Callable[[], Awaitable[T]], what: str
) -> T:
    """Run a command's decision alone; decide once more after catching up if our read model
    lagged the stream (another replica, or a crash after a publish)."""
    async with lock:
        try:
            try:
                return await decide()
            except ConcurrencyConflict:
                await log.catch_up()
                return await decide()
        except Rejected as exc:
            raise RequestError(exc.code, exc.message, exc.field) from exc
        except ConcurrencyConflict:
            raise RequestError("conflict", f"the {what} changed concurrently; retry") from None


class RegistryHandlers:
    def __init__(
        self,
        functions: FunctionStore,
        log: EventLog,
        names: Names,
        checker: CodeChecker,
        max_timeout_ms: int = MAX_TIMEOUT_MS,
    ) -> None:
        self.max_timeout_ms = max_timeout_ms
        self.functions = functions
        self.log = log
        self.names = names
        self.checker = checker
        # Commands are applied one at a time: name uniqueness is decided against a read model
        # that already holds every earlier command's effect.
        self._lock = asyncio.Lock()

    async def _load(self, function_id: str, owner: str | None = None) -> Stored:
        """The function, if it is `owner`'s (None: anyone's); else not found, the same answer
        as for a function that does not exist."""
        found = await self.functions.by_id(function_id)
        if found is None:
            raise RequestError("not_found", f"function '{function_id}' not found")
        try:
            domain.check_owner(found.state, owner)
        except Rejected as exc:
            raise RequestError(exc.code, exc.message, exc.field) from None
        return found

    async def _name_owner(self, owner: str, name: str | None) -> str | None:
        """The id of `owner`'s function named `name`, if there is one."""
        if name is None:
            return None
        found = await self.functions.by_name(owner, name)
        return found.state.id if found else None

    async def _holds(self, function_id: str, name: str) -> bool:
        found = await self.functions.by_id(function_id)
        return found is not None and found.state.name == name

    async def _claimed(
        self, owner: str, name: str, function_id: str, events: Sequence[Event], expected_seq: int
    ) -> None:
        """Claim the name across every registry process, then append; give it back on failure."""
        await self.names.claim(owner, name, function_id, self._holds)
        try:
            await self.log.append(events, expected_seq)
        except BaseException:
            await self.names.release(owner, name, function_id)
            raise

    async def _decide(self, decide: Callable[[], Awaitable[T]]) -> T:
        return await decided(self._lock, self.log, decide, "function")

    async def register(self, cmd: RegisterFunction) -> FunctionState:
        self._check_timeout(cmd.config.timeout)

        async def decide() -> FunctionState:
            event = domain.register(
                cmd,
                new_id(),
                utc_now(),
                await self._name_owner(cmd.owner, cmd.name),
                await self.checker.error(cmd.runtime, cmd.code),
            )
            await self._claimed(cmd.owner, cmd.name, event.function_id, [event], expected_seq=0)
            return event.function

        return await self._decide(decide)

    def _check_timeout(self, timeout_ms: int | None) -> None:
        try:
            domain.check_timeout(timeout_ms, self.max_timeout_ms)
        except Rejected as exc:
            raise RequestError(exc.code, exc.message, exc.field) from exc

    async def update(self, cmd: UpdateFunction) -> FunctionState:
        self._check_timeout(cmd.config.timeout if cmd.config is not None else None)

        async def decide() -> FunctionState:
            stored = await self._load(cmd.function_id, cmd.owner)
            state = stored.state
            check = domain.code_to_check(state, cmd)
            code_error = await self.checker.error(*check) if check else None
            events = domain.update(
                state, cmd, utc_now(), await self._name_owner(state.owner, cmd.name), code_error
            )
            renamed = domain.new_name(state, cmd)
            if renamed is not None:
                await self._claimed(state.owner, renamed, state.id, events, stored.seq)
                await self.names.release(state.owner, state.name, state.id)
            else:
                await self.log.append(events, stored.seq)
            return (await self._load(cmd.function_id)).state

        return await self._decide(decide)

    async def set_status(
        self, function_id: str, status: Status, owner: str | None
    ) -> FunctionState:
        return await self.update(
            UpdateFunction(function_id=function_id, status=status, owner=owner)
        )

    async def activate(self, cmd: ActivateFunction) -> FunctionState:
        return await self.set_status(cmd.function_id, "active", cmd.owner)

    async def deactivate(self, cmd: DeactivateFunction) -> FunctionState:
        return await self.set_status(cmd.function_id, "inactive", cmd.owner)

    async def delete(self, cmd: DeleteFunction) -> dict[str, Any]:
        async def decide() -> dict[str, Any]:
            stored = await self._load(cmd.function_id, cmd.owner)
            state = stored.state
            await self.log.append([domain.delete(state, utc_now())], stored.seq)
            await self.names.release(state.owner, state.name, state.id)
            return {"id": state.id, "name": state.name, "deleted": True}

        return await self._decide(decide)

    async def list(self, query: FunctionList) -> list[dict[str, Any]]:
        return [s.to_dict() for s in await self.functions.list(query.status, query.owner)]

    async def detail(self, query: FunctionDetail) -> FunctionState:
        if query.function_id:
            return (await self._load(query.function_id, query.owner)).state
        if query.name:
            found = await self.functions.by_name(name_scope(query.owner), query.name)
            if found:
                return found.state
            raise RequestError("not_found", f"function named '{query.name}' not found")
        raise RequestError("invalid", "give functionId or name", "functionId")


class KeyHandlers:
    """The key commands and the keys query. Keys are their own aggregate (`key.*`): a command
    on one never waits for a function command."""

    def __init__(self, keys: KeyStore, log: EventLog) -> None:
        self.keys = keys
        self.log = log
        self._lock = asyncio.Lock()

    async def _view(self, key_id: str) -> KeyView:
        stored = await self.keys.by_id(key_id)
        if stored is None:  # appended, yet not in the read model: a fault of ours
            raise RuntimeError(f"key '{key_id}' is missing from the read model")
        return stored.key

    async def create(self, cmd: CreateKey) -> KeyView:
        async def decide() -> KeyView:
            exists = await self.keys.by_id(cmd.key_id) is not None
            event = key_rules.create(cmd, exists, utc_now())
            # Expecting no earlier event of this key: two replicas never both create one id.
            await self.log.append([event], expected_seq=0)
            return await self._view(cmd.key_id)

        return await decided(self._lock, self.log, decide, "key")

    async def revoke(self, cmd: RevokeKey) -> KeyView:
        async def decide() -> KeyView:
            stored = await self.keys.by_id(cmd.key_id)
            event = key_rules.revoke(stored.key if stored else None, cmd, utc_now())
            if event is not None and stored is not None:
                await self.log.append([event], stored.seq)
            return await self._view(cmd.key_id)

        return await decided(self._lock, self.log, decide, "key")

    async def list(self, query: KeyList) -> list[dict[str, Any]]:
        return [k.to_dict() for k in await self.keys.list(query.owner)]
