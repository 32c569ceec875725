"""Retry policy: which failures are retried, and the durable backoff before each retry."""

from __future__ import annotations

from s3c_events.executor import RETRYABLE  # the contract says which error kinds are retried

__all__ = ["BASE_BACKOFF_MS", "RETRYABLE", "backoff_ms", "should_retry"]
BASE_BACKOFF_MS = 2000


def backoff_ms(attempt: int, base_ms: int = BASE_BACKOFF_MS) -> int:
    """Wait after failed attempt `attempt` (1-based): 2 s, 4 s, 8 s, ..."""
    return int(base_ms * 2 ** (max(1, attempt) - 1))


def should_retry(error_kind: str | None, attempt: int, retry_count: int) -> bool:
    """Runtime errors, timeouts and worker crashes are retried until `retry_count` retries are done;
    compile and memory errors fail at once (running them again cannot help)."""
    return error_kind in RETRYABLE and attempt <= retry_count
