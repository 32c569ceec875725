// Monitoring's own server state: the scaling history (the current figures and the per-minute
// timeseries come from @/lib/metrics, shared with the dashboard). Keys start with the live-cache
// root "scaling", so the socket keeps them fresh; the interval is only a fallback for a dropped socket.
import { useQuery } from "@tanstack/react-query";
import { api } from "@/lib/api";
import { REFRESH_MS } from "@/lib/metrics";

export interface ScalingEvent {
  action: string;
  instanceCount: number;
  previousCount?: number | null;
  queueLength?: number | null;
  reason?: string | null;
  timestamp: string;
}

export const keys = {
  scaling: (limit: number) => ["scaling", "history", { limit }] as const,
};

export function useScalingHistory(limit = 50) {
  return useQuery({
    queryKey: keys.scaling(limit),
    queryFn: ({ signal }) => api.get<ScalingEvent[]>("/api/metrics/scaling-history", { limit }, signal),
    refetchInterval: REFRESH_MS,
  });
}
