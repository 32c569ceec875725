// The cost of each listed run: from its record (the list API carries `cost` once billing has
// costed it), else from live `cost_update` / completion messages or a cached detail page.
import { useMemo } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useLiveFeed } from "@/lib/live";
import type { ExecutionRecord, WsMessage } from "@/lib/types";
import { executionKeys } from "../api/executions";

export interface KnownCost {
  totalCost: number;
  totalCostExact?: string;
}

const COSTED = new Set(["cost_update", "execution_completed", "execution_failed"]);
const hasCost = (m: WsMessage) => COSTED.has(m.type);

export function useKnownCosts(rows: ExecutionRecord[]): Map<string, KnownCost> {
  const feed = useLiveFeed(hasCost, 200);
  const client = useQueryClient();
  return useMemo(() => {
    const known = new Map<string, KnownCost>();
    for (const message of feed) {
      const data = message.data as { executionId?: string; totalCost?: number; totalCostExact?: string; cost?: KnownCost | null };
      const cost = message.type === "cost_update" ? data : data.cost;
      if (data.executionId && cost && typeof cost.totalCost === "number" && !known.has(data.executionId)) {
        known.set(data.executionId, { totalCost: cost.totalCost, totalCostExact: cost.totalCostExact });
      }
    }
    for (const row of rows) {
      const record = row.cost ? row : client.getQueryData<ExecutionRecord>(executionKeys.detail(row.id));
      if (record?.cost) known.set(row.id, { totalCost: record.cost.totalCost, totalCostExact: record.cost.totalCostExact });
    }
    return known;
  }, [feed, rows, client]);
}
