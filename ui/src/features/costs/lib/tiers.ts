// The per-tier split of the per-function costs, summed exactly.
import type { FunctionCost } from "../api/costs";
import { addExact, compareExact } from "@/lib/decimal";

export const TIER_ORDER = ["basic", "standard", "premium", "enterprise"] as const;

export interface TierCost {
  tier: string;
  functions: number;
  executions: number;
  totalExact: string;
  total: number;
}

export function splitByTier(rows: FunctionCost[]): TierCost[] {
  const groups = new Map<string, FunctionCost[]>();
  for (const row of rows) {
    const tier = row.tier || "unknown";
    groups.set(tier, [...(groups.get(tier) ?? []), row]);
  }
  const rank = (tier: string) => {
    const i = (TIER_ORDER as readonly string[]).indexOf(tier);
    return i === -1 ? TIER_ORDER.length : i;
  };
  return [...groups.entries()]
    .map(([tier, members]) => {
      const totalExact = addExact(members.map((m) => m.totalCostExact ?? m.totalCost));
      return {
        tier,
        functions: members.length,
        executions: members.reduce((n, m) => n + m.executionCount, 0),
        totalExact,
        total: Number(totalExact),
      };
    })
    .sort((a, b) => rank(a.tier) - rank(b.tier) || a.tier.localeCompare(b.tier));
}

/** Function rows by cost, most expensive first (exactly), then by name. */
export function byCost(rows: FunctionCost[]): FunctionCost[] {
  return [...rows].sort(
    (a, b) =>
      compareExact(b.totalCostExact ?? b.totalCost, a.totalCostExact ?? a.totalCost) ||
      (a.functionName ?? a.functionId).localeCompare(b.functionName ?? b.functionId),
  );
}
