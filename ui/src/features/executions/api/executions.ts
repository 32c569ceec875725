// Fetchers and TanStack Query hooks for executions. Keys start with the live roots "executions"
// and "functions", so WebSocket events keep every page here fresh without extra code.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, ApiError } from "@/lib/api";
import type { ExecutionRecord, ExecutionStatus, FunctionRecord } from "@/lib/types";

export const MAX_LIMIT = 1000; // the API's ceiling for one list call (there is no offset today)

export interface ExecutionFilter {
  status?: ExecutionStatus;
  functionId?: string;
}

export const executionKeys = {
  list: (filter: ExecutionFilter, limit: number) => ["executions", "list", filter.status ?? "", filter.functionId ?? "", limit] as const,
  detail: (id: string) => ["executions", "detail", id] as const,
  functions: () => ["functions", "list"] as const,
};

export const fetchExecutions = (filter: ExecutionFilter, limit: number, signal?: AbortSignal) =>
  api.get<ExecutionRecord[]>("/api/executions", { status: filter.status, functionId: filter.functionId, limit: Math.min(limit, MAX_LIMIT) }, signal);
export const fetchExecution = (id: string, signal?: AbortSignal) =>
  api.get<ExecutionRecord>(`/api/executions/${encodeURIComponent(id)}`, undefined, signal);
export const fetchFunctions = (signal?: AbortSignal) => api.get<FunctionRecord[]>("/api/functions", undefined, signal);

export function useExecutions(filter: ExecutionFilter, limit: number) {
  return useQuery({
    queryKey: executionKeys.list(filter, limit),
    queryFn: ({ signal }) => fetchExecutions(filter, limit, signal),
    // Paging or a live refetch keeps the current rows on screen instead of flashing a spinner.
    placeholderData: keepPreviousData,
  });
}

const ACTIVE: ExecutionStatus[] = ["pending", "running"];
const COST_POLLS = 10;

/**
 * A just-queued execution is briefly unknown to the read model (its record is written from the
 * event stream): a 404 is asked again for a few seconds before it counts as "not found".
 */
export const retryNotFoundYet = (failures: number, error: Error) =>
  error instanceof ApiError && (error.status === 404 ? failures < 8 : error.status >= 500 && failures < 2);

/** One execution; while it runs (or waits for its price) it is polled as well as pushed live. */
export function useExecution(id: string) {
  return useQuery({
    queryKey: executionKeys.detail(id),
    queryFn: ({ signal }) => fetchExecution(id, signal),
    retry: retryNotFoundYet,
    retryDelay: 500,
    refetchInterval: (query) => {
      const data = query.state.data;
      if (!data || query.state.status === "error") return false;
      if (ACTIVE.includes(data.status)) return 1000;
      return !data.cost && query.state.dataUpdateCount < COST_POLLS ? 1000 : false;
    },
  });
}

/** The function list for the filter (same key and shape as the functions feature's list). */
export function useFunctionOptions() {
  return useQuery({ queryKey: executionKeys.functions(), queryFn: ({ signal }) => fetchFunctions(signal) });
}
