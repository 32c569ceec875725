"""Pricing tiers: the rule that picks a function's tier, and what each tier costs and gets.

Shared by the executor (memory cap) and billing (price), so it lives in the contract.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

Tier = Literal["basic", "standard", "premium", "enterprise"]


@dataclass(frozen=True)
class TierSpec:
    name: Tier
    price_per_100ms: Decimal
    memory_mb: int  # enforced cap
    cpu_cores: Decimal  # reported


TIERS: dict[Tier, TierSpec] = {
    "basic": TierSpec("basic", Decimal("0.0001"), 128, Decimal("0.1")),
    "standard": TierSpec("standard", Decimal("0.0003"), 512, Decimal("0.5")),
    "premium": TierSpec("premium", Decimal("0.0008"), 1024, Decimal("1.0")),
    "enterprise": TierSpec("enterprise", Decimal("0.002"), 2048, Decimal("2.0")),
}


def determine_tier(code_length: int, timeout_ms: int) -> Tier:
    """The seed's `determineTier`: code length in characters and the timeout in ms."""
    if code_length > 10_000 or timeout_ms > 120_000:
        return "enterprise"
    if code_length > 5_000 or timeout_ms > 60_000:
        return "premium"
    if code_length > 100:
        return "standard"
    return "basic"
