// Turns the gateway's per-minute timeseries into the executions-per-second chart's rows.
import type { TimeseriesPoint } from "../api/dashboard";

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

/** "07:33" in the viewer's time zone, for axis ticks. */
// One formatter, built once: axis ticks call this many times per draw, and toLocaleTimeString
// builds a new Intl formatter on every call.
const CLOCK = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
const CLOCK_SECONDS = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });

export function clock(t: number): string {
  return Number.isFinite(t) ? CLOCK.format(t) : "";
}

export function clockSeconds(t: number): string {
  return Number.isFinite(t) ? CLOCK_SECONDS.format(t) : "";
}

/** Executions per second with a precision that suits the size. */
export function rate(value: number): string {
  if (!Number.isFinite(value)) return "—";
  if (value === 0) return "0/s";
  return `${value >= 10 ? value.toFixed(0) : value >= 1 ? value.toFixed(1) : value.toFixed(2)}/s`;
}

export interface TimeWindow {
  domain: [number, number];
  ticks: number[];
}

/**
 * The last `minutes` up to `now` (rounded up to `quantumMs`, so refetches within one quantum
 * keep the same window and the charts need not redraw), with a tick every `stepMinutes`.
 */
export function timeWindow(minutes: number, now: number, stepMinutes = 3, quantumMs = 15_000): TimeWindow {
  const end = Math.ceil(now / quantumMs) * quantumMs;
  const start = end - minutes * 60_000;
  const step = stepMinutes * 60_000;
  const ticks: number[] = [];
  for (let t = Math.ceil(start / step) * step; t <= end; t += step) ticks.push(t);
  return { domain: [start, end], ticks };
}
