"""The bus user a service connects as: credentials from the environment or the URL, and the
inbox prefix that lets the server keep each user's replies to that user."""

from __future__ import annotations

import pytest
from s3c_runtime.settings import RuntimeSettings


def test_without_a_user_a_service_connects_without_credentials() -> None:
    settings = RuntimeSettings(nats_url="nats://127.0.0.1:4222")
    assert settings.nats_credentials is None
    assert settings.nats_options() == {"inbox_prefix": "_INBOX"}


def test_a_user_from_the_environment_brings_its_password_and_inbox(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("S3C_NATS_USER", "registry")
    monkeypatch.setenv("S3C_NATS_PASSWORD", "s3cret")
    settings = RuntimeSettings()
    assert settings.nats_credentials == ("registry", "s3cret")
    assert settings.nats_options() == {
        "inbox_prefix": "_INBOX.registry",
        "user": "registry",
        "password": "s3cret",
    }
    assert "s3cret" not in repr(settings)


def test_a_user_in_the_url_names_the_inbox_too() -> None:
    settings = RuntimeSettings(nats_url="nats://a:4222,nats://alice:pw@b:4222")
    assert settings.nats_inbox_prefix == "_INBOX.alice"
    assert settings.nats_credentials is None  # nats-py reads them from the URL itself


def test_a_user_name_must_be_one_subject_token() -> None:
    with pytest.raises(ValueError, match="nats_user"):
        RuntimeSettings(nats_user="a.b")
