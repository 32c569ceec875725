"""The scaler's settings keep the seed's environment names (`SCALING_THRESHOLD`, ...)."""

from __future__ import annotations

import pytest
from s3c_scaler.settings import ScalerSettings

SEED = {
    "SCALING_THRESHOLD": ("scaling_threshold", 10, "25"),
    "SCALE_DOWN_THRESHOLD": ("scale_down_threshold", 3, "1"),
    "SCALE_DOWN_TIME": ("scale_down_time", 30.0, "4.5"),
    "MAX_INSTANCES": ("max_instances", 10, "7"),
}
PREFIXED = {
    "INSTANCES": ("instances", 2, "3"),
    "SCALE_INTERVAL": ("scale_interval", 2.0, "0.5"),
    "SCALE_STEP": ("scale_step", 1, "2"),
    "SCALE_COOLDOWN": ("scale_cooldown", 0.0, "1.5"),
    "SCALING_ENABLED": ("scaling_enabled", True, "false"),
}


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*SEED, *PREFIXED, "MONGODB_URI", "DB_PREFIX"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(f"S3C_{name}", raising=False)


def test_defaults() -> None:
    settings = ScalerSettings()
    for field, default, _ in (*SEED.values(), *PREFIXED.values()):
        assert getattr(settings, field) == default, field
    assert settings.database("scaler") == "s3c_scaler"
    assert settings.mongodb_uri == "mongodb://127.0.0.1:27017"


@pytest.mark.parametrize("name", sorted(SEED))
def test_seed_name_and_prefixed_name(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    field, _, value = SEED[name]
    monkeypatch.setenv(name, value)
    assert str(getattr(ScalerSettings(), field)) == value
    monkeypatch.setenv(f"S3C_{name}", "9")
    assert getattr(ScalerSettings(), field) == 9


@pytest.mark.parametrize("name", sorted(PREFIXED))
def test_prefixed_names(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    field, default, value = PREFIXED[name]
    monkeypatch.setenv(f"S3C_{name}", value)
    setting = getattr(ScalerSettings(), field)
    assert setting != default and str(setting).lower() == value
