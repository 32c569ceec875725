// The hourly trend: stacked cost parts when billing reports them per hour, else the hour's total.
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { EmptyState } from "@/components/ui";
import { count } from "@/lib/format";
import { dollars } from "@/lib/decimal";
import type { HourRow } from "../lib/hours";
import { moneyTick, PART_COLORS } from "./chart";

const PARTS = [
  { key: "baseCost", name: "Base" },
  { key: "coldStartCost", name: "Cold start" },
  { key: "retryCost", name: "Retry" },
  { key: "dataTransferCost", name: "Transfer" },
] as const;

export function HourlyCostChart({ rows, stacked }: { rows: HourRow[]; stacked: boolean }) {
  if (rows.length === 0 || rows.every((r) => r.cost === 0 && r.executions === 0)) {
    return <EmptyState>No executions were billed in these hours.</EmptyState>;
  }
  const peak = rows.reduce((best, r) => (r.cost > best.cost ? r : best), rows[0]);
  const runs = rows.reduce((n, r) => n + r.executions, 0);
  return (
    <div>
      <div className="h-64" role="img" aria-label={`Bar chart of the cost per hour over ${rows.length} hours; the most expensive hour was ${peak.label} at ${dollars(peak.costExact)}`}>
        <ResponsiveContainer width="100%" height="100%">
          <BarChart accessibilityLayer={false} data={rows} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid vertical={false} stroke="#e2e8f0" />
            <XAxis dataKey="label" tick={{ fontSize: 11, fill: "#475569" }} minTickGap={16} />
            <YAxis tickFormatter={moneyTick} tick={{ fontSize: 11, fill: "#475569" }} width={64} />
            <Tooltip
              cursor={{ fill: "#f1f5f9" }}
              formatter={(value, name) => [dollars(Number(value)), name]}
              labelFormatter={(label, payload) => {
                const row = payload?.[0]?.payload as HourRow | undefined;
                return row ? `${label} · ${count(row.executions)} runs · ${dollars(row.costExact)}` : String(label);
              }}
            />
            {stacked ? (
              <>
                <Legend wrapperStyle={{ fontSize: 12 }} />
                {PARTS.map((p) => (
                  <Bar key={p.key} dataKey={p.key} name={p.name} stackId="cost" fill={PART_COLORS[p.key]} isAnimationActive={false} />
                ))}
              </>
            ) : (
              <Bar dataKey="cost" name="Cost" fill={PART_COLORS.baseCost} isAnimationActive={false} />
            )}
          </BarChart>
        </ResponsiveContainer>
      </div>
      <p className="mt-2 text-xs text-slate-600">
        {count(runs)} runs over {count(rows.length)} hours; the most expensive hour was {peak.label} at {dollars(peak.costExact)}.
        {stacked ? "" : " Billing reports each hour's total (not its parts)."}
      </p>
    </div>
  );
}
