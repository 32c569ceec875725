"""Keys, pure: secrets and their hashes, the key ring, local mode's address rule."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from s3c_events.keys import KeyCreated, KeyRevoked
from s3c_gateway.auth import (
    KeyRing,
    bearer,
    digest,
    is_loopback,
    key_id_of,
    loopback_request,
    new_secret,
)
from s3c_gateway.ratelimit import who

NOW = datetime(2026, 11, 27, tzinfo=UTC)


def created(
    key_id: str, hash_: str, owner: str = "team-a", scopes: list[str] | None = None
) -> KeyCreated:
    return KeyCreated(
        key_id=key_id, owner=owner, scopes=scopes or ["read"], hash=hash_, created_at=NOW
    )


def test_a_new_secret_carries_its_id_and_only_its_hash_is_kept() -> None:
    key_id, secret, hash_ = new_secret()
    assert secret.startswith(f"s3c_{key_id}_") and key_id_of(secret) == key_id
    assert hash_ == digest(secret) and secret not in hash_
    assert new_secret()[1] != secret


def test_a_known_key_authenticates_as_its_owner_with_its_scopes() -> None:
    key_id, secret, hash_ = new_secret()
    ring = KeyRing()
    ring.apply(created(key_id, hash_, "team-a", ["read", "invoke"]))
    who = ring.authenticate(secret)
    assert who is not None and (who.owner, who.key_id) == ("team-a", key_id)
    assert who.can("read") and who.can("invoke") and not who.can("deploy") and not who.admin
    assert who.sees == "team-a"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda s: s[:-1] + ("A" if s[-1] != "A" else "B"),
        lambda s: s + "x",
        lambda s: "",
        lambda s: "s3c_",
    ],
)
def test_a_wrong_secret_authenticates_nothing(tamper: object) -> None:
    key_id, secret, hash_ = new_secret()
    ring = KeyRing()
    ring.apply(created(key_id, hash_))
    assert ring.authenticate(tamper(secret)) is None  # type: ignore[operator]


def test_a_revoked_key_fails_and_a_late_created_event_does_not_bring_it_back() -> None:
    key_id, secret, hash_ = new_secret()
    ring = KeyRing()
    ring.apply(created(key_id, hash_))
    ring.apply(KeyRevoked(key_id=key_id, owner="team-a", revoked_at=NOW))
    assert ring.authenticate(secret) is None
    ring.apply(created(key_id, hash_))  # replayed after the live revocation
    assert ring.authenticate(secret) is None and ring.configured


def test_the_admin_key_is_an_admin_of_owner_admin_seeing_every_owner() -> None:
    ring = KeyRing(admin_key="s3c-admin-secret")
    who = ring.authenticate("s3c-admin-secret")
    assert who is not None and who.admin and who.owner == "admin" and who.sees is None
    assert who.acts_for("team-b") == "team-b" and who.acts_for(None) == "admin"
    assert ring.authenticate("s3c-admin-secreT") is None


def test_no_key_at_all_is_what_local_mode_needs() -> None:
    ring = KeyRing()
    assert not ring.configured
    key_id, _, hash_ = new_secret()
    ring.apply(created(key_id, hash_))
    assert ring.configured


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.0.1", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("10.0.0.5", False),
        ("example.com", False),
    ],
)
def test_only_a_loopback_bind_may_run_without_keys(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("Bearer abc", "abc"),
        ("bearer  abc ", "abc"),
        ("Basic abc", None),
        ("Bearer", None),
        (None, None),
        ("", None),
    ],
)
def test_the_bearer_token_is_read_from_the_header(header: str | None, token: str | None) -> None:
    assert bearer(header) == token


@pytest.mark.parametrize(
    ("host", "origin", "trusted"),
    [
        ("127.0.0.1:5000", None, True),
        ("localhost:5000", "http://localhost:5000", True),
        ("[::1]:5000", None, True),
        ("attacker.example:5000", None, False),  # DNS rebinding: the attacker's own name
        ("attacker.example:5000", "http://attacker.example:5000", False),
        ("127.0.0.1:5000", "https://evil.example", False),  # a foreign page, a real host
        (None, None, False),
    ],
)
def test_local_mode_trusts_only_loopback_hosts_and_pages(
    host: str | None, origin: str | None, trusted: bool
) -> None:
    assert loopback_request(host, origin) is trusted


@pytest.mark.parametrize("junk", ["\xa0", "\x85", "\u2003"])
def test_a_token_with_anything_but_token_characters_is_no_token(junk: str) -> None:
    _, secret, _ = new_secret()
    assert bearer(f"Bearer {secret}") == secret
    assert bearer(f"Bearer {secret}{junk}") is None
    assert bearer(f"Bearer {junk}{secret}") is None


def test_the_rate_limit_counts_per_verified_key_and_made_up_tokens_per_address() -> None:
    key_id, secret, hash_ = new_secret()
    ring = KeyRing()
    ring.apply(created(key_id, hash_))

    def scope(token: str | None, client: str = "10.0.0.1") -> dict[str, object]:
        headers = [(b"authorization", f"Bearer {token}".encode("latin-1"))] if token else []
        return {"headers": headers, "client": (client, 1)}

    assert who(scope(secret), ring) == f"key:{key_id}"
    assert who(scope(secret + "x"), ring) == "10.0.0.1"  # not a key: its address
    assert who(scope(secret + "\xa0"), ring) == "10.0.0.1"
    assert who(scope(None), ring) == "10.0.0.1"
