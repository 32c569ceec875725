// Executions per second over the last minutes. Memoised and unanimated: it redraws only when
// the series changes, at most about once a second during a burst.
import { memo } from "react";
import { Area, AreaChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { EmptyState } from "@/components/ui";
import { clock, rate, type RateSeries, type TimeWindow } from "../lib/series";

export const RateChart = memo(function RateChart({ series, minutes, span }: { series: RateSeries; minutes: number; span: TimeWindow }) {
  if (series.total === 0) return <EmptyState>No executions in the last {minutes} minutes.</EmptyState>;
  const label = `Executions per second over the last ${minutes} minutes: latest minute ${rate(series.latest)}, peak ${rate(series.peak)}, ${series.total} runs in all.`;
  return (
    <figure aria-label={label} className="m-0">
      <div className="h-56 w-full">
        <ResponsiveContainer width="100%" height="100%">
          <AreaChart data={series.data} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
            <CartesianGrid stroke="#e2e8f0" strokeDasharray="3 3" />
            <XAxis
              dataKey="t"
              type="number"
              scale="time"
              domain={span.domain}
              ticks={span.ticks}
              tickFormatter={clock}
              tick={{ fill: "#475569", fontSize: 12 }}
              minTickGap={24}
            />
            <YAxis allowDecimals tick={{ fill: "#475569", fontSize: 12 }} width={48} />
            <Tooltip
              labelFormatter={(t) => clock(Number(t))}
              formatter={(value) => [rate(Number(value)), "Executions/s"]}
              isAnimationActive={false}
            />
            <Area
              type="monotone"
              dataKey="rate"
              name="Executions/s"
              stroke="#4f46e5"
              fill="#c7d2fe"
              strokeWidth={2}
              isAnimationActive={false}
              dot={false}
            />
          </AreaChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="mt-2 text-xs text-slate-600">
        Latest minute {rate(series.latest)} · peak {rate(series.peak)} · {series.total.toLocaleString("en-US")} runs
      </figcaption>
    </figure>
  );
});
