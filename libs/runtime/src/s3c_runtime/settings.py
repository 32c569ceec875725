"""The settings every service shares; each service extends them in its own `settings.py`."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def env(name: str, *seed_names: str) -> AliasChoices:
    """The environment names of one setting: `S3C_<NAME>` first, then the seed's unprefixed ones."""
    return AliasChoices(f"S3C_{name}", *seed_names)


class RuntimeSettings(BaseSettings):
    """What every service process needs: the bus, logging and how long to wait for a reply."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    # One server, or a cluster's servers separated by commas (`nats_servers` splits them).
    nats_url: str = Field("nats://127.0.0.1:4222", validation_alias=env("NATS_URL", "NATS_URL"))
    # Who this process is on the bus (`s3c up` gives each service its own user and password);
    # empty: no credentials. A URL may carry them instead (nats://user:password@host:4222).
    nats_user: str = Field("", pattern=r"^[A-Za-z0-9_-]*$", validation_alias=env("NATS_USER"))
    nats_password: SecretStr = Field(SecretStr(""), validation_alias=env("NATS_PASSWORD"))
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

    @property
    def nats_inbox_prefix(self) -> str:
        """Where replies to this process come back: `_INBOX.<user>` when it has a user, so the
        server can let each user subscribe to its own replies only (`s3c up`'s users do)."""
        names = [self.nats_user, *(urlsplit(url).username or "" for url in self.nats_servers)]
        user = next((name for name in names if name), "")
        return f"_INBOX.{user}" if user else "_INBOX"

    @property
    def nats_credentials(self) -> tuple[str, str] | None:
        """(user, password) to connect with, when this process has a bus user."""
        if not self.nats_user:
            return None
        return self.nats_user, self.nats_password.get_secret_value()

    def nats_options(self) -> dict[str, Any]:
        """Keyword arguments for `nats.connect`: the credentials, if any, and the inbox prefix
        that goes with them."""
        options: dict[str, Any] = {"inbox_prefix": self.nats_inbox_prefix}
        if (credentials := self.nats_credentials) is not None:
            options["user"], options["password"] = credentials
        return options

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
