// Time axes for the live charts: clock labels, rates, and a window that only moves once per
// quantum, shared by the dashboard and the monitoring page.

// One formatter, built once: axis ticks call this many times per draw, and toLocaleTimeString
// builds a new Intl formatter on every call.
const CLOCK = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
const CLOCK_SECONDS = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });

/** "07:33" in the viewer's time zone, for axis ticks. */
export function clock(t: number): string {
  return Number.isFinite(t) ? CLOCK.format(t) : "";
}

export function clockSeconds(t: number): string {
  return Number.isFinite(t) ? CLOCK_SECONDS.format(t) : "";
}

/** Executions per second with a precision that suits the size. */
export function perSecond(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
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
