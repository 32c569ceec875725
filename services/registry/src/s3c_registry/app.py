"""Registry composition root: wires the command/query subscribers and the read-model projector."""

from __future__ import annotations

from s3c_events import (
    ActivateFunction,
    DeactivateFunction,
    DeleteFunction,
    FunctionDetail,
    FunctionList,
    RegisterFunction,
    UpdateFunction,
)
from s3c_events.registry import FUNCTION_EVENTS, SERVICE
from s3c_events.subjects import EVENTS
from s3c_runtime.projector import Projector
from s3c_runtime.service import Service

from s3c_registry import projections
from s3c_registry.handlers import RegistryHandlers
from s3c_registry.names import NameReservations
from s3c_registry.settings import RegistrySettings
from s3c_registry.syntax import JsSyntaxChecker


def build(settings: RegistrySettings | None = None) -> Service[RegistrySettings]:
    service = Service(SERVICE, settings or RegistrySettings())
    state: dict[str, RegistryHandlers] = {}

    def handlers() -> RegistryHandlers:
        return state["handlers"]

    @service.on_ready
    async def start() -> None:
        projector = Projector(service.js, service.db, projections.FunctionsProjection())
        await projections.ensure_indexes(projector.target)
        await projector.catch_up()  # the read model holds every stored event before we answer
        projector.start()
        names = NameReservations(service.js)
        await names.open()
        state["handlers"] = RegistryHandlers(projector, JsSyntaxChecker, names)

    @service.on_stop
    async def stop() -> None:
        if "handlers" in state:
            await state["handlers"].projector.stop()

    service.answer(RegisterFunction, lambda c: handlers().register(c), "register a function")
    service.answer(
        UpdateFunction, lambda c: handlers().update(c), "update a function (new version)"
    )
    service.answer(ActivateFunction, lambda c: handlers().activate(c), "activate a function")
    service.answer(DeactivateFunction, lambda c: handlers().deactivate(c), "deactivate a function")
    service.answer(DeleteFunction, lambda c: handlers().delete(c), "delete a function")
    service.answer(FunctionList, lambda q: handlers().list(q), "list functions")
    service.answer(FunctionDetail, lambda q: handlers().detail(q), "one function by id or name")
    service.document_events(FUNCTION_EVENTS, f"{EVENTS}.function.{{{{functionId}}}}.{{type}}")
    return service
