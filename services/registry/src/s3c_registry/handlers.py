"""Registry command and query handlers: thin, they load state, call the domain, publish events."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

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
from s3c_events.registry import Status
from s3c_runtime.bus import ConcurrencyConflict, publish_event
from s3c_runtime.projector import Applied, Projector
from s3c_runtime.rpc import RequestError

from s3c_registry import projections
from s3c_registry.domain import functions as domain
from s3c_registry.names import NameReservations
from s3c_registry.syntax import JsSyntaxChecker


def python_syntax_error(code: str) -> str | None:
    try:
        compile(code, "<function>", "exec")  # compiles only; nothing runs
    except SyntaxError as exc:
        return f"SyntaxError: {exc.msg} (line {exc.lineno})"
    return None


class RegistryHandlers:
    def __init__(
        self,
        projector: Projector,
        js_checker: Callable[[], JsSyntaxChecker],
        names: NameReservations,
    ) -> None:
        self.projector = projector
        self.names = names
        self._js_checker_factory = js_checker
        self._js_checker: JsSyntaxChecker | None = None
        # Commands are applied one at a time: name uniqueness is decided against a read model
        # that already holds every earlier command's effect.
        self._lock = asyncio.Lock()

    @property
    def functions(self) -> Any:
        return self.projector.target

    async def compile_error(self, runtime: str, code: str) -> str | None:
        if runtime == "python":
            return python_syntax_error(code)
        if self._js_checker is None:
            self._js_checker = self._js_checker_factory()
        return await asyncio.to_thread(self._js_checker.error, code)

    async def _load(self, function_id: str) -> tuple[FunctionState, int]:
        found = await projections.find(self.functions, _id=function_id)
        if found is None:
            raise RequestError("not_found", f"function '{function_id}' not found")
        return found

    async def _name_owner(self, name: str | None) -> str | None:
        if name is None:
            return None
        found = await projections.find(self.functions, name=name)
        return found[0].id if found else None

    async def _append(self, events: list[Event], expected_seq: int) -> None:
        """Publish events to the aggregate's subject in order, then apply them to the read model."""
        applied = []
        for event in events:
            ack = await publish_event(self.projector.js, event, expected_aggregate_seq=expected_seq)
            expected_seq = ack.seq
            applied.append(Applied(ack.seq, event))
        await self.projector.apply(applied)

    async def _holds(self, function_id: str, name: str) -> bool:
        found = await projections.find(self.functions, _id=function_id)
        return found is not None and found[0].name == name

    async def _claimed(
        self, name: str, function_id: str, events: list[Event], expected_seq: int
    ) -> None:
        """Claim the name across every registry process, then append; give it back on failure."""
        await self.names.claim(name, function_id, self._holds)
        try:
            await self._append(events, expected_seq=expected_seq)
        except BaseException:
            await self.names.release(name, function_id)
            raise

    async def _decide(self, decide: Callable[[], Any]) -> Any:
        async with self._lock:
            for attempt in (1, 2):
                try:
                    return await decide()
                except domain.Rejected as exc:
                    raise RequestError(exc.code, exc.message, exc.field) from exc
                except ConcurrencyConflict:
                    # Our read model lagged the stream (e.g. a crash after a publish): catch up, retry.
                    if attempt == 2:
                        raise RequestError(
                            "conflict", "the function changed concurrently; retry"
                        ) from None
                    await self.projector.catch_up()

    async def register(self, cmd: RegisterFunction) -> FunctionState:
        async def decide() -> FunctionState:
            event = domain.register(
                cmd,
                new_id(),
                utc_now(),
                await self._name_owner(cmd.name),
                await self.compile_error(cmd.runtime, cmd.code),
            )
            await self._claimed(cmd.name, event.function_id, [event], expected_seq=0)
            return event.function

        result: FunctionState = await self._decide(decide)
        return result

    async def update(self, cmd: UpdateFunction) -> FunctionState:
        async def decide() -> FunctionState:
            state, seq = await self._load(cmd.function_id)
            code_error = None
            if (cmd.code is not None and cmd.code != state.code) or cmd.runtime not in (
                None,
                state.runtime,
            ):
                code_error = await self.compile_error(
                    cmd.runtime or state.runtime, cmd.code or state.code
                )
            events = domain.update(
                state, cmd, utc_now(), await self._name_owner(cmd.name), code_error
            )
            if cmd.name is not None and cmd.name != state.name:  # renamed
                await self._claimed(cmd.name, state.id, events, expected_seq=seq)
                await self.names.release(state.name, state.id)
            else:
                await self._append(events, expected_seq=seq)
            return (await self._load(cmd.function_id))[0]

        result: FunctionState = await self._decide(decide)
        return result

    async def set_status(self, function_id: str, status: Status) -> FunctionState:
        return await self.update(UpdateFunction(function_id=function_id, status=status))

    async def activate(self, cmd: ActivateFunction) -> FunctionState:
        return await self.set_status(cmd.function_id, "active")

    async def deactivate(self, cmd: DeactivateFunction) -> FunctionState:
        return await self.set_status(cmd.function_id, "inactive")

    async def delete(self, cmd: DeleteFunction) -> dict[str, Any]:
        async def decide() -> dict[str, Any]:
            state, seq = await self._load(cmd.function_id)
            await self._append([domain.delete(state, utc_now())], expected_seq=seq)
            await self.names.release(state.name, state.id)
            return {"id": state.id, "name": state.name, "deleted": True}

        result: dict[str, Any] = await self._decide(decide)
        return result

    async def list(self, query: FunctionList) -> list[dict[str, Any]]:
        states = await projections.list_functions(self.functions, query.status)
        return [s.to_dict() for s in states]

    async def detail(self, query: FunctionDetail) -> FunctionState:
        if query.function_id:
            return (await self._load(query.function_id))[0]
        if query.name:
            found = await projections.find(self.functions, name=query.name)
            if found:
                return found[0]
            raise RequestError("not_found", f"function named '{query.name}' not found")
        raise RequestError("invalid", "give functionId or name", "functionId")
