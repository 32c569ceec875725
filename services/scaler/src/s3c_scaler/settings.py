"""The scaler's settings: the scaling policy's thresholds and how often it decides."""

from __future__ import annotations

from pydantic import Field
from s3c_runtime.settings import StoreSettings, env


class ScalerSettings(StoreSettings):
    # The pool size before any decision: the executors start with as many workers.
    instances: int = Field(2, validation_alias=env("INSTANCES"))
    scaling_threshold: int = Field(
        10, validation_alias=env("SCALING_THRESHOLD", "SCALING_THRESHOLD")
    )
    scale_down_threshold: int = Field(
        3, validation_alias=env("SCALE_DOWN_THRESHOLD", "SCALE_DOWN_THRESHOLD")
    )
    scale_down_time: float = Field(30.0, validation_alias=env("SCALE_DOWN_TIME", "SCALE_DOWN_TIME"))
    max_instances: int = Field(10, validation_alias=env("MAX_INSTANCES", "MAX_INSTANCES"))
    scale_interval: float = Field(2.0, validation_alias=env("SCALE_INTERVAL"))
    scale_step: int = Field(1, validation_alias=env("SCALE_STEP"))
    scale_cooldown: float = Field(0.0, validation_alias=env("SCALE_COOLDOWN"))
    scaling_enabled: bool = Field(True, validation_alias=env("SCALING_ENABLED"))
