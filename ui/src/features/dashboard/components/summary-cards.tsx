// The headline cards: each heading is part of the UI contract (DESIGN section 11).
import type { ReactNode } from "react";
import { Card } from "@/components/ui";
import { count, money, ms, percent } from "@/lib/format";
import type { SystemMetrics } from "@/lib/metrics";
import type { SystemCosts } from "../api/dashboard";

function Figure({ value, hint, loading }: { value: ReactNode; hint?: ReactNode; loading: boolean }) {
  return (
    <div aria-busy={loading || undefined}>
      <p className="break-all text-xl font-semibold tabular-nums text-slate-900 sm:text-3xl">{loading ? "…" : value}</p>
      <p className="mt-1 min-h-4 break-words text-xs text-slate-600">{loading ? "Loading…" : hint}</p>
    </div>
  );
}

export function SummaryCards({
  metrics,
  costs,
  metricsLoading,
  costsLoading,
}: {
  metrics: SystemMetrics | undefined;
  costs: SystemCosts | undefined;
  metricsLoading: boolean;
  costsLoading: boolean;
}) {
  const m = metrics;
  return (
    <div className="grid grid-cols-2 gap-3 sm:gap-4 xl:grid-cols-4">
      <Card title="Executions">
        <Figure
          loading={metricsLoading}
          value={count(m?.totalExecutions)}
          hint={m ? `${count(m.runningExecutions)} running · ${count(m.pendingExecutions)} pending` : null}
        />
      </Card>
      <Card title="Success rate">
        <Figure
          loading={metricsLoading}
          value={m && m.completedExecutions + m.failedExecutions > 0 ? percent(m.successRate) : "—"}
          hint={m ? `${count(m.completedExecutions)} completed · ${count(m.failedExecutions)} failed` : null}
        />
      </Card>
      <Card title="Instances">
        <Figure
          loading={metricsLoading}
          value={count(m?.currentInstances)}
          hint={m ? (m.queueLength === null ? "Scaler not reporting" : `${count(m.queueLength)} queued`) : null}
        />
      </Card>
      <Card title="Cost today">
        <Figure
          loading={costsLoading}
          value={money(costs?.totalSystemCostExact ?? costs?.totalSystemCost)}
          hint={costs ? `${count(costs.totalExecutions)} runs since 00:00 UTC` : null}
        />
      </Card>
    </div>
  );
}

export function DurationCard({ metrics, loading }: { metrics: SystemMetrics | undefined; loading: boolean }) {
  const rows: [string, number | null | undefined][] = [
    ["p50", metrics?.p50ExecutionTime],
    ["p99", metrics?.p99ExecutionTime],
    ["Average", metrics && metrics.completedExecutions + metrics.failedExecutions > 0 ? metrics.averageExecutionTime : null],
  ];
  return (
    <Card title="Duration">
      <dl className="grid grid-cols-3 gap-3 lg:grid-cols-1">
        {rows.map(([label, value]) => (
          <div key={label} className="min-w-0">
            <dt className="text-xs font-medium uppercase tracking-wide text-slate-600">{label}</dt>
            <dd className="text-lg font-semibold tabular-nums text-slate-900 sm:text-2xl">{loading ? "…" : ms(value)}</dd>
          </div>
        ))}
      </dl>
    </Card>
  );
}
