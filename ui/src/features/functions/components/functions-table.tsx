// The functions table: one row per function with its live figures. Presentational.
import { Link } from "react-router";
import { StatusBadge } from "@/components/ui";
import { count, money, when } from "@/lib/format";
import type { FunctionRecord } from "@/lib/types";
import type { FunctionCost, FunctionStats } from "../api/types";
import { tierFor } from "../utils/tier";

export interface FunctionRow {
  fn: FunctionRecord;
  stats?: FunctionStats;
  cost?: FunctionCost;
}

export function FunctionsTable({ rows }: { rows: FunctionRow[] }) {
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">Functions</caption>
        <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
          <tr>
            <th scope="col" className="px-3 py-2">Name</th>
            <th scope="col" className="px-3 py-2">Status</th>
            <th scope="col" className="px-3 py-2">Tier</th>
            <th scope="col" className="px-3 py-2 text-right">Version</th>
            <th scope="col" className="px-3 py-2">Last run</th>
            <th scope="col" className="px-3 py-2 text-right">Runs</th>
            <th scope="col" className="px-3 py-2 text-right">Cost</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map(({ fn, stats, cost }) => (
            <tr key={fn.id} className="align-top hover:bg-slate-50">
              <td className="max-w-[18rem] min-w-[10rem] px-3 py-2">
                <Link to={`/functions/${fn.id}`} className="font-mono font-medium break-words text-indigo-700 underline-offset-2 hover:underline">
                  {fn.name}
                </Link>
                {fn.description ? <div className="mt-0.5 line-clamp-2 text-xs break-words text-slate-600">{fn.description}</div> : null}
              </td>
              <td className="px-3 py-2">
                <StatusBadge status={fn.status} />
              </td>
              <td className="px-3 py-2 whitespace-nowrap text-slate-700">{fn.tier ?? cost?.tier ?? tierFor(fn.code ?? "", fn.config?.timeout ?? 30_000)}</td>
              <td className="px-3 py-2 text-right tabular-nums text-slate-700">v{fn.version}</td>
              <td className="px-3 py-2 whitespace-nowrap text-slate-700">
                {stats?.lastRunAt ? (
                  <time dateTime={stats.lastRunAt} title={new Date(stats.lastRunAt).toLocaleString()}>
                    {when(stats.lastRunAt)}
                  </time>
                ) : (
                  "—"
                )}
              </td>
              <td className="px-3 py-2 text-right tabular-nums text-slate-700">{stats ? count(stats.executions) : "—"}</td>
              <td className="px-3 py-2 text-right font-mono whitespace-nowrap text-slate-700">{cost ? money(cost.totalCostExact ?? cost.totalCost) : "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
