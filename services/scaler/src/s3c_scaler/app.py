"""Scaler composition root. For now it connects, provisions its store and reports healthy;
queue-depth autoscaling lands with issue 04."""

from __future__ import annotations

from s3c_runtime.service import Service
from s3c_runtime.settings import Settings

SERVICE = "scaler"


def build(settings: Settings | None = None) -> Service:
    service = Service(SERVICE, settings)

    @service.on_ready
    async def provision() -> None:
        await service.db["scaling_history"].create_index("timestamp")

    return service
