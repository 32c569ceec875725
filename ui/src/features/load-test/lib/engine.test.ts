import type { ExecutionRecord, WsMessage } from "@/lib/types";
import type { InvokeResult } from "../api/loadtest";
import { LoadRun, type RunDeps } from "./engine";
import type { RunConfig } from "./form";

const config = (mode: RunConfig["mode"], executions = 50): RunConfig => ({ functionId: "f1", executions, concurrency: 5, input: [1, 2], mode });

const cost = (id: string, total: string) => ({
  executionId: id,
  tier: "basic",
  baseCost: 0.0001,
  coldStartCost: 0,
  retryCost: 0,
  dataTransferCost: 0,
  totalCost: Number(total),
  baseCostExact: "0.0001",
  totalCostExact: total,
});

describe("LoadRun", () => {
  it("invoke mode: finishes every execution, counts failed ones, totals the exact cost", async () => {
    let n = 0;
    const deps: RunDeps = {
      invoke: async () => {
        n += 1;
        return { executionId: `e${n}`, status: n % 10 === 0 ? "failed" : "completed", error: n % 10 === 0 ? "boom" : null, duration: 1 } as InvokeResult;
      },
      execute: vi.fn(),
      getExecution: async (id) => ({ id, cost: cost(id, "0.000100000000001") }) as unknown as ExecutionRecord,
    };
    const run = new LoadRun(config("invoke"), deps);
    await run.done;
    const result = run.result();
    expect(run.snapshot()).toMatchObject({ finished: 50, percent: 100, succeeded: 45, failed: 5 });
    expect(result.latency.count).toBe(50);
    expect(result.errors).toEqual([{ message: "boom", count: 5 }]);
    const total = await run.cost({ waitMs: 0 });
    expect(total).toMatchObject({ costed: 50, of: 50 });
    expect(total.parts.totalCost).toBe("0.00500000000005");
  });

  it("execute mode: completions come from live messages, and a missed one from the API", async () => {
    let n = 0;
    const looked: string[] = [];
    const deps: RunDeps = {
      invoke: vi.fn(),
      execute: async () => ({ executionId: `q${++n}`, status: "pending" }),
      getExecution: async (id) => {
        looked.push(id);
        return { id, status: "completed", duration: 3, cost: cost(id, "0.0001") } as unknown as ExecutionRecord;
      },
      missAfterMs: 20,
      sweepMs: 5,
    };
    const run = new LoadRun(config("execute", 20), deps);
    // The socket delivers every completion but q7's.
    const feed = setInterval(() => {
      const batch: WsMessage[] = [];
      for (let i = 1; i <= n; i++) {
        if (i === 7) continue;
        batch.push({ type: "execution_completed", data: { executionId: `q${i}`, duration: 2, cost: cost(`q${i}`, "0.0001") }, timestamp: "" });
      }
      run.handle(batch);
    }, 5);
    await run.done;
    clearInterval(feed);
    expect(run.snapshot()).toMatchObject({ finished: 20, percent: 100, failed: 0 });
    expect(looked).toContain("q7");
    expect(await run.cost({ waitMs: 0 })).toMatchObject({ costed: 20, of: 20, parts: expect.objectContaining({ totalCost: "0.002" }) });
  });

  it("stop: no new requests, the run ends short of 100", async () => {
    let calls = 0;
    const deps: RunDeps = {
      invoke: (_f, _i, signal) =>
        new Promise((resolve, reject) => {
          calls += 1;
          const id = `e${calls}`;
          const onAbort = () => {
            clearTimeout(t);
            reject(new DOMException("stopped", "AbortError"));
          };
          const t = setTimeout(() => {
            signal.removeEventListener("abort", onAbort);
            resolve({ executionId: id, status: "completed", duration: 1 } as InvokeResult);
          }, 5);
          signal.addEventListener("abort", onAbort);
        }),
      execute: vi.fn(),
      getExecution: vi.fn(),
    };
    const run = new LoadRun(config("invoke", 1000), deps);
    await new Promise((r) => setTimeout(r, 30));
    run.stop();
    await run.done;
    const result = run.result();
    expect(result.stopped).toBe(true);
    expect(calls).toBeLessThan(1000);
    expect(result.succeeded + result.failed + result.cancelled).toBe(calls);
    expect(result.failed).toBe(0);
    expect(run.snapshot().percent).toBeLessThan(100);
  });

  it("cost: asks again for executions billing had not costed yet", async () => {
    const asked = new Map<string, number>();
    const deps: RunDeps = {
      invoke: async () => ({ executionId: `e${asked.size + Math.random()}`, status: "completed", duration: 1 }) as InvokeResult,
      execute: vi.fn(),
      getExecution: async (id) => {
        asked.set(id, (asked.get(id) ?? 0) + 1);
        // Billing lags: the first look-up finds no cost yet.
        return { id, cost: asked.get(id)! > 1 ? cost(id, "0.0001") : null } as unknown as ExecutionRecord;
      },
    };
    const run = new LoadRun(config("invoke", 10), deps);
    await run.done;
    const partials: number[] = [];
    const total = await run.cost({ waitMs: 0, roundGapMs: 1, onUpdate: (p) => partials.push(p.costed) });
    expect(total).toMatchObject({ costed: 10, of: 10, parts: expect.objectContaining({ totalCost: "0.001" }) });
    expect(partials).toEqual([0, 0]);
    expect([...asked.values()]).toEqual(Array(10).fill(2));
  });
});
