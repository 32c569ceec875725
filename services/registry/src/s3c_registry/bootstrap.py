"""The registry's composition root: the adapters behind its ports, built once at start-up, and
the handlers bound to them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from s3c_events import (
    ActivateFunction,
    CreateKey,
    DeactivateFunction,
    DeleteFunction,
    FunctionDetail,
    FunctionList,
    FunctionState,
    KeyList,
    KeyView,
    RegisterFunction,
    RevokeKey,
    UpdateFunction,
)
from s3c_events.registry import MAX_TIMEOUT_MS
from s3c_runtime.projector import Projector
from s3c_runtime.service import Service

from s3c_registry.handlers import KeyHandlers, RegistryHandlers
from s3c_registry.names import NameReservations
from s3c_registry.ports import CodeChecker, EventLog, FunctionStore, KeyStore, Names
from s3c_registry.projections import FunctionsProjection, KeysProjection
from s3c_registry.settings import RegistrySettings
from s3c_registry.store import (
    MongoFunctionStore,
    MongoKeyStore,
    ensure_indexes,
    ensure_key_indexes,
)
from s3c_registry.stream import JetStreamLog
from s3c_registry.syntax import CodeCompiler

Rows = list[dict[str, Any]]  # not spelled `list` in `Handlers`: it has a method of that name


@dataclass(frozen=True)
class Deps:
    """Everything the registry's handlers depend on (unit tests pass fakes)."""

    functions: FunctionStore  # the functions read model
    log: EventLog  # where `function.*` events are appended (and read back)
    names: Names  # name reservations shared by every registry process
    checker: CodeChecker  # compile-only check of uploaded code
    keys: KeyStore  # the keys read model
    key_log: EventLog  # where `key.*` events are appended (and read back)
    max_timeout_ms: int = MAX_TIMEOUT_MS  # the longest `config.timeout` accepted


async def _projector(service: Service[RegistrySettings], projection: Any) -> Projector:
    """A read model caught up with every stored event (we answer nothing before), then kept
    in the background by the projector returned (to stop it)."""
    projector = Projector(service.js, service.db, projection)
    await projector.catch_up()
    projector.start()
    return projector


async def bootstrap(service: Service[RegistrySettings]) -> tuple[Deps, list[Projector]]:
    """The production adapters over the service's connections (Mongo, JetStream), with the read
    models caught up and then kept in the background by the projectors returned (to stop)."""
    db = service.db
    names = NameReservations(service.js)
    # Independent, so side by side: a replica starts answering sooner.
    await asyncio.gather(
        ensure_indexes(db[FunctionsProjection.collection]),
        ensure_key_indexes(db[KeysProjection.collection]),
        names.open(),
    )
    functions, keys = await asyncio.gather(
        _projector(service, FunctionsProjection()), _projector(service, KeysProjection())
    )
    deps = Deps(
        functions=MongoFunctionStore(functions.target),
        log=JetStreamLog(service.js, functions),
        names=names,
        checker=CodeCompiler(),
        keys=MongoKeyStore(keys.target),
        key_log=JetStreamLog(service.js, keys),
        max_timeout_ms=service.settings.max_timeout_ms,
    )
    return deps, [functions, keys]


class Handlers:
    """The command and query handlers, answering once bound to their dependencies (before that,
    a request fails at once and its caller gets "unavailable")."""

    def __init__(self, deps: Deps | None = None) -> None:
        self._handlers: RegistryHandlers | None = None
        self._keys: KeyHandlers | None = None
        if deps is not None:
            self.bind(deps)

    def bind(self, deps: Deps) -> None:
        self._handlers = RegistryHandlers(
            deps.functions, deps.log, deps.names, deps.checker, deps.max_timeout_ms
        )
        self._keys = KeyHandlers(deps.keys, deps.key_log)

    @property
    def handlers(self) -> RegistryHandlers:
        if self._handlers is None:
            raise RuntimeError("the registry has not started")
        return self._handlers

    @property
    def key_handlers(self) -> KeyHandlers:
        if self._keys is None:
            raise RuntimeError("the registry has not started")
        return self._keys

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

    async def list(self, query: FunctionList) -> Rows:
        return await self.handlers.list(query)

    async def detail(self, query: FunctionDetail) -> FunctionState:
        return await self.handlers.detail(query)

    async def create_key(self, cmd: CreateKey) -> KeyView:
        return await self.key_handlers.create(cmd)

    async def revoke_key(self, cmd: RevokeKey) -> KeyView:
        return await self.key_handlers.revoke(cmd)

    async def keys(self, query: KeyList) -> Rows:
        return await self.key_handlers.list(query)
