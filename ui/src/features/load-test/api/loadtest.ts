// Typed fetchers and query hooks the load test uses. Keys start with "functions" and "scaling",
// so the live socket keeps them fresh.
import { useQuery } from "@tanstack/react-query";
import { api, request } from "@/lib/api";
import type { ExecutionRecord, FunctionRecord } from "@/lib/types";

export interface InvokeResult {
  executionId: string;
  status: "completed" | "failed" | string;
  output: unknown;
  error: string | null;
  errorKind: string | null;
  duration: number | null;
  coldStart: boolean;
  instanceId: string | null;
  functionVersion: number;
}

export interface Queued {
  executionId: string;
  status: string;
}

export interface ScalingRecord {
  action: string;
  instanceCount: number;
  previousCount: number;
  queueLength: number;
  reason: string;
  timestamp: string;
}

export function invoke(functionId: string, input: unknown, signal?: AbortSignal): Promise<InvokeResult> {
  return request<InvokeResult>("POST", `/api/functions/${encodeURIComponent(functionId)}/invoke`, { body: { input }, signal });
}

export function execute(functionId: string, input: unknown, signal?: AbortSignal): Promise<Queued> {
  return request<Queued>("POST", `/api/functions/${encodeURIComponent(functionId)}/execute`, { body: { input }, signal });
}

export function getExecution(executionId: string, signal?: AbortSignal): Promise<ExecutionRecord> {
  return api.get<ExecutionRecord>(`/api/executions/${encodeURIComponent(executionId)}`, undefined, signal);
}

export function useActiveFunctions() {
  return useQuery({
    queryKey: ["functions", "list", { status: "active" }],
    queryFn: ({ signal }) => api.get<FunctionRecord[]>("/api/functions", { status: "active" }, signal),
  });
}

/** The scaler's recent decisions (newest first), read once a run has started. */
export function useScalingHistory(enabled: boolean, limit = 200) {
  return useQuery({
    queryKey: ["scaling", "history", limit],
    queryFn: ({ signal }) => api.get<ScalingRecord[]>("/api/metrics/scaling-history", { limit }, signal),
    enabled,
  });
}
