// Cost per tier (the per-function costs summed by tier): a bar per tier plus the exact numbers.
import { Bar, BarChart, CartesianGrid, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { EmptyState } from "@/components/ui";
import { count, percent } from "@/lib/format";
import { dollars } from "@/lib/decimal";
import type { TierCost } from "../lib/tiers";
import { moneyTick, TIER_COLORS } from "./chart";

export function TierSplit({ tiers }: { tiers: TierCost[] }) {
  if (tiers.length === 0) return <EmptyState>No tier has costs in this range.</EmptyState>;
  const total = tiers.reduce((sum, t) => sum + t.total, 0);
  return (
    <div className="space-y-3">
      <div style={{ height: 40 + 36 * tiers.length }} role="img" aria-label={`Bar chart of cost per tier: ${tiers.map((t) => `${t.tier} ${dollars(t.totalExact)}`).join(", ")}`}>
        <ResponsiveContainer width="100%" height="100%">
          <BarChart accessibilityLayer={false} data={tiers} layout="vertical" margin={{ top: 0, right: 12, bottom: 0, left: 0 }}>
            <CartesianGrid horizontal={false} stroke="#e2e8f0" />
            <XAxis type="number" tickFormatter={moneyTick} tick={{ fontSize: 11, fill: "#475569" }} />
            <YAxis type="category" dataKey="tier" width={76} tick={{ fontSize: 12, fill: "#334155" }} />
            <Tooltip formatter={(value) => [dollars(Number(value)), "Cost"]} cursor={{ fill: "#f1f5f9" }} />
            <Bar dataKey="total" name="Cost" isAnimationActive={false}>
              {tiers.map((t) => (
                <Cell key={t.tier} fill={TIER_COLORS[t.tier] ?? TIER_COLORS.unknown} />
              ))}
            </Bar>
          </BarChart>
        </ResponsiveContainer>
      </div>
      <ul className="divide-y divide-slate-100 text-sm">
        {tiers.map((t) => (
          <li key={t.tier} className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-0.5 py-1.5">
            <span className="flex items-center gap-2 font-medium text-slate-800">
              <span aria-hidden className="h-2.5 w-2.5 rounded-sm" style={{ background: TIER_COLORS[t.tier] ?? TIER_COLORS.unknown }} />
              {t.tier}
            </span>
            <span className="text-xs text-slate-600">
              {count(t.functions)} {t.functions === 1 ? "function" : "functions"}, {count(t.executions)} runs
              {total > 0 ? `, ${percent((t.total / total) * 100)}` : ""}
            </span>
            <span className="w-full text-right font-mono tabular-nums sm:w-auto">{dollars(t.totalExact)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
