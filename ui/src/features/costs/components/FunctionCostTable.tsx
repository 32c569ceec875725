// Cost per function over the range, most expensive first.
import { Link } from "react-router";
import { EmptyState } from "@/components/ui";
import { count, percent } from "@/lib/format";
import type { FunctionCost } from "../api/costs";
import { dollars } from "@/lib/decimal";
import { byCost } from "../lib/tiers";

export function FunctionCostTable({ rows, total }: { rows: FunctionCost[]; total: number }) {
  if (rows.length === 0) return <EmptyState>No function ran in this range, so nothing was billed.</EmptyState>;
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">Cost per function, most expensive first</caption>
        <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-600">
          <tr>
            <th scope="col" className="py-2 pr-3 font-medium">Function</th>
            <th scope="col" className="py-2 pr-3 font-medium">Tier</th>
            <th scope="col" className="py-2 pr-3 text-right font-medium">Executions</th>
            <th scope="col" className="py-2 pr-0 text-right font-medium sm:pr-3">Cost</th>
            <th scope="col" className="hidden py-2 text-right font-medium sm:table-cell">Share</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {byCost(rows).map((row) => (
            <tr key={row.functionId}>
              <td className="max-w-[16rem] py-2 pr-3 [overflow-wrap:anywhere]">
                <Link to={`/functions/${row.functionId}`} className="font-medium text-indigo-700 hover:underline">
                  {row.functionName ?? row.functionId}
                </Link>
              </td>
              <td className="py-2 pr-3 text-slate-700">{row.tier ?? "—"}</td>
              <td className="py-2 pr-3 text-right tabular-nums">{count(row.executionCount)}</td>
              <td className="py-2 pr-0 text-right font-mono text-xs tabular-nums break-all sm:pr-3 sm:text-sm">{dollars(row.totalCostExact ?? row.totalCost)}</td>
              <td className="hidden py-2 text-right tabular-nums text-slate-700 sm:table-cell">{total > 0 ? percent((row.totalCost / total) * 100) : "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
