"""The ports the registry's handlers depend on: the functions and keys read models, the event
logs of both aggregates (append, then read your own writes), the name reservations and the code
checker.

Production adapters: `store.MongoFunctionStore`, `store.MongoKeyStore`, `stream.JetStreamLog`,
`names.NameReservations` and `syntax.CodeCompiler`; unit tests pass in-memory fakes behind the
same ports.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from s3c_events import Event, FunctionState, KeyView
from s3c_events.registry import Runtime, Status

# `holds(function_id, name)`: whether that function really has the name now (the read model says).
Holds = Callable[[str, str], Awaitable[bool]]


@dataclass(frozen=True)
class Stored:
    """A function as the read model holds it, and the stream sequence of its last event (what
    the next append to it expects)."""

    state: FunctionState
    seq: int


@dataclass(frozen=True)
class StoredKey:
    """A key as the read model holds it, and the stream sequence of its last event."""

    key: KeyView
    seq: int


class FunctionStore(Protocol):
    """The functions read model, read. A deleted function is never found."""

    async def by_id(self, function_id: str) -> Stored | None: ...

    async def by_name(self, owner: str, name: str) -> Stored | None:
        """The function of `owner` named `name` (names are unique per owner)."""
        ...

    async def list(
        self, status: Status | None = None, owner: str | None = None
    ) -> list[FunctionState]:
        """Every function (of that status and owner if given), newest first."""
        ...


class KeyStore(Protocol):
    """The keys read model, read. Revoked keys are found (as revoked)."""

    async def by_id(self, key_id: str) -> StoredKey | None: ...

    async def list(self, owner: str | None = None) -> list[KeyView]:
        """Every key (of that owner if given), newest first."""
        ...


class EventLog(Protocol):
    """One aggregate's events in their stream (`function.*` or `key.*`), and the read model
    kept from them."""

    async def append(self, events: Sequence[Event], expected_seq: int) -> None:
        """Append one aggregate's events in order, then apply them to the read model (so the
        next read sees them). Raises `s3c_runtime.bus.ConcurrencyConflict` when the aggregate's
        last stored event is not at `expected_seq` (0: it has none)."""
        ...

    async def catch_up(self) -> None:
        """Apply to the read model everything the stream holds now (e.g. another replica's)."""
        ...


class Names(Protocol):
    """Names unique per owner across every registry process."""

    async def claim(self, owner: str, name: str, function_id: str, holds: Holds) -> None:
        """Take `owner`'s `name` for `function_id`, or raise `domain.functions.Rejected`
        ("conflict") if another function holds it."""
        ...

    async def release(self, owner: str, name: str, function_id: str) -> None:
        """Give `owner`'s `name` up, if `function_id` holds it."""
        ...


class CodeChecker(Protocol):
    async def error(self, runtime: Runtime, code: str) -> str | None:
        """None when `code` compiles for `runtime`, else the compiler's message. Never runs it."""
        ...
