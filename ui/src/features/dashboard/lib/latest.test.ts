import type { ExecutionRecord, WsMessage } from "@/lib/types";
import { latestRows } from "./latest";

const done = (id: string, extra: Record<string, unknown> = {}): WsMessage => ({
  type: "execution_completed",
  timestamp: "2026-01-01T10:00:00Z",
  data: { executionId: id, functionId: "f1", functionName: "add", status: "completed", duration: 4.5, cost: { totalCost: 0.0001 }, ...extra },
});

const record = (id: string, status: ExecutionRecord["status"]): ExecutionRecord =>
  ({ _id: id, id, functionId: "f2", functionName: "old", status, duration: 9, endTime: "2026-01-01T09:00:00Z" }) as ExecutionRecord;

describe("latestRows", () => {
  it("keeps only finished runs, live ones first, then REST ones it has not seen, up to the limit", () => {
    const live: WsMessage[] = [
      done("e3"),
      { type: "execution_started", timestamp: "", data: { executionId: "e4", status: "running" } },
      { type: "execution_failed", timestamp: "", data: { executionId: "e2", functionName: "add", status: "failed", duration: 1 } },
    ];
    const rows = latestRows(live, [record("e3", "completed"), record("e9", "running"), record("e1", "completed"), record("e0", "failed")], 3);
    expect(rows.map((r) => [r.id, r.status, r.functionName])).toEqual([
      ["e3", "completed", "add"],
      ["e2", "failed", "add"],
      ["e1", "completed", "old"],
    ]);
    expect(rows[0]).toMatchObject({ duration: 4.5, cost: 0.0001 });
    expect(rows[1].cost).toBeNull();
  });

  it("drops a repeated event for the same execution", () => {
    expect(latestRows([done("e1"), done("e1")], [], 20)).toHaveLength(1);
  });
});

describe("latestRows costs", () => {
  it("takes a run's cost from a cost_update when the completion came without one", () => {
    const live: WsMessage[] = [
      { type: "cost_update", timestamp: "", data: { executionId: "e1", totalCost: 0.00025 } },
      done("e2", { cost: undefined }),
      done("e1", { cost: null }),
    ];
    const rows = latestRows(live, [], 20);
    expect(rows.map((r) => [r.id, r.cost])).toEqual([
      ["e2", null],
      ["e1", 0.00025],
    ]);
  });
});
