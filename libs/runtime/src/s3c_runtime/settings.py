"""Settings every service shares: one pydantic-settings class, `S3C_` env prefix, seed names too."""

from __future__ import annotations

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _env(name: str, *seed_names: str) -> AliasChoices:
    # Accept S3C_<NAME> first, then the seed's unprefixed names.
    return AliasChoices(f"S3C_{name}", *seed_names)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    nats_url: str = Field("nats://127.0.0.1:4222", validation_alias=_env("NATS_URL", "NATS_URL"))
    mongodb_uri: str = Field(
        "mongodb://127.0.0.1:27017", validation_alias=_env("MONGODB_URI", "MONGODB_URI")
    )
    # Database names are "<db_prefix>_<service>", so tests and tenants can share one server.
    db_prefix: str = Field("s3c", validation_alias=_env("DB_PREFIX"))
    host: str = Field("0.0.0.0", validation_alias=_env("HOST", "HOST"))
    port: int = Field(5000, validation_alias=_env("PORT", "PORT"))
    log_level: str = Field("INFO", validation_alias=_env("LOG_LEVEL", "LOG_LEVEL"))
    # The seed's switch: DEBUG=true logs at DEBUG whatever the log level says.
    debug: bool = Field(False, validation_alias=_env("DEBUG", "DEBUG"))
    request_timeout: float = Field(5.0, validation_alias=_env("REQUEST_TIMEOUT"))
    max_body_bytes: int = Field(1024 * 1024, validation_alias=_env("MAX_BODY_BYTES"))
    # Requests per second per client address at the gateway (0: no limit), and the burst allowed.
    rate_limit: float = Field(1000.0, validation_alias=_env("RATE_LIMIT"))
    rate_burst: float = Field(0.0, validation_alias=_env("RATE_BURST"))  # 0: twice the rate
    # The built web UI; empty: `ui/dist` of the checkout the gateway runs from.
    ui_dist: str = Field("", validation_alias=_env("UI_DIST"))

    max_concurrent_executions: int = Field(
        10, validation_alias=_env("MAX_CONCURRENT_EXECUTIONS", "MAX_CONCURRENT_EXECUTIONS")
    )
    instances: int = Field(2, validation_alias=_env("INSTANCES"))
    # How long a job may go without a sign of life before JetStream hands it to another executor.
    work_ack_wait: float = Field(30.0, validation_alias=_env("WORK_ACK_WAIT"))
    scaling_threshold: int = Field(
        10, validation_alias=_env("SCALING_THRESHOLD", "SCALING_THRESHOLD")
    )
    scale_down_threshold: int = Field(
        3, validation_alias=_env("SCALE_DOWN_THRESHOLD", "SCALE_DOWN_THRESHOLD")
    )
    scale_down_time: float = Field(
        30.0, validation_alias=_env("SCALE_DOWN_TIME", "SCALE_DOWN_TIME")
    )
    max_instances: int = Field(10, validation_alias=_env("MAX_INSTANCES", "MAX_INSTANCES"))
    scale_interval: float = Field(2.0, validation_alias=_env("SCALE_INTERVAL"))
    scale_step: int = Field(1, validation_alias=_env("SCALE_STEP"))
    scale_cooldown: float = Field(0.0, validation_alias=_env("SCALE_COOLDOWN"))
    scaling_enabled: bool = Field(True, validation_alias=_env("SCALING_ENABLED"))

    @field_validator("debug", mode="before")
    @classmethod
    def _tolerant_debug(cls, value: object) -> bool:
        # Other tools read DEBUG too (node's `debug` takes patterns like `vite:*`): anything but a
        # yes turns it off rather than stopping the service.
        return str(value).strip().lower() in {"1", "true", "yes", "on"}

    def database(self, service: str) -> str:
        return f"{self.db_prefix}_{service}"
