// Typed fetchers and query hooks for billing's answers under /api/costs. Every key starts with
// "costs", so the live socket keeps these fresh (cost_update and scaling_event invalidate them).
import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import { api } from "@/lib/api";
import type { Tier } from "@/lib/types";

export interface FunctionCost {
  functionId: string;
  functionName: string | null;
  tier: Tier | string | null;
  executionCount: number;
  totalCost: number;
  totalCostExact: string;
}

/** `GET /api/costs/system`: totals over whole UTC hours touching [startDate, endDate]. */
export interface SystemCosts {
  period: { start: string; end: string };
  totalExecutions: number;
  functionCosts: FunctionCost[];
  scalingEvents: number;
  totalSystemCost: number;
  totalSystemCostExact: string;
  totalExecutionCost: number;
  totalExecutionCostExact: string;
  averageCostPerExecution: number;
  averageCostPerExecutionExact: string;
  scalingCost: number;
  scalingCostExact: string;
  storageCost: number;
  storageCostExact: string;
}

/** One UTC hour of `GET /api/costs/trends`. Today billing sends the total only; the parts are read when present. */
export interface HourlyCost {
  hour: string;
  executions: number;
  cost: number;
  costExact: string;
  baseCost?: number;
  coldStartCost?: number;
  retryCost?: number;
  dataTransferCost?: number;
}

export interface CostTrends {
  from: string;
  to: string;
  functionId: string | null;
  hourly: HourlyCost[];
}

export interface AuditDifference {
  executionId?: string;
  problem?: string;
  field?: string;
  stored?: unknown;
  expected?: unknown;
}

/** `GET /api/costs/audit`: every terminal execution event replayed and compared with the ledger. */
export interface CostAudit {
  checkedExecutions: number;
  ledgerRecords: number;
  differences: AuditDifference[];
  ledgerTotalExact: string;
  recomputedTotalExact: string;
  ok: boolean;
}

/** An ISO range; null ends are open (start: all time, end: now). */
export interface CostRange {
  start: string | null;
  end: string | null;
}

const EPOCH = "1970-01-01T00:00:00.000Z";

export const costKeys = {
  system: (range: CostRange) => ["costs", "system", range.start, range.end] as const,
  trends: (range: CostRange) => ["costs", "trends", range.start, range.end] as const,
};

export function fetchSystemCosts(range: CostRange, signal?: AbortSignal): Promise<SystemCosts> {
  return api.get<SystemCosts>("/api/costs/system", { startDate: range.start, endDate: range.end }, signal);
}

export function fetchCostTrends(range: CostRange, signal?: AbortSignal): Promise<CostTrends> {
  // Trends default to the last 24 h; an open start here means all time, as it does for the totals.
  return api.get<CostTrends>("/api/costs/trends", { from: range.start ?? EPOCH, to: range.end }, signal);
}

export function fetchCostAudit(): Promise<CostAudit> {
  return api.get<CostAudit>("/api/costs/audit");
}

export function useSystemCosts(range: CostRange, enabled = true) {
  return useQuery({
    queryKey: costKeys.system(range),
    queryFn: ({ signal }) => fetchSystemCosts(range, signal),
    placeholderData: keepPreviousData,
    enabled,
  });
}

export function useCostTrends(range: CostRange, enabled = true) {
  return useQuery({
    queryKey: costKeys.trends(range),
    queryFn: ({ signal }) => fetchCostTrends(range, signal),
    placeholderData: keepPreviousData,
    enabled,
  });
}

/** The audit replays the whole event log (seconds), so it runs only when asked, never on a live tick. */
export function useCostAudit() {
  return useMutation({ mutationKey: ["costs", "audit"], mutationFn: fetchCostAudit });
}
