"""The gateway's settings: where it listens and what it lets through. It keeps no read models, so
it has no MongoDB setting at all."""

from __future__ import annotations

from pydantic import Field, SecretStr
from s3c_runtime.settings import RuntimeSettings, env

from s3c_gateway.connections import ConnectionLimits


class GatewaySettings(RuntimeSettings):
    # Loopback by default: any other address needs API keys (S3C_ADMIN_KEY), or it will not start.
    host: str = Field("127.0.0.1", validation_alias=env("HOST", "HOST"))
    port: int = Field(5000, validation_alias=env("PORT", "PORT"))
    max_body_bytes: int = Field(1024 * 1024, validation_alias=env("MAX_BODY_BYTES"))
    # The request line and headers together; past it, 431.
    max_header_bytes: int = Field(64 * 1024, gt=0, validation_alias=env("MAX_HEADER_BYTES"))
    # Seconds a client has to send a request's head (from connecting, or from its first byte),
    # and then its body; past them, 408 and the connection is closed.
    header_timeout: float = Field(10.0, gt=0, validation_alias=env("HEADER_TIMEOUT"))
    body_timeout: float = Field(30.0, gt=0, validation_alias=env("BODY_TIMEOUT"))
    # Open connections (WebSockets too) from one client address, and in all (0: no cap).
    max_connections_per_client: int = Field(
        256, ge=0, validation_alias=env("MAX_CONNECTIONS_PER_CLIENT")
    )
    max_connections: int = Field(4096, ge=0, validation_alias=env("MAX_CONNECTIONS"))
    # Requests per second per client address (0: no limit), and the burst allowed.
    rate_limit: float = Field(1000.0, validation_alias=env("RATE_LIMIT"))
    rate_burst: float = Field(0.0, validation_alias=env("RATE_BURST"))  # 0: twice the rate
    # One more admin key (owner `admin`), never stored: bootstraps the first keys. With no key at
    # all the gateway runs in local mode, and only on a loopback address.
    admin_key: SecretStr = Field(SecretStr(""), validation_alias=env("ADMIN_KEY"))
    # Origins allowed to call the REST API from a browser and open the WebSocket (comma-separated;
    # empty: same origin only).
    cors_origins: str = Field("", validation_alias=env("CORS_ORIGINS"))
    # The built web UI; empty: `ui/dist` of the checkout the gateway runs from.
    ui_dist: str = Field("", validation_alias=env("UI_DIST"))

    def connection_limits(self) -> ConnectionLimits:
        return ConnectionLimits(
            max_header_bytes=self.max_header_bytes,
            header_timeout=self.header_timeout,
            body_timeout=self.body_timeout,
            per_client=self.max_connections_per_client,
            total=self.max_connections,
        )
