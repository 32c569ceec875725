// The system total and its three parts: executions, scaling events, stored code.
import type { ReactNode } from "react";
import { Card } from "@/components/ui";
import { count, percent } from "@/lib/format";
import type { SystemCosts } from "../api/costs";
import { dollars } from "@/lib/decimal";

/** Like the shared Stat, but an exact amount wraps instead of being cut off. */
function Amount({ label, value, hint }: { label: string; value: string; hint: ReactNode }) {
  return (
    <div className="min-w-0">
      <div className="text-xs font-medium uppercase tracking-wide text-slate-600">{label}</div>
      <div className="mt-0.5 text-lg font-semibold break-all text-slate-900 tabular-nums">{value}</div>
      <div className="text-xs text-slate-600">{hint}</div>
    </div>
  );
}

function share(part: number, whole: number): string {
  return whole > 0 ? `${percent((part / whole) * 100)} of total` : "—";
}

export function CostSummary({ costs }: { costs: SystemCosts }) {
  const whole = costs.totalSystemCost;
  return (
    <Card title="System cost">
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <Amount label="Total" value={dollars(costs.totalSystemCostExact)} hint="executions + scaling + storage" />
        <Amount
          label="Executions"
          value={dollars(costs.totalExecutionCostExact)}
          hint={`${count(costs.totalExecutions)} runs, ${dollars(costs.averageCostPerExecutionExact)} each on average`}
        />
        <Amount
          label="Scaling"
          value={dollars(costs.scalingCostExact)}
          hint={`${count(costs.scalingEvents)} scaling ${costs.scalingEvents === 1 ? "event" : "events"} · ${share(costs.scalingCost, whole)}`}
        />
        <Amount label="Storage" value={dollars(costs.storageCostExact)} hint={`function code · ${share(costs.storageCost, whole)}`} />
      </div>
      <p className="mt-3 text-xs text-slate-600">
        {new Date(costs.period.start).toLocaleString()} to {new Date(costs.period.end).toLocaleString()}; billing counts every whole UTC hour this touches.
      </p>
    </Card>
  );
}
