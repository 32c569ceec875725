"""The settings a NATS cluster needs: every node's URL, and how many copies of each stream."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from s3c_events import streams
from s3c_runtime.bus import stream_config
from s3c_runtime.settings import RuntimeSettings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("S3C_NATS_URL", "NATS_URL", "S3C_STREAM_REPLICAS"):
        monkeypatch.delenv(name, raising=False)


def test_one_url_is_one_server() -> None:
    assert RuntimeSettings(nats_url="nats://10.0.0.1:4222").nats_servers == ["nats://10.0.0.1:4222"]


def test_a_cluster_is_its_nodes_urls_separated_by_commas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("S3C_NATS_URL", "nats://a:4222, nats://b:4223,nats://c:4224,")
    assert RuntimeSettings().nats_servers == ["nats://a:4222", "nats://b:4223", "nats://c:4224"]


def test_streams_keep_one_copy_unless_told(monkeypatch: pytest.MonkeyPatch) -> None:
    assert RuntimeSettings().stream_replicas == 1
    monkeypatch.setenv("S3C_STREAM_REPLICAS", "3")
    assert RuntimeSettings().stream_replicas == 3
    monkeypatch.setenv("S3C_STREAM_REPLICAS", "0")
    with pytest.raises(ValidationError):
        RuntimeSettings()


def test_the_stream_config_carries_the_replicas() -> None:
    assert stream_config(streams.WORK).num_replicas == 1
    assert stream_config(streams.WORK, 3).num_replicas == 3
