// The scaling events of a run: those heard live while it ran plus the scaler's own history for the
// same window (the live feed can miss some during a reconnect), once each, oldest first.
import type { ScalingRecord } from "../api/loadtest";

/** The scaler decides every couple of seconds: allow its last decision about the run to land. */
const GRACE_MS = 3000;

export function scalingInWindow(
  live: readonly ScalingRecord[],
  history: readonly ScalingRecord[],
  window: { start: number; end: number | null },
  now: number = Date.now(),
): ScalingRecord[] {
  const end = (window.end ?? now) + GRACE_MS;
  const seen = new Map<string, ScalingRecord>();
  for (const e of [...live, ...history]) {
    const t = Date.parse(e.timestamp);
    if (Number.isNaN(t) || t < window.start || t > end) continue;
    seen.set(`${t}|${e.action}|${e.instanceCount}`, e);
  }
  return [...seen.values()].sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
}
