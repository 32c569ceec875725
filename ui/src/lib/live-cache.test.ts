import { QueryClient } from "@tanstack/react-query";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { staleRoots, ThrottledInvalidator } from "./live-cache";
import type { WsMessage } from "./types";

const msg = (type: string): WsMessage => ({ type, data: {}, timestamp: "t" });

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("live cache", () => {
  it("maps message types to the query roots they make stale", () => {
    expect([...staleRoots([msg("execution_completed")])].sort()).toEqual(["executions", "functions", "metrics"]);
    expect([...staleRoots([msg("scaling_event")])].sort()).toEqual(["costs", "metrics", "scaling"]);
    expect([...staleRoots([msg("unknown_type")])]).toEqual([]);
  });

  it("invalidates a root at most once a second, with a trailing call for the last events", () => {
    const client = new QueryClient();
    const spy = vi.spyOn(client, "invalidateQueries").mockResolvedValue();
    let now = 0;
    const invalidator = new ThrottledInvalidator(client, 1000, () => now);
    for (let i = 0; i < 100; i++) {
      invalidator.handle([msg("execution_started")]); // roots: executions, metrics
      now += 10;
      vi.advanceTimersByTime(10);
    }
    // 1 s of events: an immediate call per root, then one trailing call per root.
    const metricsCalls = spy.mock.calls.filter(([f]) => (f as { queryKey: string[] }).queryKey[0] === "metrics");
    expect(metricsCalls.length).toBe(2);
    vi.advanceTimersByTime(2000);
    const after = spy.mock.calls.filter(([f]) => (f as { queryKey: string[] }).queryKey[0] === "metrics");
    expect(after.length).toBe(2);
    invalidator.stop();
  });
});
