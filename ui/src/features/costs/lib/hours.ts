// The hourly series for the chart: one row per UTC hour, gaps filled with zeros so time reads evenly.
import type { HourlyCost } from "../api/costs";

export interface HourRow {
  hour: string;
  label: string;
  executions: number;
  cost: number;
  costExact: string;
  baseCost?: number;
  coldStartCost?: number;
  retryCost?: number;
  dataTransferCost?: number;
}

const HOUR = 3600_000;
/** Beyond a month of hours the bars get too thin to read; then only hours with data are drawn. */
const MAX_FILLED = 24 * 31;

export function hasParts(rows: HourlyCost[]): boolean {
  return rows.length > 0 && rows.every((r) => typeof r.baseCost === "number" && typeof r.coldStartCost === "number");
}

function label(t: number, span: number): string {
  const d = new Date(t);
  const time = d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  return span > 24 * HOUR ? `${d.toLocaleDateString([], { month: "short", day: "numeric" })} ${time}` : time;
}

function floorHour(t: number): number {
  return Math.floor(t / HOUR) * HOUR;
}

export function hourRows(hourly: HourlyCost[], from: string, to: string): HourRow[] {
  const byHour = new Map(hourly.map((h) => [Date.parse(h.hour), h]));
  const known = [...byHour.keys()].filter((t) => !Number.isNaN(t)).sort((a, b) => a - b);
  let start = floorHour(Date.parse(from));
  const end = floorHour(Date.parse(to));
  // An all-time range starts at 1970: begin at the first hour with data instead.
  if (known.length && (Number.isNaN(start) || known[0] - start > MAX_FILLED * HOUR)) start = known[0];
  const fill = !Number.isNaN(start) && !Number.isNaN(end) && end >= start && (end - start) / HOUR <= MAX_FILLED;
  const hours = fill ? Array.from({ length: (end - start) / HOUR + 1 }, (_, i) => start + i * HOUR) : known;
  const span = hours.length ? hours[hours.length - 1] - hours[0] : 0;
  return hours.map((t) => {
    const h = byHour.get(t);
    return {
      hour: new Date(t).toISOString(),
      label: label(t, span),
      executions: h?.executions ?? 0,
      cost: h?.cost ?? 0,
      costExact: h?.costExact ?? "0",
      baseCost: h?.baseCost,
      coldStartCost: h?.coldStartCost,
      retryCost: h?.retryCost,
      dataTransferCost: h?.dataTransferCost,
    };
  });
}
