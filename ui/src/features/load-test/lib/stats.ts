// Latency statistics of a run: nearest-rank percentiles, a histogram, and a sliding throughput.

/**
 * The nearest-rank percentile (the smallest sample with at least p% of the samples at or below
 * it): always a latency that really happened, never an interpolation between two.
 * `sorted` must be in ascending order. NaN for no samples.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  if (p <= 0) return sorted[0];
  if (p >= 100) return sorted[sorted.length - 1];
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export interface LatencySummary {
  count: number;
  min: number;
  max: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
}

export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  const mean = n ? sorted.reduce((s, x) => s + x, 0) / n : Number.NaN;
  return {
    count: n,
    min: n ? sorted[0] : Number.NaN,
    max: n ? sorted[n - 1] : Number.NaN,
    mean,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
  };
}

export interface Bin {
  /** Lower edge, inclusive (ms). */
  from: number;
  /** Upper edge, exclusive except for the last bin (ms). */
  to: number;
  count: number;
  label: string;
}

function niceStep(raw: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * magnitude >= raw) return m * magnitude;
  return 10 * magnitude;
}

function edge(x: number): string {
  return x >= 100 ? String(Math.round(x)) : String(Number(x.toPrecision(3)));
}

/** About `target` equal-width bins on round edges, covering every sample. */
export function histogram(samples: readonly number[], target = 20): Bin[] {
  if (samples.length === 0) return [];
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of samples) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  const step = niceStep(Math.max(hi - lo, 1e-3) / target);
  const start = Math.floor(lo / step) * step;
  const n = Math.max(1, Math.floor((hi - start) / step) + 1);
  const bins: Bin[] = Array.from({ length: n }, (_, i) => {
    const from = start + i * step;
    return { from, to: from + step, count: 0, label: `${edge(from)}–${edge(from + step)}` };
  });
  for (const x of samples) bins[Math.min(n - 1, Math.floor((x - start) / step))].count += 1;
  return bins;
}

/** Completions per second over the last `windowMs` (or since `startedAt`, if that is shorter). */
export function recentRate(finishTimes: readonly number[], now: number, startedAt: number, windowMs = 3000): number {
  const since = Math.max(startedAt, now - windowMs);
  const span = (now - since) / 1000;
  if (span <= 0) return 0;
  let n = 0;
  for (let i = finishTimes.length - 1; i >= 0 && finishTimes[i] >= since; i--) n++;
  return n / span;
}
