// The system figures and their per-minute timeseries, as the dashboard and monitoring both show
// them. Keys start with the live-cache root "metrics", so the socket keeps them fresh (and two
// pages asking for the same window share one cached answer); the interval is only a fallback for
// a dropped socket.
import { useQuery } from "@tanstack/react-query";
import { api, ApiError } from "./api";
import { ROOTS } from "./live-cache";

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

export const metricsKeys = {
  overview: [ROOTS.metrics, "overview"] as const,
  timeseries: (minutes: number) => [ROOTS.metrics, "timeseries", { minutes }] as const,
};

const fetchMetrics = (signal?: AbortSignal) => api.get<SystemMetrics>("/api/metrics", undefined, signal);

async function fetchTimeseries(minutes: number, signal?: AbortSignal): Promise<Timeseries> {
  try {
    return await api.get<Timeseries>("/api/metrics/timeseries", { minutes }, signal);
  } catch (error) {
    // A gateway older than the timeseries endpoint answers 404: say so rather than "Not Found".
    if (error instanceof ApiError && error.status === 404) throw new ApiError(404, "This gateway does not serve the metrics timeseries yet.");
    throw error;
  }
}

export function useMetrics() {
  return useQuery({
    queryKey: metricsKeys.overview,
    queryFn: ({ signal }) => fetchMetrics(signal),
    refetchInterval: REFRESH_MS,
  });
}

/** The last `minutes` in per-minute buckets, with the scaler's queue samples. */
export function useTimeseries(minutes: number) {
  return useQuery({
    queryKey: metricsKeys.timeseries(minutes),
    queryFn: ({ signal }) => fetchTimeseries(minutes, signal),
    refetchInterval: REFRESH_MS,
  });
}
