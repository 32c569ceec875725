"""The registry service: the function and key commands and queries, and the `function.*` and
`key.*` events it documents, wired at start-up by `bootstrap`."""

from __future__ import annotations

from s3c_events import (
    ActivateFunction,
    CreateKey,
    DeactivateFunction,
    DeleteFunction,
    FunctionDetail,
    FunctionList,
    KeyList,
    RegisterFunction,
    RevokeKey,
    UpdateFunction,
)
from s3c_events.keys import KEY_EVENTS
from s3c_events.registry import FUNCTION_EVENTS, SERVICE
from s3c_events.subjects import EVENTS
from s3c_runtime.projector import Projector
from s3c_runtime.service import Service

from s3c_registry.bootstrap import Deps, Handlers, bootstrap
from s3c_registry.settings import RegistrySettings


def build(
    settings: RegistrySettings | None = None, deps: Deps | None = None
) -> Service[RegistrySettings]:
    """The registry service. With `deps` (unit tests) it answers from those and starts nothing;
    otherwise it builds the production adapters and starts its projector once connected."""
    service = Service(SERVICE, settings or RegistrySettings())
    handlers = Handlers(deps)
    if deps is None:
        projectors: list[Projector] = []

        @service.on_ready
        async def start() -> None:
            ready, started = await bootstrap(service)
            projectors.extend(started)
            handlers.bind(ready)

        @service.on_stop
        async def stop() -> None:
            for projector in projectors:
                await projector.stop()

    service.answer(RegisterFunction, handlers.register, "register a function")
    service.answer(UpdateFunction, handlers.update, "update a function (new version)")
    service.answer(ActivateFunction, handlers.activate, "activate a function")
    service.answer(DeactivateFunction, handlers.deactivate, "deactivate a function")
    service.answer(DeleteFunction, handlers.delete, "delete a function")
    service.answer(FunctionList, handlers.list, "list functions")
    service.answer(FunctionDetail, handlers.detail, "one function by id or name")
    service.answer(CreateKey, handlers.create_key, "store a new API key (its hash, never the key)")
    service.answer(RevokeKey, handlers.revoke_key, "revoke an API key")
    service.answer(KeyList, handlers.keys, "API keys, newest first, without their hashes")
    service.document_events(FUNCTION_EVENTS, f"{EVENTS}.function.{{{{functionId}}}}.{{type}}")
    service.document_events(KEY_EVENTS, f"{EVENTS}.key.{{{{keyId}}}}.{{type}}")
    return service
