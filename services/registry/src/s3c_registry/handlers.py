"""Registry command and query handlers: thin, they load state, call the domain, append events.
They touch only the ports (`ports.py`)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from s3c_events import (
    ActivateFunction,
    DeactivateFunction,
    DeleteFunction,
    Event,
    FunctionDetail,
    FunctionList,
    FunctionState,
    RegisterFunction,
    UpdateFunction,
    new_id,
    utc_now,
)
from s3c_events.registry import MAX_TIMEOUT_MS, Status
from s3c_runtime.bus import ConcurrencyConflict
from s3c_runtime.rpc import RequestError

from s3c_registry.domain import functions as domain
from s3c_registry.ports import CodeChecker, FunctionLog, FunctionStore, Names, Stored

T = TypeVar("T")


class RegistryHandlers:
    def __init__(
        self,
        functions: FunctionStore,
        log: FunctionLog,
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

    async def _load(self, function_id: str) -> Stored:
        found = await self.functions.by_id(function_id)
        if found is None:
            raise RequestError("not_found", f"function '{function_id}' not found")
        return found

    async def _name_owner(self, name: str | None) -> str | None:
        if name is None:
            return None
        found = await self.functions.by_name(name)
        return found.state.id if found else None

    async def _holds(self, function_id: str, name: str) -> bool:
        found = await self.functions.by_id(function_id)
        return found is not None and found.state.name == name

    async def _claimed(
        self, name: str, function_id: str, events: Sequence[Event], expected_seq: int
    ) -> None:
        """Claim the name across every registry process, then append; give it back on failure."""
        await self.names.claim(name, function_id, self._holds)
        try:
            await self.log.append(events, expected_seq)
        except BaseException:
            await self.names.release(name, function_id)
            raise

    async def _decide(self, decide: Callable[[], Awaitable[T]]) -> T:
        async with self._lock:
            try:
                try:
                    return await decide()
                except ConcurrencyConflict:
                    # Our read model lagged the stream (another replica, or a crash after a
                    # publish): catch up, decide once more.
                    await self.log.catch_up()
                    return await decide()
            except domain.Rejected as exc:
                raise RequestError(exc.code, exc.message, exc.field) from exc
            except ConcurrencyConflict:
                raise RequestError("conflict", "the function changed concurrently; retry") from None

    async def register(self, cmd: RegisterFunction) -> FunctionState:
        self._check_timeout(cmd.config.timeout)

        async def decide() -> FunctionState:
            event = domain.register(
                cmd,
                new_id(),
                utc_now(),
                await self._name_owner(cmd.name),
                await self.checker.error(cmd.runtime, cmd.code),
            )
            await self._claimed(cmd.name, event.function_id, [event], expected_seq=0)
            return event.function

        return await self._decide(decide)

    def _check_timeout(self, timeout_ms: int | None) -> None:
        try:
            domain.check_timeout(timeout_ms, self.max_timeout_ms)
        except domain.Rejected as exc:
            raise RequestError(exc.code, exc.message, exc.field) from exc

    async def update(self, cmd: UpdateFunction) -> FunctionState:
        self._check_timeout(cmd.config.timeout if cmd.config is not None else None)

        async def decide() -> FunctionState:
            stored = await self._load(cmd.function_id)
            state = stored.state
            check = domain.code_to_check(state, cmd)
            code_error = await self.checker.error(*check) if check else None
            events = domain.update(
                state, cmd, utc_now(), await self._name_owner(cmd.name), code_error
            )
            renamed = domain.new_name(state, cmd)
            if renamed is not None:
                await self._claimed(renamed, state.id, events, expected_seq=stored.seq)
                await self.names.release(state.name, state.id)
            else:
                await self.log.append(events, stored.seq)
            return (await self._load(cmd.function_id)).state

        return await self._decide(decide)

    async def set_status(self, function_id: str, status: Status) -> FunctionState:
        return await self.update(UpdateFunction(function_id=function_id, status=status))

    async def activate(self, cmd: ActivateFunction) -> FunctionState:
        return await self.set_status(cmd.function_id, "active")

    async def deactivate(self, cmd: DeactivateFunction) -> FunctionState:
        return await self.set_status(cmd.function_id, "inactive")

    async def delete(self, cmd: DeleteFunction) -> dict[str, Any]:
        async def decide() -> dict[str, Any]:
            stored = await self._load(cmd.function_id)
            state = stored.state
            await self.log.append([domain.delete(state, utc_now())], stored.seq)
            await self.names.release(state.name, state.id)
            return {"id": state.id, "name": state.name, "deleted": True}

        return await self._decide(decide)

    async def list(self, query: FunctionList) -> list[dict[str, Any]]:
        return [s.to_dict() for s in await self.functions.list(query.status)]

    async def detail(self, query: FunctionDetail) -> FunctionState:
        if query.function_id:
            return (await self._load(query.function_id)).state
        if query.name:
            found = await self.functions.by_name(query.name)
            if found:
                return found.state
            raise RequestError("not_found", f"function named '{query.name}' not found")
        raise RequestError("invalid", "give functionId or name", "functionId")
