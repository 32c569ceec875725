"""FastAPI dependencies: the per-app objects handlers need, taken from `app.state`."""

from __future__ import annotations

from fastapi import Request

from s3c_gateway.registry_client import ServiceClient


def client(request: Request) -> ServiceClient:
    services: ServiceClient = request.app.state.services
    return services
