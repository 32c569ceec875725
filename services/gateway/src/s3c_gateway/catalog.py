"""The gateway's cache of functions (by id and by name), kept fresh by function.* events.

The execute/invoke hot path reads it instead of asking the registry every time; a miss or an
entry older than `ttl` asks the registry again.
"""

from __future__ import annotations

from s3c_events import FunctionDetail, FunctionState
from s3c_runtime.functions import FunctionCache

from s3c_gateway.service_client import ServiceClient


class FunctionCatalog(FunctionCache):
    def __init__(self, services: ServiceClient, ttl: float = 30.0) -> None:
        super().__init__(ttl)
        self.services = services

    async def by_id(self, function_id: str) -> FunctionState:
        state = self.fresh(function_id)
        if state is None:
            data = await self.services.call(
                FunctionDetail.SUBJECT, FunctionDetail(function_id=function_id)
            )
            state = FunctionState.model_validate(data)
            self.put(state)
        return state

    async def by_name(self, name: str) -> FunctionState:
        state = self.fresh_by_name(name)
        if state is None:
            data = await self.services.call(FunctionDetail.SUBJECT, FunctionDetail(name=name))
            state = FunctionState.model_validate(data)
            self.put(state)
        return state
