// The tier rule (billing's `determineTier`, DESIGN section 5) so the form can show where a
// function will land before it is saved.
import type { Tier } from "@/lib/types";

export const PRICE_PER_100MS: Record<Tier, string> = {
  basic: "0.0001",
  standard: "0.0003",
  premium: "0.0008",
  enterprise: "0.002",
};

/** Characters as Python's `len` counts them (code points, not UTF-16 units). */
export function codeLength(code: string): number {
  return Array.from(code).length;
}

export function tierFor(code: string, timeoutMs: number): Tier {
  const length = codeLength(code);
  const timeout = Number.isFinite(timeoutMs) ? timeoutMs : 0;
  if (length > 10_000 || timeout > 120_000) return "enterprise";
  if (length > 5_000 || timeout > 60_000) return "premium";
  if (length > 100) return "standard";
  return "basic";
}
