// Costs the page already knows without asking: live `cost_update` / completion messages and
// execution records cached by a visit to their detail page. The list API carries no cost.
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

export function useKnownCosts(ids: string[]): Map<string, KnownCost> {
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
    for (const id of ids) {
      if (known.has(id)) continue;
      const record = client.getQueryData<ExecutionRecord>(executionKeys.detail(id));
      if (record?.cost) known.set(id, { totalCost: record.cost.totalCost, totalCostExact: record.cost.totalCostExact });
    }
    return known;
  }, [feed, ids, client]);
}
