// Shared chart bits for this feature: colours with enough contrast, and compact money ticks.
export const TIER_COLORS: Record<string, string> = {
  basic: "#0369a1",
  standard: "#4f46e5",
  premium: "#b45309",
  enterprise: "#be123c",
  unknown: "#475569",
};

export const PART_COLORS = {
  baseCost: "#4f46e5",
  coldStartCost: "#b45309",
  retryCost: "#be123c",
  dataTransferCost: "#047857",
} as const;

/** "$0.00012" for an axis tick: two significant digits, no trailing zeros. */
export function moneyTick(value: number): string {
  if (!Number.isFinite(value) || value === 0) return "$0";
  return `$${Number(value.toPrecision(2)).toString()}`;
}
