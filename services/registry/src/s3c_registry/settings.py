"""The registry's settings: the shared ones and its read models' store; nothing of its own yet."""

from __future__ import annotations

from s3c_runtime.settings import StoreSettings


class RegistrySettings(StoreSettings):
    pass
