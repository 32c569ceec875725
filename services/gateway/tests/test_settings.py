"""The gateway's settings: the seed's environment names and the `S3C_` ones, and no MongoDB."""

from __future__ import annotations

import pytest
from s3c_gateway.connections import ConnectionLimits
from s3c_gateway.settings import GatewaySettings

NAMES = ("PORT", "HOST", "NATS_URL", "LOG_LEVEL", "DEBUG", "MONGODB_URI")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(f"S3C_{name}", raising=False)


def test_defaults_run_locally() -> None:
    settings = GatewaySettings()
    assert (settings.host, settings.port) == ("127.0.0.1", 5000)
    assert settings.nats_url == "nats://127.0.0.1:4222"
    assert (settings.max_body_bytes, settings.rate_limit, settings.rate_burst) == (1048576, 1000, 0)
    assert settings.request_timeout == 5.0


def test_seed_names_and_the_prefixed_name_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "8080")
    monkeypatch.setenv("NATS_URL", "nats://seed:4222")
    monkeypatch.setenv("S3C_NATS_URL", "nats://s3c:4222")
    monkeypatch.setenv("S3C_RATE_LIMIT", "0")
    settings = GatewaySettings()
    assert settings.port == 8080
    assert settings.nats_url == "nats://s3c:4222"
    assert settings.rate_limit == 0


def test_the_gateway_has_no_mongodb_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("S3C_MONGODB_URI", "mongodb://elsewhere:27017")
    settings = GatewaySettings()
    assert not {"mongodb_uri", "db_prefix"} & set(type(settings).model_fields)


def test_the_connection_limits_have_defaults_and_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    given = {
        "S3C_MAX_HEADER_BYTES": "8192",
        "S3C_HEADER_TIMEOUT": "2.5",
        "S3C_BODY_TIMEOUT": "7",
        "S3C_MAX_CONNECTIONS_PER_CLIENT": "16",
        "S3C_MAX_CONNECTIONS": "0",
    }
    for name in given:
        monkeypatch.delenv(name, raising=False)
    assert GatewaySettings().connection_limits() == ConnectionLimits(
        max_header_bytes=65536, header_timeout=10.0, body_timeout=30.0, per_client=256, total=4096
    )
    for name, value in given.items():
        monkeypatch.setenv(name, value)
    assert GatewaySettings().connection_limits() == ConnectionLimits(
        max_header_bytes=8192, header_timeout=2.5, body_timeout=7.0, per_client=16, total=0
    )
