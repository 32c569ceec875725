"""The executor's settings: its worker pool and how it takes jobs from the work queue."""

from __future__ import annotations

from pydantic import Field
from s3c_runtime.settings import StoreSettings, env


class ExecutorSettings(StoreSettings):
    # Sandbox workers until the scaler's first decision (the scaler starts from the same number).
    instances: int = Field(2, validation_alias=env("INSTANCES"))
    max_concurrent_executions: int = Field(
        10, validation_alias=env("MAX_CONCURRENT_EXECUTIONS", "MAX_CONCURRENT_EXECUTIONS")
    )
    # How long a job may go without a sign of life before JetStream hands it to another executor.
    work_ack_wait: float = Field(30.0, validation_alias=env("WORK_ACK_WAIT"))
