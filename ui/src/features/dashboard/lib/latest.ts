// The "latest executions" rows: finished runs from the live socket first, topped up with the
// newest finished runs the REST API knew when the page opened.
import type { ExecutionRecord, WsMessage } from "@/lib/types";

export interface LatestRow {
  id: string;
  functionName: string;
  status: string;
  duration: number | null;
  cost: number | null;
  at: string | null;
}

export const isFinished = (message: WsMessage): boolean =>
  message.type === "execution_completed" || message.type === "execution_failed";

/** What the feed reads: finished runs, and the cost updates that can arrive after them. */
export const isFinishedOrCost = (message: WsMessage): boolean => isFinished(message) || message.type === "cost_update";

function num(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function fromMessage(message: WsMessage): LatestRow | null {
  const d = message.data as Record<string, unknown>;
  const id = typeof d.executionId === "string" ? d.executionId : null;
  if (!id) return null;
  const cost = d.cost as { totalCost?: unknown } | null | undefined;
  return {
    id,
    functionName: typeof d.functionName === "string" ? d.functionName : String(d.functionId ?? "unknown"),
    status: typeof d.status === "string" ? d.status : message.type === "execution_failed" ? "failed" : "completed",
    duration: num(d.duration),
    cost: num(cost?.totalCost),
    at: message.timestamp ?? null,
  };
}

function fromRecord(record: ExecutionRecord): LatestRow {
  return {
    id: record.id,
    functionName: record.functionName ?? record.functionId,
    status: record.status,
    duration: num(record.duration),
    cost: num(record.cost?.totalCost),
    at: record.endTime ?? record.createdAt ?? null,
  };
}

/** Live finished runs (newest first), then REST ones not seen live; a run's cost may come from a later cost_update. */
export function latestRows(live: WsMessage[], recent: ExecutionRecord[] | undefined, limit: number): LatestRow[] {
  const costs = new Map<string, number>();
  for (const message of live) {
    if (message.type !== "cost_update") continue;
    const d = message.data as { executionId?: unknown; totalCost?: unknown };
    const cost = num(d.totalCost);
    if (typeof d.executionId === "string" && cost !== null && !costs.has(d.executionId)) costs.set(d.executionId, cost);
  }
  const rows: LatestRow[] = [];
  const seen = new Set<string>();
  for (const message of live) {
    if (rows.length === limit) return rows;
    if (!isFinished(message)) continue;
    const row = fromMessage(message);
    if (!row || seen.has(row.id)) continue;
    seen.add(row.id);
    rows.push(row.cost === null && costs.has(row.id) ? { ...row, cost: costs.get(row.id) ?? null } : row);
  }
  for (const record of recent ?? []) {
    if ((record.status !== "completed" && record.status !== "failed") || seen.has(record.id)) continue;
    seen.add(record.id);
    rows.push(fromRecord(record));
    if (rows.length === limit) break;
  }
  return rows;
}
