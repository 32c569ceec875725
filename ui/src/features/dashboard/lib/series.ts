// Turns the gateway's per-minute timeseries into the executions-per-second chart's rows.
import type { TimeseriesPoint } from "@/lib/metrics";

export interface RatePoint {
  t: number; // epoch ms, the bucket's start
  rate: number; // executions per second over the bucket
  runs: number; // completed + failed in the bucket
}

export interface RateSeries {
  data: RatePoint[];
  total: number;
  latest: number;
  peak: number;
}

/**
 * Oldest first, one row per bucket: a minute the server left out (nothing ran) becomes a zero
 * row, so the line drops to zero instead of bridging the gap.
 */
export function toRateSeries(points: TimeseriesPoint[] | undefined, bucketSeconds = 60): RateSeries {
  const step = Math.max(1, bucketSeconds) * 1000;
  const rows = (points ?? [])
    .map((p) => ({ t: Date.parse(p.t), rate: p.executionsPerSecond ?? 0, runs: (p.completed ?? 0) + (p.failed ?? 0) }))
    .filter((p) => Number.isFinite(p.t))
    .sort((a, b) => a.t - b.t);
  const data: RatePoint[] = [];
  for (const row of rows) {
    const previous = data[data.length - 1];
    if (previous) for (let t = previous.t + step; t < row.t; t += step) data.push({ t, rate: 0, runs: 0 });
    data.push(row);
  }
  return {
    data,
    total: data.reduce((sum, p) => sum + p.runs, 0),
    latest: data.length ? data[data.length - 1].rate : 0,
    peak: data.reduce((max, p) => Math.max(max, p.rate), 0),
  };
}

export { clock, clockSeconds, perSecond as rate, timeWindow, type TimeWindow } from "@/lib/chart-time";
