// Maps the gateway's timeseries (and live scaling events) to the monitoring charts' rows.
import type { QueueSample, TimeseriesPoint } from "@/lib/metrics";
import type { ScalingEvent } from "../api/monitoring";

export interface ThroughputRow {
  t: number;
  rate: number;
  completed: number;
  failed: number;
}

export interface LatencyRow {
  t: number;
  p50: number | null;
  p99: number | null;
}

export interface CapacityRow {
  t: number;
  queue: number;
  instances: number;
}

function finite(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function byTime<T extends { t: number }>(rows: T[]): T[] {
  return rows.filter((r) => Number.isFinite(r.t)).sort((a, b) => a.t - b.t);
}

/** Fill a bucket the server left out (nothing ran) with `empty(t)`, so lines do not bridge gaps. */
function fillGaps<T extends { t: number }>(rows: T[], bucketSeconds: number, empty: (t: number) => T): T[] {
  const step = Math.max(1, bucketSeconds) * 1000;
  const out: T[] = [];
  for (const row of rows) {
    const previous = out[out.length - 1];
    if (previous) for (let t = previous.t + step; t < row.t; t += step) out.push(empty(t));
    out.push(row);
  }
  return out;
}

export function toThroughput(points: TimeseriesPoint[] | undefined, bucketSeconds = 60): ThroughputRow[] {
  const rows = byTime(
    (points ?? []).map((p) => ({
      t: Date.parse(p.t),
      rate: finite(p.executionsPerSecond) ?? 0,
      completed: finite(p.completed) ?? 0,
      failed: finite(p.failed) ?? 0,
    })),
  );
  return fillGaps(rows, bucketSeconds, (t) => ({ t, rate: 0, completed: 0, failed: 0 }));
}

/** A minute with no runs has no percentile: null, drawn as a break in the line. */
export function toLatency(points: TimeseriesPoint[] | undefined, bucketSeconds = 60): LatencyRow[] {
  const rows = byTime(
    (points ?? []).map((p) => {
      const ran = (finite(p.completed) ?? 0) + (finite(p.failed) ?? 0) > 0;
      return { t: Date.parse(p.t), p50: ran ? finite(p.p50Ms) : null, p99: ran ? finite(p.p99Ms) : null };
    }),
  );
  return fillGaps(rows, bucketSeconds, (t) => ({ t, p50: null, p99: null }));
}

/**
 * Queue depth and instance count: the server's samples, then each live scaling decision newer
 * than the last sample (a decision carries the queue length it saw and the new instance count).
 */
export function toCapacity(samples: QueueSample[] | undefined, live: ScalingEvent[], since = -Infinity): CapacityRow[] {
  const rows = byTime(
    (samples ?? []).map((s) => ({ t: Date.parse(s.t), queue: finite(s.queueLength) ?? 0, instances: finite(s.instances) ?? 0 })),
  ).filter((r) => r.t >= since);
  let last = rows[rows.length - 1];
  const fresh = byTime(live.map((e) => ({ event: e, t: Date.parse(e.timestamp) }))).filter(
    ({ t }) => t >= since && (!last || t > last.t),
  );
  for (const { event, t } of fresh) {
    if (last && t === last.t) continue;
    last = { t, queue: finite(event.queueLength) ?? last?.queue ?? 0, instances: finite(event.instanceCount) ?? last?.instances ?? 0 };
    rows.push(last);
  }
  return rows;
}

export function latest<T>(rows: T[]): T | undefined {
  return rows[rows.length - 1];
}

export { clock, clockSeconds, perSecond, timeWindow, type TimeWindow } from "@/lib/chart-time";
