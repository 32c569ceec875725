"""The registry's composition root: the adapters behind its ports, built once at start-up, and
the handlers bound to them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from s3c_events import (
    ActivateFunction,
    DeactivateFunction,
    DeleteFunction,
    FunctionDetail,
    FunctionList,
    FunctionState,
    RegisterFunction,
    UpdateFunction,
)
from s3c_events.registry import MAX_TIMEOUT_MS
from s3c_runtime.projector import Projector
from s3c_runtime.service import Service

from s3c_registry.handlers import RegistryHandlers
from s3c_registry.names import NameReservations
from s3c_registry.ports import CodeChecker, FunctionLog, FunctionStore, Names
from s3c_registry.projections import FunctionsProjection
from s3c_registry.settings import RegistrySettings
from s3c_registry.store import MongoFunctionStore, ensure_indexes
from s3c_registry.stream import JetStreamFunctionLog
from s3c_registry.syntax import CodeCompiler


@dataclass(frozen=True)
class Deps:
    """Everything the registry's handlers depend on (unit tests pass fakes)."""

    functions: FunctionStore  # the read model
    log: FunctionLog  # where `function.*` events are appended (and read back)
    names: Names  # name reservations shared by every registry process
    checker: CodeChecker  # compile-only check of uploaded code
    max_timeout_ms: int = MAX_TIMEOUT_MS  # the longest `config.timeout` accepted


async def bootstrap(service: Service[RegistrySettings]) -> tuple[Deps, Projector]:
    """The production adapters over the service's connections (Mongo, JetStream), with the read
    model caught up and then kept in the background by the projector returned (to stop it)."""
    projector = Projector(service.js, service.db, FunctionsProjection())
    await ensure_indexes(projector.target)
    await projector.catch_up()  # the read model holds every stored event before we answer
    projector.start()
    names = NameReservations(service.js)
    await names.open()
    deps = Deps(
        functions=MongoFunctionStore(projector.target),
        log=JetStreamFunctionLog(service.js, projector),
        names=names,
        checker=CodeCompiler(),
        max_timeout_ms=service.settings.max_timeout_ms,
    )
    return deps, projector


class Handlers:
    """The command and query handlers, answering once bound to their dependencies (before that,
    a request fails at once and its caller gets "unavailable")."""

    def __init__(self, deps: Deps | None = None) -> None:
        self._handlers: RegistryHandlers | None = None
        if deps is not None:
            self.bind(deps)

    def bind(self, deps: Deps) -> None:
        self._handlers = RegistryHandlers(
            deps.functions, deps.log, deps.names, deps.checker, deps.max_timeout_ms
        )

    @property
    def handlers(self) -> RegistryHandlers:
        if self._handlers is None:
            raise RuntimeError("the registry has not started")
        return self._handlers

    async def register(self, cmd: RegisterFunction) -> FunctionState:
        return await self.handlers.register(cmd)

    async def update(self, cmd: UpdateFunction) -> FunctionState:
        return await self.handlers.update(cmd)

    async def activate(self, cmd: ActivateFunction) -> FunctionState:
        return await self.handlers.activate(cmd)

    async def deactivate(self, cmd: DeactivateFunction) -> FunctionState:
        return await self.handlers.deactivate(cmd)

    async def delete(self, cmd: DeleteFunction) -> dict[str, Any]:
        return await self.handlers.delete(cmd)

    async def list(self, query: FunctionList) -> list[dict[str, Any]]:
        return await self.handlers.list(query)

    async def detail(self, query: FunctionDetail) -> FunctionState:
        return await self.handlers.detail(query)
