import { histogram, percentile, recentRate, summarize } from "./stats";

function shuffled(n: number): number[] {
  const xs = Array.from({ length: n }, (_, i) => i + 1);
  for (let i = xs.length - 1; i > 0; i--) {
    const j = (i * 7919) % (i + 1);
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

describe("percentiles (nearest rank)", () => {
  it("gives p50/p95/p99 of 1..100 whatever the input order", () => {
    const s = summarize(shuffled(100));
    expect([s.p50, s.p95, s.p99]).toEqual([50, 95, 99]);
    expect([s.min, s.max, s.mean]).toEqual([1, 100, 50.5]);
  });

  it("picks a real sample on small sets, never interpolating", () => {
    const sorted = [10, 20, 30, 40];
    expect(percentile(sorted, 50)).toBe(20);
    expect(percentile(sorted, 95)).toBe(40);
    expect(percentile(sorted, 99)).toBe(40);
    expect(percentile(sorted, 25)).toBe(10);
    expect(percentile(sorted, 26)).toBe(20);
  });

  it("handles 1..1000 and a single sample", () => {
    const s = summarize(shuffled(1000));
    expect([s.p50, s.p95, s.p99]).toEqual([500, 950, 990]);
    expect(summarize([7.5])).toMatchObject({ p50: 7.5, p95: 7.5, p99: 7.5, count: 1 });
  });

  it("is NaN with no samples", () => {
    const s = summarize([]);
    expect(s.count).toBe(0);
    expect(Number.isNaN(s.p50)).toBe(true);
    expect(Number.isNaN(s.p99)).toBe(true);
  });

  it("does not sort the caller's array in place", () => {
    const xs = [3, 1, 2];
    summarize(xs);
    expect(xs).toEqual([3, 1, 2]);
  });
});

describe("histogram", () => {
  it("puts every sample in exactly one bin on round edges", () => {
    const samples = [1, 2, 2.5, 9.9, 10, 10, 19.99, 20];
    const bins = histogram(samples, 4);
    expect(bins.reduce((n, b) => n + b.count, 0)).toBe(samples.length);
    expect(bins[0].from).toBeLessThanOrEqual(1);
    expect(bins[bins.length - 1].to).toBeGreaterThan(20);
    expect(bins.map((b) => b.to - b.from)).toEqual(bins.map(() => 5));
    expect(bins.map((b) => b.count)).toEqual([3, 1, 2, 1, 1]);
  });

  it("is empty without samples and one bin for identical samples", () => {
    expect(histogram([])).toEqual([]);
    const one = histogram([4, 4, 4]);
    expect(one.reduce((n, b) => n + b.count, 0)).toBe(3);
  });
});

describe("recentRate", () => {
  it("counts completions per second in the last window", () => {
    const finishes = [100, 500, 2100, 2500, 2900];
    expect(recentRate(finishes, 3000, 0, 1000)).toBe(3);
    expect(recentRate(finishes, 3000, 0, 3000)).toBeCloseTo(5 / 3);
    // A run younger than the window is measured over its own age.
    expect(recentRate([100, 200], 500, 0, 3000)).toBe(4);
  });
});
