// The cost of one execution in dollars and its parts (DESIGN section 5). Exact decimal strings
// from billing are shown as they are; the float fields are only a fallback.
import { Loader2 } from "lucide-react";

export interface CostParts {
  baseCost: number;
  coldStartCost: number;
  retryCost: number;
  dataTransferCost: number;
  totalCost: number;
  baseCostExact?: string;
  coldStartCostExact?: string;
  retryCostExact?: string;
  dataTransferCostExact?: string;
  totalCostExact?: string;
  tier?: string;
  billedDurationMs?: number;
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** `$` and the exact decimal when billing gave one, else the float without binary noise. */
export function dollars(exact: string | undefined, value: number | undefined): string {
  if (typeof exact === "string" && DECIMAL.test(exact.trim())) return `$${exact.trim()}`;
  if (typeof value !== "number" || !Number.isFinite(value)) return "—";
  // 15 places hold every part billing produces (a transfer cost is ~1e-9); drop the zeros after.
  const text = value.toFixed(15).replace(/0+$/, "").replace(/\.$/, "");
  return `$${text}`;
}

const PARTS = [
  { label: "Base", value: "baseCost", exact: "baseCostExact" },
  { label: "Cold start", value: "coldStartCost", exact: "coldStartCostExact" },
  { label: "Retry", value: "retryCost", exact: "retryCostExact" },
  { label: "Transfer", value: "dataTransferCost", exact: "dataTransferCostExact" },
] as const;

export function CostBreakdown({ cost, title = "Cost breakdown" }: { cost: CostParts | null | undefined; title?: string }) {
  if (!cost) {
    return (
      <p role="status" className="flex items-center gap-2 text-sm text-slate-600">
        <Loader2 aria-hidden className="h-4 w-4 animate-spin" /> Costing…
      </p>
    );
  }
  const meta = [cost.tier ? `${cost.tier} tier` : null, typeof cost.billedDurationMs === "number" ? `billed ${cost.billedDurationMs} ms` : null]
    .filter(Boolean)
    .join(" · ");
  return (
    <dl aria-label={title} className="min-w-0 text-sm">
      <div className="flex flex-wrap items-baseline justify-between gap-x-3 border-b border-slate-200 pb-2">
        <dt className="font-medium text-slate-700">Total</dt>
        <dd className="min-w-0 break-all font-mono text-base font-semibold text-slate-900">{dollars(cost.totalCostExact, cost.totalCost)}</dd>
      </div>
      {PARTS.map((part) => (
        <div key={part.label} className="flex flex-wrap items-baseline justify-between gap-x-3 py-1">
          <dt className="text-slate-600">{part.label}</dt>
          <dd className="min-w-0 break-all font-mono text-slate-900">{dollars(cost[part.exact], cost[part.value])}</dd>
        </div>
      ))}
      {meta ? (
        <div className="pt-1 text-xs text-slate-600">
          <dt className="sr-only">Billing</dt>
          <dd>{meta}</dd>
        </div>
      ) : null}
    </dl>
  );
}
