import { timeWindow, toRateSeries } from "./series";

const point = (t: string, completed: number, failed = 0, executionsPerSecond = (completed + failed) / 60) => ({
  t,
  completed,
  failed,
  executionsPerSecond,
  avgMs: 1,
  p50Ms: 1,
  p99Ms: 2,
});

describe("toRateSeries", () => {
  it("maps points to epoch-ms rows, oldest first, with runs and the rate", () => {
    const series = toRateSeries([point("2026-01-01T10:01:00Z", 30, 0, 0.5), point("2026-01-01T10:00:00Z", 6, 6, 0.2)], 60);
    expect(series.data).toEqual([
      { t: Date.parse("2026-01-01T10:00:00Z"), rate: 0.2, runs: 12 },
      { t: Date.parse("2026-01-01T10:01:00Z"), rate: 0.5, runs: 30 },
    ]);
    expect(series.total).toBe(42);
    expect(series.latest).toBe(0.5);
    expect(series.peak).toBe(0.5);
  });

  it("fills minutes the server left out with zero rows", () => {
    const series = toRateSeries([point("2026-01-01T10:00:00Z", 60, 0, 1), point("2026-01-01T10:03:00Z", 120, 0, 2)], 60);
    expect(series.data.map((p) => [new Date(p.t).toISOString().slice(11, 16), p.rate])).toEqual([
      ["10:00", 1],
      ["10:01", 0],
      ["10:02", 0],
      ["10:03", 2],
    ]);
    expect(series.peak).toBe(2);
  });

  it("is empty with no points", () => {
    expect(toRateSeries(undefined)).toEqual({ data: [], total: 0, latest: 0, peak: 0 });
    expect(toRateSeries([point("2026-01-01T10:00:00Z", 0, 0, 0)]).total).toBe(0);
  });
});

describe("timeWindow", () => {
  it("spans the last minutes up to now, rounded up, with ticks on whole steps", () => {
    const now = Date.parse("2026-01-01T10:14:20Z");
    const w = timeWindow(15, now, 3, 15_000);
    expect(w.domain).toEqual([Date.parse("2026-01-01T09:59:30Z"), Date.parse("2026-01-01T10:14:30Z")]);
    expect(w.ticks.map((t) => new Date(t).toISOString().slice(11, 16))).toEqual(["10:00", "10:03", "10:06", "10:09", "10:12"]);
    // Within one quantum the window (and so the chart) does not move.
    expect(timeWindow(15, now + 5_000, 3, 15_000)).toEqual(w);
  });
});
