import { toCapacity, toLatency, toThroughput } from "./series";

const T0 = Date.parse("2026-01-01T10:00:00Z");
const iso = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const point = (m: number, completed: number, failed: number, p50Ms: number | null, p99Ms: number | null) => ({
  t: iso(m),
  completed,
  failed,
  executionsPerSecond: (completed + failed) / 60,
  avgMs: p50Ms,
  p50Ms,
  p99Ms,
});

describe("toThroughput", () => {
  it("maps points to time-ordered rows and fills missing minutes with zeros", () => {
    const rows = toThroughput([point(2, 120, 0, 1, 2), point(0, 54, 6, 1, 2)], 60);
    expect(rows).toEqual([
      { t: T0, rate: 1, completed: 54, failed: 6 },
      { t: T0 + 60_000, rate: 0, completed: 0, failed: 0 },
      { t: T0 + 120_000, rate: 2, completed: 120, failed: 0 },
    ]);
  });
});

describe("toLatency", () => {
  it("keeps p50/p99 per minute and leaves minutes without runs empty", () => {
    const rows = toLatency([point(0, 10, 0, 3.5, 40), point(1, 0, 0, 0, 0), point(3, 1, 0, 5, 9)], 60);
    expect(rows).toEqual([
      { t: T0, p50: 3.5, p99: 40 },
      { t: T0 + 60_000, p50: null, p99: null },
      { t: T0 + 120_000, p50: null, p99: null },
      { t: T0 + 180_000, p50: 5, p99: 9 },
    ]);
  });
});

describe("toCapacity", () => {
  const samples = [
    { t: iso(1), queueLength: 3, instances: 1 },
    { t: iso(0), queueLength: 0, instances: 1 },
  ];

  it("orders the server's samples", () => {
    expect(toCapacity(samples, [])).toEqual([
      { t: T0, queue: 0, instances: 1 },
      { t: T0 + 60_000, queue: 3, instances: 1 },
    ]);
  });

  it("appends live scaling decisions newer than the last sample, and ignores older ones", () => {
    const rows = toCapacity(samples, [
      { action: "scale_up", instanceCount: 4, previousCount: 1, queueLength: 25, reason: "Queue length: 25", timestamp: iso(0.5) },
      { action: "scale_up", instanceCount: 2, previousCount: 1, queueLength: 15, reason: "Queue length: 15", timestamp: iso(1.5) },
      { action: "scale_down", instanceCount: 1, previousCount: 2, queueLength: null, reason: "Queue length: 0", timestamp: iso(2) },
    ]);
    expect(rows.slice(2)).toEqual([
      { t: T0 + 90_000, queue: 15, instances: 2 },
      { t: T0 + 120_000, queue: 15, instances: 1 },
    ]);
    expect(rows).toHaveLength(4);
  });

  it("drops samples older than the window", () => {
    expect(toCapacity(samples, [], T0 + 30_000)).toEqual([{ t: T0 + 60_000, queue: 3, instances: 1 }]);
  });
});
