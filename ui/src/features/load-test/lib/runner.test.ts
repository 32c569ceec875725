import { runPool } from "./runner";

/** A task whose completions the test controls. */
function controlled() {
  const pending: { index: number; resolve: () => void; reject: (e: unknown) => void }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const started: number[] = [];
  const task = (index: number, signal: AbortSignal) =>
    new Promise<number>((resolve, reject) => {
      started.push(index);
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      let settled = false;
      const done = () => {
        if (settled) return false;
        settled = true;
        inFlight -= 1;
        signal.removeEventListener("abort", onAbort);
        return true;
      };
      const onAbort = () => {
        if (done()) reject(new DOMException("stopped", "AbortError"));
      };
      signal.addEventListener("abort", onAbort);
      pending.push({
        index,
        resolve: () => {
          if (done()) resolve(index);
        },
        reject: (e) => {
          if (done()) reject(e);
        },
      });
    });
  return { task, pending, started, stats: () => ({ inFlight, maxInFlight }) };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("runPool", () => {
  it("never has more than `concurrency` tasks in flight, and runs them all", async () => {
    const c = controlled();
    const run = runPool({ total: 20, concurrency: 3, task: c.task });
    let completed = 0;
    while (completed < 20) {
      await tick();
      expect(c.stats().inFlight).toBeLessThanOrEqual(3);
      // Finish one at a time, oldest first, so new ones keep starting.
      const next = c.pending.shift();
      if (next) {
        next.resolve();
        completed += 1;
      }
    }
    const outcome = await run;
    expect(c.stats().maxInFlight).toBe(3);
    expect(outcome).toMatchObject({ started: 20, succeeded: 20, failed: 0, aborted: false });
    expect([...c.started].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it("counts failures and keeps going", async () => {
    const results: boolean[] = [];
    const outcome = await runPool({
      total: 20,
      concurrency: 4,
      task: async (i) => {
        await tick();
        if (i % 4 === 0) throw new Error(`boom ${i}`);
        return i;
      },
      onSettled: (r) => results.push(r.ok),
    });
    expect(outcome).toMatchObject({ started: 20, succeeded: 15, failed: 5, cancelled: 0, aborted: false });
    expect(results.filter((ok) => !ok)).toHaveLength(5);
  });

  it("stops starting tasks once aborted, and ends the ones in flight", async () => {
    const c = controlled();
    const controller = new AbortController();
    const run = runPool({ total: 100, concurrency: 5, signal: controller.signal, task: c.task });
    for (let i = 0; i < 7; i++) {
      await tick();
      c.pending.shift()!.resolve();
    }
    await tick();
    const startedBefore = c.started.length;
    expect(startedBefore).toBe(12);
    controller.abort();
    const outcome = await run;
    await tick();
    expect(c.started.length).toBe(startedBefore);
    expect(outcome).toMatchObject({ started: 12, succeeded: 7, failed: 0, cancelled: 5, aborted: true });
    expect(c.stats().inFlight).toBe(0);
  });

  it("starts nothing when the signal is already aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    const task = vi.fn(async () => 1);
    const outcome = await runPool({ total: 10, concurrency: 2, signal: controller.signal, task });
    expect(task).not.toHaveBeenCalled();
    expect(outcome).toMatchObject({ started: 0, aborted: true });
  });

  it("uses no more workers than tasks", async () => {
    const c = controlled();
    const run = runPool({ total: 2, concurrency: 50, task: c.task });
    await tick();
    expect(c.stats().inFlight).toBe(2);
    c.pending.splice(0).forEach((p) => p.resolve());
    expect(await run).toMatchObject({ started: 2, succeeded: 2 });
  });
});
