import type { WsMessage } from "@/lib/types";
import { CompletionTracker, type Finish } from "./tracker";

const done = (executionId: string, type = "execution_completed"): WsMessage => ({
  type,
  data: { executionId, duration: 2.5, error: type === "execution_failed" ? "boom" : null },
  timestamp: "2026-01-01T00:00:00Z",
});

function clock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe("CompletionTracker", () => {
  it("resolves a waited execution from its live completion message", async () => {
    const c = clock();
    const tracker = new CompletionTracker({ now: c.now, poll: vi.fn() });
    const waiting = tracker.wait("e1");
    c.advance(40);
    tracker.handle([done("other"), done("e1", "execution_failed")]);
    await expect(waiting).resolves.toMatchObject({ executionId: "e1", status: "failed", at: 40, via: "live", error: "boom", duration: 2.5 });
    expect(tracker.pending).toBe(0);
  });

  it("remembers a completion heard before its 202 came back", async () => {
    const tracker = new CompletionTracker({ poll: vi.fn() });
    tracker.handle([done("early")]);
    await expect(tracker.wait("early")).resolves.toMatchObject({ status: "completed" });
  });

  it("asks the API about an execution not heard of in time, and only then", async () => {
    const c = clock();
    const poll = vi.fn(async (): Promise<Finish | null> => ({ status: "completed", duration: 1 }));
    const tracker = new CompletionTracker({ now: c.now, poll, missAfterMs: 3000 });
    const waiting = tracker.wait("lost");
    c.advance(2999);
    tracker.sweep();
    expect(poll).not.toHaveBeenCalled();
    c.advance(1);
    tracker.sweep();
    expect(poll).toHaveBeenCalledWith("lost", expect.any(AbortSignal));
    await expect(waiting).resolves.toMatchObject({ executionId: "lost", via: "poll" });
  });

  it("keeps asking while the execution is still running", async () => {
    const c = clock();
    const answers: (Finish | null)[] = [null, { status: "completed" }];
    const poll = vi.fn(async () => answers.shift() ?? null);
    const tracker = new CompletionTracker({ now: c.now, poll, missAfterMs: 1000, repollMs: 1000 });
    const waiting = tracker.wait("slow");
    c.advance(1000);
    tracker.sweep();
    await flush();
    tracker.sweep(); // too soon to ask again
    expect(poll).toHaveBeenCalledTimes(1);
    c.advance(1000);
    tracker.sweep();
    await expect(waiting).resolves.toMatchObject({ status: "completed", via: "poll" });
    expect(poll).toHaveBeenCalledTimes(2);
  });

  it("rejects with an AbortError when the run stops", async () => {
    const controller = new AbortController();
    const tracker = new CompletionTracker({ poll: vi.fn(), signal: controller.signal });
    const waiting = tracker.wait("e1");
    const other = tracker.wait("e2");
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: "AbortError" });
    await expect(other).rejects.toMatchObject({ name: "AbortError" });
    expect(tracker.pending).toBe(0);
    await expect(tracker.wait("e3")).rejects.toMatchObject({ name: "AbortError" });
  });
});
