"""The registry's settings: the shared ones, its read models' store, and the longest timeout."""

from __future__ import annotations

from pydantic import Field
from s3c_events.registry import MAX_TIMEOUT_MS
from s3c_runtime.settings import StoreSettings, env


class RegistrySettings(StoreSettings):
    # The longest `config.timeout` a function may ask for, in ms (a platform may allow less
    # than Lambda's 15 minutes: one run holds a worker that long).
    max_timeout_ms: int = Field(
        MAX_TIMEOUT_MS, ge=1000, le=MAX_TIMEOUT_MS, validation_alias=env("MAX_TIMEOUT_MS")
    )
