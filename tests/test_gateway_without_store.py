"""The gateway keeps no read models: it starts and answers `/readyz` from NATS alone, whatever
MongoDB setting the environment carries (here one pointing at a closed port)."""

from __future__ import annotations

import httpx
import pytest
from helpers import Servers
from s3c_cli.processes import free_port
from s3c_gateway.app import create_app
from s3c_gateway.settings import GatewaySettings


async def test_the_gateway_starts_without_mongodb(
    servers: Servers, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed = f"mongodb://127.0.0.1:{free_port()}/?serverSelectionTimeoutMS=500"
    monkeypatch.setenv("S3C_MONGODB_URI", closed)
    monkeypatch.setenv("S3C_NATS_URL", servers.nats_url)
    settings = GatewaySettings()
    assert "mongodb_uri" not in type(settings).model_fields
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        service = app.state.service
        assert service.store is None
        with pytest.raises(RuntimeError, match="no MongoDB"):
            service.mongo  # noqa: B018 - the property is the check
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            ready = await client.get("/readyz")
    # No other service runs here, so not ready; but NATS is wired and nothing waited on MongoDB.
    assert ready.status_code == 503
    body = ready.json()
    assert body["nats"] is True
    assert set(body["services"]) == {"registry", "executor", "billing", "scaler"}
