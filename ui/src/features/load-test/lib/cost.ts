// What a run cost: the exact cost of each of its executions, from live `cost_update` messages (or
// the cost an `execution_completed` carries), with the REST API asked for any the socket missed.
import type { CostBreakdown, WsMessage } from "@/lib/types";
import { addExact } from "@/lib/decimal";

export const PARTS = ["baseCost", "coldStartCost", "retryCost", "dataTransferCost", "totalCost"] as const;
export type Part = (typeof PARTS)[number];
export type ExactCost = Record<Part, string>;

export interface RunCost {
  /** Executions of the run whose cost is known. */
  costed: number;
  /** Executions of the run (ids known). */
  of: number;
  parts: ExactCost;
}

function exact(cost: Partial<CostBreakdown> | Record<string, unknown>, part: Part): string {
  const precise = cost[`${part}Exact`];
  if (typeof precise === "string" && precise) return precise;
  const rough = cost[part];
  return typeof rough === "number" && Number.isFinite(rough) ? String(rough) : "0";
}

export function exactCost(cost: Partial<CostBreakdown> | Record<string, unknown>): ExactCost {
  return Object.fromEntries(PARTS.map((p) => [p, exact(cost, p)])) as ExactCost;
}

function hasCost(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && ("totalCostExact" in value || "totalCost" in value);
}

/** Costs by execution id, as they are heard of. Bounded: keeps at most `limit` entries. */
export class CostBook {
  private readonly costs = new Map<string, ExactCost>();

  constructor(private readonly limit = 50_000) {}

  has(executionId: string): boolean {
    return this.costs.has(executionId);
  }

  add(executionId: string, cost: Partial<CostBreakdown> | Record<string, unknown>): void {
    if (this.costs.has(executionId)) return;
    this.costs.set(executionId, exactCost(cost));
    if (this.costs.size > this.limit) this.costs.delete(this.costs.keys().next().value as string);
  }

  handle(batch: WsMessage[]): void {
    for (const { type, data } of batch) {
      const id = (data as { executionId?: unknown }).executionId;
      if (typeof id !== "string") continue;
      if (type === "cost_update" && hasCost(data)) this.add(id, data);
      else if ((type === "execution_completed" || type === "execution_failed") && hasCost(data.cost)) this.add(id, data.cost);
    }
  }

  missing(ids: readonly string[]): string[] {
    return ids.filter((id) => !this.costs.has(id));
  }

  total(ids: readonly string[]): RunCost {
    const known = ids.map((id) => this.costs.get(id)).filter((c): c is ExactCost => c !== undefined);
    const parts = Object.fromEntries(PARTS.map((p) => [p, addExact(known.map((c) => c[p]))])) as ExactCost;
    return { costed: known.length, of: ids.length, parts };
  }
}
