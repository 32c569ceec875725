// The page's date range: `datetime-local` values (the viewer's local time) to and from ISO instants.
import type { CostRange } from "../api/costs";

export interface RangeInputs {
  from: string;
  to: string;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** A `datetime-local` value ("YYYY-MM-DDTHH:mm") for an instant, in local time. */
export function toLocalInput(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** The default window: the last 24 hours, up to now (an empty "To" means now, so it stays live). */
export function last24h(now: Date = new Date()): RangeInputs {
  return { from: toLocalInput(new Date(now.getTime() - 24 * 3600_000)), to: "" };
}

export function lastDays(days: number, now: Date = new Date()): RangeInputs {
  return { from: toLocalInput(new Date(now.getTime() - days * 24 * 3600_000)), to: "" };
}

function instant(value: string): string | null | undefined {
  if (!value) return null;
  const t = new Date(value).getTime();
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/** The inputs as an API range, or a message naming the field that is wrong. */
export function toRange(inputs: RangeInputs): { range: CostRange } | { error: string; field: "from" | "to" } {
  const start = instant(inputs.from);
  const end = instant(inputs.to);
  if (start === undefined) return { error: "From is not a valid date.", field: "from" };
  if (end === undefined) return { error: "To is not a valid date.", field: "to" };
  if (start && end && end < start) return { error: "To is before From.", field: "to" };
  return { range: { start, end } };
}
