// What the run cost: the exact sum of its executions' costs, and its parts.
import { Loading } from "@/components/ui";
import { count } from "@/lib/format";
import type { RunCost } from "../lib/cost";
import { dollars } from "@/lib/decimal";

const LABELS = [
  ["baseCost", "Base"],
  ["coldStartCost", "Cold starts"],
  ["retryCost", "Retries"],
  ["dataTransferCost", "Transfer"],
] as const;

export function RunCostPanel({ cost, pending, error }: { cost: RunCost | null; pending: boolean; error: string | null }) {
  if (error) return <p className="text-sm text-red-700">The cost could not be totalled: {error}</p>;
  if (!cost) return <Loading label="Totalling the cost…" />;
  if (cost.of === 0) return <p className="text-sm text-slate-600">No execution was accepted, so nothing was billed.</p>;
  return (
    <div className="space-y-2">
      <p className="text-2xl font-semibold break-all tabular-nums text-slate-900">{dollars(cost.parts.totalCost)}</p>
      <p className="text-xs text-slate-600" aria-live="polite">
        {cost.costed === cost.of
          ? `The exact sum of all ${count(cost.of)} executions' costs.`
          : pending
            ? `Sum of ${count(cost.costed)} of ${count(cost.of)} executions so far; waiting for billing…`
            : `Sum of ${count(cost.costed)} of ${count(cost.of)} executions: billing had not costed the rest when asked (the Costs page will include them).`}
      </p>
      <dl className="grid grid-cols-1 gap-y-1 text-sm">
        {LABELS.map(([key, label]) => (
          <div key={key} className="flex min-w-0 flex-wrap items-baseline justify-between gap-x-2">
            <dt className="text-slate-600">{label}</dt>
            <dd className="font-mono text-xs tabular-nums text-slate-900 break-all">{dollars(cost.parts[key])}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
