// The dashboard's server state: system metrics, today's cost, the 15-minute series and the
// latest runs. Keys start with the live-cache roots, so the socket keeps them fresh; the
// interval is only a fallback for a dropped socket.
import { useQuery } from "@tanstack/react-query";
import { api } from "@/lib/api";
import { startOfTodayUtc } from "@/lib/format";
import type { ExecutionRecord } from "@/lib/types";

export const REFRESH_MS = 5_000;

export interface SystemMetrics {
  totalExecutions: number;
  completedExecutions: number;
  failedExecutions: number;
  pendingExecutions: number;
  runningExecutions: number;
  successRate: number; // 0-100
  averageExecutionTime: number;
  p50ExecutionTime: number | null;
  p99ExecutionTime: number | null;
  executionsPerSecond: number;
  currentInstances: number | null;
  queueLength: number | null;
}

export interface SystemCosts {
  totalExecutions: number;
  totalSystemCost: number;
  totalSystemCostExact?: string;
  totalExecutionCost?: number;
}

export interface TimeseriesPoint {
  t: string;
  completed: number;
  failed: number;
  executionsPerSecond: number;
  avgMs: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
}

export interface Timeseries {
  bucketSeconds: number;
  points: TimeseriesPoint[];
  queue: { t: string; queueLength: number; instances: number }[];
}

export const keys = {
  metrics: ["metrics", "overview"] as const,
  timeseries: (minutes: number) => ["metrics", "timeseries", { minutes }] as const,
  costsSince: (startDate: string) => ["costs", "system", { startDate }] as const,
  recent: (limit: number) => ["executions", "recent", { limit }] as const,
};

export function useMetrics() {
  return useQuery({
    queryKey: keys.metrics,
    queryFn: ({ signal }) => api.get<SystemMetrics>("/api/metrics", undefined, signal),
    refetchInterval: REFRESH_MS,
  });
}

export function useCostToday() {
  const startDate = startOfTodayUtc();
  return useQuery({
    queryKey: keys.costsSince(startDate),
    queryFn: ({ signal }) => api.get<SystemCosts>("/api/costs/system", { startDate }, signal),
    refetchInterval: REFRESH_MS,
  });
}

export function useTimeseries(minutes = 15) {
  return useQuery({
    queryKey: keys.timeseries(minutes),
    queryFn: ({ signal }) => api.get<Timeseries>("/api/metrics/timeseries", { minutes }, signal),
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
