"""The settings every service shares; each service extends them in its own `settings.py`."""

from __future__ import annotations

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def env(name: str, *seed_names: str) -> AliasChoices:
    """The environment names of one setting: `S3C_<NAME>` first, then the seed's unprefixed ones."""
    return AliasChoices(f"S3C_{name}", *seed_names)


class RuntimeSettings(BaseSettings):
    """What every service process needs: the bus, logging and how long to wait for a reply."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    # One server, or a cluster's servers separated by commas (`nats_servers` splits them).
    nats_url: str = Field("nats://127.0.0.1:4222", validation_alias=env("NATS_URL", "NATS_URL"))
    # Copies JetStream keeps of each stream: 1 on one server, 3 on a three-node cluster.
    stream_replicas: int = Field(1, ge=1, le=5, validation_alias=env("STREAM_REPLICAS"))
    log_level: str = Field("INFO", validation_alias=env("LOG_LEVEL", "LOG_LEVEL"))
    # The seed's switch: DEBUG=true logs at DEBUG whatever the log level says.
    debug: bool = Field(False, validation_alias=env("DEBUG", "DEBUG"))
    # Seconds to wait for another service's reply to a command or query.
    request_timeout: float = Field(5.0, validation_alias=env("REQUEST_TIMEOUT"))

    @property
    def nats_servers(self) -> list[str]:
        """The server URLs to connect to: a client that loses one reconnects to another."""
        return [url.strip() for url in self.nats_url.split(",") if url.strip()]

    @field_validator("debug", mode="before")
    @classmethod
    def _tolerant_debug(cls, value: object) -> bool:
        # Other tools read DEBUG too (node's `debug` takes patterns like `vite:*`): anything but a
        # yes turns it off rather than stopping the service.
        return str(value).strip().lower() in {"1", "true", "yes", "on"}


class StoreSettings(RuntimeSettings):
    """A service with read models: its MongoDB database too (the gateway has none)."""

    mongodb_uri: str = Field(
        "mongodb://127.0.0.1:27017", validation_alias=env("MONGODB_URI", "MONGODB_URI")
    )
    # Database names are "<db_prefix>_<service>", so tests and tenants can share one server.
    db_prefix: str = Field("s3c", validation_alias=env("DB_PREFIX"))

    def database(self, service: str) -> str:
        return f"{self.db_prefix}_{service}"
