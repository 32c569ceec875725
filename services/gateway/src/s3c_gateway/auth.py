"""Who is calling: API keys, their owner and scopes, and local mode.

The gateway learns keys from the registry's `key.*` events (replayed at start, then followed), so
every replica knows every key and a revoked key fails within a moment. A key's secret is
`s3c_<keyId>_<43 url-safe characters>`; only the hex SHA-256 of the whole secret is ever stored or
sent (the secret has 256 random bits: a plain hash cannot be reversed, and comparing hashes in
constant time leaks nothing). `S3C_ADMIN_KEY` is one more admin key, of owner `admin`, never stored.

Local mode: with no key at all (none created, no `S3C_ADMIN_KEY`) and the gateway bound to a
loopback address, every request acts as owner `local` with every scope, so the quick start needs
no key. Creating the first key ends local mode.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import secrets
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from s3c_events.keys import SECRET_CHARS, SECRET_PREFIX, KeyCreated, KeyRevoked
from s3c_events.owners import ADMIN, LOCAL, SCOPES

# What each scope lets a key do, in the words a refusal uses ("This key cannot <verb>").
ALL_SCOPES = frozenset(SCOPES)


@dataclass(frozen=True)
class Principal:
    """The caller of one request."""

    owner: str
    scopes: frozenset[str]
    key_id: str | None = None
    local: bool = False

    @property
    def admin(self) -> bool:
        return "admin" in self.scopes

    def can(self, scope: str) -> bool:
        return self.admin or scope in self.scopes

    @property
    def sees(self) -> str | None:
        """The owner whose things this caller sees: None (every owner) for admin and local mode."""
        return None if self.admin else self.owner

    def acts_for(self, owner: str | None) -> str:
        """The owner a new thing is created for: the caller's own, or any one for an admin."""
        return owner if owner and self.admin else self.owner


LOCAL_PRINCIPAL = Principal(LOCAL, ALL_SCOPES, None, local=True)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def new_secret() -> tuple[str, str, str]:
    """A new key: `(key_id, secret, hash)`."""
    key_id = uuid.uuid4().hex
    secret = f"{SECRET_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
    assert len(secret) == len(SECRET_PREFIX) + len(key_id) + SECRET_CHARS + 2
    return key_id, secret, digest(secret)


def key_id_of(secret: str) -> str | None:
    """The key id inside a secret (None: not shaped like one of ours)."""
    head = f"{SECRET_PREFIX}_"
    if not secret.startswith(head) or len(secret) <= len(head) + SECRET_CHARS + 1:
        return None
    if secret[-SECRET_CHARS - 1] != "_":
        return None
    return secret[len(head) : -SECRET_CHARS - 1] or None


def is_loopback(host: str) -> bool:
    if host in ("localhost", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass
class _Key:
    owner: str
    scopes: frozenset[str]
    hash: str


@dataclass
class KeyRing:
    """The keys this gateway accepts, kept from `key.*` events."""

    admin_key: str = ""
    _keys: dict[str, _Key] = field(default_factory=dict)
    _revoked: set[str] = field(default_factory=set)

    def apply(self, event: object) -> None:
        """Follow one key event; any order, any repetition (a revocation is never undone)."""
        if isinstance(event, KeyCreated):
            if event.key_id not in self._revoked:
                self._keys[event.key_id] = _Key(event.owner, frozenset(event.scopes), event.hash)
        elif isinstance(event, KeyRevoked):
            self._revoked.add(event.key_id)
            self._keys.pop(event.key_id, None)

    @property
    def configured(self) -> bool:
        """Whether any key exists (created or revoked since), or an admin key was given."""
        return bool(self.admin_key or self._keys or self._revoked)

    def scopes_of(self, key_id: str) -> frozenset[str] | None:
        key = self._keys.get(key_id)
        return key.scopes if key is not None else None

    def authenticate(self, secret: str) -> Principal | None:
        # Digests of equal length: the comparison says nothing about the admin key's length.
        if self.admin_key and hmac.compare_digest(digest(secret), digest(self.admin_key)):
            return Principal(ADMIN, ALL_SCOPES, None)
        key_id = key_id_of(secret)
        key = self._keys.get(key_id) if key_id else None
        if key is None or not hmac.compare_digest(digest(secret), key.hash):
            return None
        return Principal(key.owner, key.scopes, key_id)


# RFC 6750's b64token: what a bearer token may be made of (ours are `s3c_`, hex and url-safe).
TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")


def bearer(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header; None for anything else (only
    ASCII spaces around it: a token with other characters is no token)."""
    if not header:
        return None
    scheme, _, token = header.strip(" \t").partition(" ")
    token = token.strip(" \t")
    if scheme.lower() != "bearer" or not TOKEN.fullmatch(token):
        return None
    return token


def loopback_request(host: str | None, origin: str | None) -> bool:
    """A request a local-mode gateway may trust: sent to a loopback name or address (a DNS
    rebinding attack sends its own host name) and, from a browser, from a loopback page."""
    name = urlsplit(f"//{host or ''}").hostname or ""
    if not is_loopback(name):
        return False
    return origin is None or is_loopback(urlsplit(origin).hostname or "")
