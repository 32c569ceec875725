import type { FunctionCost } from "../api/costs";
import { byCost, splitByTier } from "./tiers";

const row = (functionId: string, tier: string | null, totalCostExact: string, executionCount = 1): FunctionCost => ({
  functionId,
  functionName: functionId,
  tier,
  executionCount,
  totalCost: Number(totalCostExact),
  totalCostExact,
});

describe("cost per tier", () => {
  it("sums the per-function costs by tier, exactly, in tier order", () => {
    const tiers = splitByTier([
      row("a", "standard", "0.0003", 1),
      row("b", "basic", "0.000100000000001", 2),
      row("c", "basic", "0.000200000000002", 3),
      row("d", null, "0.1", 1),
    ]);
    expect(tiers.map((t) => [t.tier, t.totalExact, t.executions, t.functions])).toEqual([
      ["basic", "0.000300000000003", 5, 2],
      ["standard", "0.0003", 1, 1],
      ["unknown", "0.1", 1, 1],
    ]);
  });

  it("orders functions by cost, most expensive first", () => {
    expect(byCost([row("cheap", "basic", "0.0001"), row("dear", "basic", "0.0100"), row("mid", "basic", "0.001")]).map((r) => r.functionId)).toEqual([
      "dear",
      "mid",
      "cheap",
    ]);
  });
});
