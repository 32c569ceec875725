"""Billing composition root. For now it connects, provisions its store and reports healthy;
the cost ledger lands with issue 03."""

from __future__ import annotations

from s3c_runtime.service import Service
from s3c_runtime.settings import Settings

SERVICE = "billing"


def build(settings: Settings | None = None) -> Service:
    service = Service(SERVICE, settings)

    @service.on_ready
    async def provision() -> None:
        await service.db["execution_costs"].create_index("functionId")

    return service
