"""The gateway's cache of functions (by id, and by owner and name), kept fresh by function.*
events.

The execute/invoke hot path reads it instead of asking the registry every time; a miss or an
entry older than `ttl` asks the registry again. A function of another owner than the caller may
see is "not found", exactly like one that does not exist.
"""

from __future__ import annotations

from s3c_events import FunctionDetail, FunctionState
from s3c_events.owners import LOCAL, visible
from s3c_runtime.functions import FunctionCache

from s3c_gateway.errors import ApiError
from s3c_gateway.service_client import ServiceClient


def not_found(what: str) -> ApiError:
    return ApiError(404, f"function '{what}' not found", "not_found")


class FunctionCatalog(FunctionCache):
    def __init__(self, services: ServiceClient, ttl: float = 30.0) -> None:
        super().__init__(ttl)
        self.services = services

    async def by_id(self, function_id: str, sees: str | None = None) -> FunctionState:
        """The function, if the caller who sees `sees` (None: every owner) may see it."""
        state = self.fresh(function_id)
        if state is None:
            data = await self.services.call(
                FunctionDetail.SUBJECT, FunctionDetail(function_id=function_id, owner=sees)
            )
            state = FunctionState.model_validate(data)
            self.put(state)
        if not visible(state.owner, sees):
            raise not_found(function_id)
        return state

    async def by_name(self, name: str, owner: str = LOCAL) -> FunctionState:
        """The function named `name` within `owner` (names are unique per owner)."""
        state = self.fresh_by_name(name, owner)
        if state is None:
            data = await self.services.call(
                FunctionDetail.SUBJECT, FunctionDetail(name=name, owner=owner)
            )
            state = FunctionState.model_validate(data)
            self.put(state)
        return state
