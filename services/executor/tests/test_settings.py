"""The executor's settings keep their environment names and defaults."""

from __future__ import annotations

import pytest
from s3c_executor.settings import ExecutorSettings

NAMES = ("INSTANCES", "MAX_CONCURRENT_EXECUTIONS", "WORK_ACK_WAIT", "MONGODB_URI", "NATS_URL")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(f"S3C_{name}", raising=False)


def test_defaults() -> None:
    settings = ExecutorSettings()
    assert (settings.instances, settings.max_concurrent_executions) == (2, 10)
    assert settings.work_ack_wait == 30.0
    assert settings.database("executor") == "s3c_executor"


def test_environment_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAX_CONCURRENT_EXECUTIONS", "4")
    monkeypatch.setenv("MONGODB_URI", "mongodb://seed:27017")
    monkeypatch.setenv("S3C_INSTANCES", "3")
    monkeypatch.setenv("S3C_WORK_ACK_WAIT", "5")
    settings = ExecutorSettings()
    assert (settings.max_concurrent_executions, settings.instances) == (4, 3)
    assert (settings.work_ack_wait, settings.mongodb_uri) == (5.0, "mongodb://seed:27017")
