// The dashboard's own server state: today's cost and the latest runs (the system figures and
// their timeseries come from @/lib/metrics, shared with monitoring). Keys start with the
// live-cache roots, so the socket keeps them fresh; the interval is only a fallback for a
// dropped socket.
import { useQuery } from "@tanstack/react-query";
import { api } from "@/lib/api";
import { startOfTodayUtc } from "@/lib/format";
import { REFRESH_MS } from "@/lib/metrics";
import type { ExecutionRecord } from "@/lib/types";

export interface SystemCosts {
  totalExecutions: number;
  totalSystemCost: number;
  totalSystemCostExact?: string;
  totalExecutionCost?: number;
}

export const keys = {
  costsSince: (startDate: string) => ["costs", "system", { startDate }] as const,
  recent: (limit: number) => ["executions", "recent", { limit }] as const,
};

export function useCostToday() {
  const startDate = startOfTodayUtc();
  return useQuery({
    queryKey: keys.costsSince(startDate),
    queryFn: ({ signal }) => api.get<SystemCosts>("/api/costs/system", { startDate }, signal),
    refetchInterval: REFRESH_MS,
  });
}

/** Finished runs from before this page opened; off once the live feed alone fills the list. */
export function useRecentExecutions(limit: number, enabled: boolean) {
  return useQuery({
    queryKey: keys.recent(limit),
    queryFn: ({ signal }) => api.get<ExecutionRecord[]>("/api/executions", { limit }, signal),
    enabled,
    refetchInterval: REFRESH_MS,
  });
}
