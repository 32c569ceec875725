"""The gateway's settings: where it listens and what it lets through. It keeps no read models, so
it has no MongoDB setting at all."""

from __future__ import annotations

from pydantic import Field
from s3c_runtime.settings import RuntimeSettings, env


class GatewaySettings(RuntimeSettings):
    host: str = Field("0.0.0.0", validation_alias=env("HOST", "HOST"))
    port: int = Field(5000, validation_alias=env("PORT", "PORT"))
    max_body_bytes: int = Field(1024 * 1024, validation_alias=env("MAX_BODY_BYTES"))
    # Requests per second per client address (0: no limit), and the burst allowed.
    rate_limit: float = Field(1000.0, validation_alias=env("RATE_LIMIT"))
    rate_burst: float = Field(0.0, validation_alias=env("RATE_BURST"))  # 0: twice the rate
    # The built web UI; empty: `ui/dist` of the checkout the gateway runs from.
    ui_dist: str = Field("", validation_alias=env("UI_DIST"))
