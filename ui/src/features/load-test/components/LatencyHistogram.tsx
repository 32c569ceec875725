// How the run's latencies spread: counts per latency bin.
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { EmptyState } from "@/components/ui";
import type { Bin } from "../lib/stats";

export function LatencyHistogram({ bins }: { bins: Bin[] }) {
  if (bins.length === 0) return <EmptyState>No execution finished, so there is no latency to show.</EmptyState>;
  return (
    <div className="h-56" role="img" aria-label={`Latency histogram: ${bins.length} bins from ${bins[0].label.split("–")[0]} to ${bins[bins.length - 1].label.split("–")[1]} ms`}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart accessibilityLayer={false} data={bins} margin={{ top: 4, right: 8, bottom: 16, left: 0 }} barCategoryGap={1}>
          <CartesianGrid vertical={false} stroke="#e2e8f0" />
          <XAxis
            dataKey="label"
            tick={{ fontSize: 11, fill: "#475569" }}
            minTickGap={12}
            label={{ value: "latency (ms)", position: "insideBottom", offset: -10, fontSize: 11, fill: "#475569" }}
          />
          <YAxis allowDecimals={false} tick={{ fontSize: 11, fill: "#475569" }} width={40} />
          <Tooltip cursor={{ fill: "#f1f5f9" }} formatter={(value) => [String(value), "Executions"]} labelFormatter={(label) => `${label} ms`} />
          <Bar dataKey="count" name="Executions" fill="#4f46e5" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
