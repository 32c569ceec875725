// Shapes only this feature reads: per-function stats, the system cost roll-up, a sync invoke reply.
import type { ExecutionStatus, FunctionConfig, FunctionStatus, Runtime, Tier } from "@/lib/types";

export interface FunctionStats {
  functionId: string;
  executions: number;
  completed: number;
  failed: number;
  lastRunAt: string | null;
  avgDurationMs: number | null;
}

export interface FunctionCost {
  functionId: string;
  functionName?: string;
  tier?: Tier | string;
  executionCount?: number;
  totalCost: number;
  totalCostExact?: string;
}

export interface SystemCosts {
  totalExecutions: number;
  functionCosts: FunctionCost[];
  [key: string]: unknown;
}

export interface InvokeResult {
  executionId: string;
  status: ExecutionStatus;
  output: unknown;
  error: string | null;
  errorKind: string | null;
  duration: number | null;
  coldStart: boolean;
  instanceId: string | null;
  logs: string[];
  functionVersion: number;
}

/** What the form sends: POST takes all of it, PUT any part (plus `status`). */
export interface FunctionDraft {
  name: string;
  description: string;
  code: string;
  runtime: Runtime;
  config: Pick<FunctionConfig, "timeout" | "retryCount">;
}

export type FunctionChanges = Partial<FunctionDraft> & { status?: FunctionStatus };
