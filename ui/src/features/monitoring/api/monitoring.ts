// Monitoring's server state: current figures, the per-minute timeseries and the scaling history.
// Keys start with the live-cache roots ("metrics", "scaling"), so the socket keeps them fresh;
// the interval is only a fallback for a dropped socket.
import { useQuery } from "@tanstack/react-query";
import { api } from "@/lib/api";

export const REFRESH_MS = 5_000;

export interface SystemMetrics {
  totalExecutions: number;
  executionsPerSecond: number;
  p50ExecutionTime: number | null;
  p99ExecutionTime: number | null;
  runningExecutions: number;
  pendingExecutions: number;
  currentInstances: number | null;
  queueLength: number | null;
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

export interface QueueSample {
  t: string;
  queueLength: number;
  instances: number;
}

export interface Timeseries {
  bucketSeconds: number;
  points: TimeseriesPoint[];
  queue: QueueSample[];
}

export interface ScalingEvent {
  action: string;
  instanceCount: number;
  previousCount?: number | null;
  queueLength?: number | null;
  reason?: string | null;
  timestamp: string;
}

export const keys = {
  metrics: ["metrics", "overview"] as const,
  timeseries: (minutes: number) => ["metrics", "timeseries", { minutes }] as const,
  scaling: (limit: number) => ["scaling", "history", { limit }] as const,
};

export function useMetrics() {
  return useQuery({
    queryKey: keys.metrics,
    queryFn: ({ signal }) => api.get<SystemMetrics>("/api/metrics", undefined, signal),
    refetchInterval: REFRESH_MS,
  });
}

export function useTimeseries(minutes: number) {
  return useQuery({
    queryKey: keys.timeseries(minutes),
    queryFn: ({ signal }) => api.get<Timeseries>("/api/metrics/timeseries", { minutes }, signal),
    refetchInterval: REFRESH_MS,
  });
}

export function useScalingHistory(limit = 50) {
  return useQuery({
    queryKey: keys.scaling(limit),
    queryFn: ({ signal }) => api.get<ScalingEvent[]>("/api/metrics/scaling-history", { limit }, signal),
    refetchInterval: REFRESH_MS,
  });
}
