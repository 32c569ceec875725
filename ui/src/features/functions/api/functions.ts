// Fetchers and TanStack Query hooks for functions. Every key starts with a live root
// ("functions", "executions", "costs"), so the WebSocket keeps these queries fresh.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, ApiError } from "@/lib/api";
import type { ExecutionRecord, ExecutionStatus, FunctionRecord } from "@/lib/types";
import type { FunctionChanges, FunctionDraft, FunctionStats, InvokeResult, SystemCosts } from "./types";

export const functionKeys = {
  list: () => ["functions", "list"] as const,
  detail: (id: string) => ["functions", "detail", id] as const,
  stats: () => ["functions", "stats"] as const,
  oneStats: (id: string) => ["functions", "stats", id] as const,
  executions: (id: string, limit: number) => ["executions", "by-function", id, limit] as const,
  execution: (id: string) => ["executions", "detail", id] as const,
  systemCosts: () => ["costs", "system"] as const,
};

export const fetchFunctions = (signal?: AbortSignal) => api.get<FunctionRecord[]>("/api/functions", undefined, signal);
export const fetchFunction = (id: string, signal?: AbortSignal) =>
  api.get<FunctionRecord>(`/api/functions/${encodeURIComponent(id)}`, undefined, signal);
export const fetchFunctionStats = (signal?: AbortSignal) => api.get<FunctionStats[]>("/api/functions/stats", undefined, signal);
export const fetchSystemCosts = (signal?: AbortSignal) => api.get<SystemCosts>("/api/costs/system", undefined, signal);
export const fetchFunctionExecutions = (id: string, limit: number, signal?: AbortSignal) =>
  api.get<ExecutionRecord[]>(`/api/functions/${encodeURIComponent(id)}/executions`, { limit }, signal);
export const fetchExecution = (id: string, signal?: AbortSignal) =>
  api.get<ExecutionRecord>(`/api/executions/${encodeURIComponent(id)}`, undefined, signal);

export function useFunctions() {
  return useQuery({ queryKey: functionKeys.list(), queryFn: ({ signal }) => fetchFunctions(signal) });
}

export function useFunction(id: string) {
  return useQuery({ queryKey: functionKeys.detail(id), queryFn: ({ signal }) => fetchFunction(id, signal) });
}

/** Runs and last run per function; the list still renders (with "—") when this fails. */
export function useFunctionStats() {
  return useQuery({ queryKey: functionKeys.stats(), queryFn: ({ signal }) => fetchFunctionStats(signal), retry: false });
}

export function useOneFunctionStats(id: string) {
  return useQuery({
    queryKey: functionKeys.oneStats(id),
    queryFn: ({ signal }) => api.get<FunctionStats>(`/api/functions/${encodeURIComponent(id)}/stats`, undefined, signal),
    retry: false,
  });
}

export function useSystemCosts() {
  return useQuery({ queryKey: functionKeys.systemCosts(), queryFn: ({ signal }) => fetchSystemCosts(signal), retry: false });
}

export function useFunctionExecutions(id: string, limit = 20) {
  return useQuery({
    queryKey: functionKeys.executions(id, limit),
    queryFn: ({ signal }) => fetchFunctionExecutions(id, limit, signal),
  });
}

const TERMINAL: ExecutionStatus[] = ["completed", "failed"];
const COST_POLL_MS = 400;
const COST_POLL_TRIES = 15;
/** How long a run's cost is polled for; a later cost_update invalidation still fills it in. */
export const COST_WAIT_MS = COST_POLL_MS * COST_POLL_TRIES;

/** One execution, polled until it has finished and billing has priced it (a few seconds at most).
 * `enabled` lets a caller wait first: the live `cost_update` usually answers before the record is
 * even stored, and asking too early costs a 404 (which the browser logs as an error). */
export function useExecutionUntilCosted(id: string | null, enabled = true) {
  return useQuery({
    queryKey: functionKeys.execution(id ?? ""),
    queryFn: ({ signal }) => fetchExecution(id as string, signal),
    enabled: id !== null && enabled,
    // The record is written from the event stream: right after a run it can be a moment behind.
    retry: (failures, error) => error instanceof ApiError && error.status === 404 && failures < 8,
    retryDelay: 500,
    refetchInterval: (query) => {
      const data = query.state.data;
      if (query.state.status === "error") return false;
      if (data && TERMINAL.includes(data.status) && data.cost) return false;
      return query.state.dataUpdateCount < COST_POLL_TRIES ? COST_POLL_MS : false;
    },
  });
}

function useInvalidateFunctions() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: ["functions"] });
}

export function useCreateFunction() {
  const invalidate = useInvalidateFunctions();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (draft: FunctionDraft) => api.post<FunctionRecord>("/api/functions", draft),
    onSuccess: (created) => {
      client.setQueryData(functionKeys.detail(created.id), created);
      void invalidate();
    },
  });
}

export function useUpdateFunction(id: string) {
  const invalidate = useInvalidateFunctions();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (changes: FunctionChanges) => api.put<FunctionRecord>(`/api/functions/${encodeURIComponent(id)}`, changes),
    onSuccess: (updated) => {
      client.setQueryData(functionKeys.detail(id), updated);
      void invalidate();
    },
  });
}

export function useDeleteFunction(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api.delete<unknown>(`/api/functions/${encodeURIComponent(id)}`),
    onSuccess: () => {
      client.removeQueries({ queryKey: functionKeys.detail(id) });
      void client.invalidateQueries({ queryKey: functionKeys.list() });
    },
  });
}

export function useInvoke(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: unknown) => api.post<InvokeResult>(`/api/functions/${encodeURIComponent(id)}/invoke`, { input }),
    onSettled: () => client.invalidateQueries({ queryKey: ["executions", "by-function", id] }),
  });
}
