"""FastAPI dependencies: the per-app objects handlers need, taken from `app.state`."""

from __future__ import annotations

import asyncio

from fastapi import Request

from s3c_gateway.catalog import FunctionCatalog
from s3c_gateway.service_client import ServiceClient


def client(request: Request) -> ServiceClient:
    services: ServiceClient = request.app.state.services
    return services


def catalog(request: Request) -> FunctionCatalog:
    functions: FunctionCatalog = request.app.state.catalog
    return functions


def audit_gate(request: Request) -> asyncio.Lock:
    """Held while a cost audit runs: one at a time per gateway."""
    gate: asyncio.Lock = request.app.state.audit_gate
    return gate
