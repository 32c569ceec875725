"""Why a registry command is refused, as the domain says it."""

from __future__ import annotations


class Rejected(Exception):
    """The command breaks a rule; `code` is invalid | conflict | not_found."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
