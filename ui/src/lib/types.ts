// Shapes the gateway answers with (see /docs for the OpenAPI document). Money arrives as numbers
// for display and as exact decimal strings in the `...Exact` fields.

export type Runtime = "javascript" | "python";
export type FunctionStatus = "active" | "inactive";
export type ExecutionStatus = "pending" | "running" | "completed" | "failed";
export type Tier = "basic" | "standard" | "premium" | "enterprise";

export interface FunctionConfig {
  timeout: number;
  retryCount: number;
  /** Who may call the function URL: "key" (an invoke key of the owner, the default) or "none". */
  auth?: string;
  [key: string]: unknown;
}

export interface FunctionRecord {
  _id: string;
  id: string;
  /** The tenant it belongs to; records from before owners existed read as "local". */
  owner?: string;
  name: string;
  description: string;
  code: string;
  runtime: Runtime;
  status: FunctionStatus;
  config: FunctionConfig;
  version: number;
  tier?: Tier;
  createdAt: string;
  updatedAt: string;
}

export interface ExecutionError {
  kind: string;
  message: string;
}

export interface Attempt {
  attempt: number;
  instanceId: string;
  coldStart: boolean;
  durationMs: number;
  startedAt: string;
  endedAt: string;
  error: ExecutionError | null;
}

export interface CostBreakdown {
  executionId?: string;
  functionId?: string;
  tier: Tier | string;
  baseCost: number;
  coldStartCost: number;
  retryCost: number;
  dataTransferCost: number;
  totalCost: number;
  baseCostExact?: string;
  coldStartCostExact?: string;
  retryCostExact?: string;
  dataTransferCostExact?: string;
  totalCostExact?: string;
  billedDurationMs?: number;
  [key: string]: unknown;
}

export interface ExecutionRecord {
  _id: string;
  id: string;
  functionId: string;
  functionName?: string;
  functionVersion?: number;
  status: ExecutionStatus;
  input?: unknown;
  output?: unknown;
  error?: ExecutionError | string | null;
  logs?: string[];
  duration?: number | null;
  coldStart?: boolean;
  retryCount?: number;
  attempts?: Attempt[];
  createdAt?: string;
  startTime?: string | null;
  endTime?: string | null;
  mode?: string;
  tier?: string;
  cost?: CostBreakdown | null;
  [key: string]: unknown;
}

export interface WsMessage<T = Record<string, unknown>> {
  type: string;
  data: T;
  timestamp: string;
}
