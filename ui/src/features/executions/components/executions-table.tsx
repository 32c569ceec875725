// One page of executions. Presentational: rows and the costs already known come in as props.
import { Link } from "react-router";
import { StatusBadge } from "@/components/ui";
import { money, ms, when } from "@/lib/format";
import type { ExecutionRecord } from "@/lib/types";
import type { KnownCost } from "../hooks/use-known-costs";

export function ExecutionsTable({ rows, costs, functionNames }: { rows: ExecutionRecord[]; costs: Map<string, KnownCost>; functionNames: Map<string, string> }) {
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">Executions, newest first</caption>
        <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
          <tr>
            <th scope="col" className="px-3 py-2">Execution</th>
            <th scope="col" className="px-3 py-2">Function</th>
            <th scope="col" className="px-3 py-2">Status</th>
            <th scope="col" className="px-3 py-2 text-right">Duration</th>
            <th scope="col" className="px-3 py-2">Start</th>
            <th scope="col" className="px-3 py-2">Started</th>
            <th scope="col" className="px-3 py-2 text-right">Cost</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((e) => {
            const started = e.startTime ?? e.createdAt ?? null;
            const cost = costs.get(e.id);
            const name = e.functionName ?? functionNames.get(e.functionId) ?? e.functionId.slice(0, 8);
            return (
              <tr key={e.id} className="hover:bg-slate-50">
                <td className="px-3 py-2">
                  <Link to={`/executions/${e.id}`} title={e.id} className="font-mono text-indigo-700 underline-offset-2 hover:underline">
                    {e.id.slice(0, 8)}
                  </Link>
                </td>
                <td className="max-w-[14rem] min-w-[8rem] px-3 py-2">
                  <Link to={`/functions/${e.functionId}`} className="font-mono break-words text-slate-800 underline-offset-2 hover:underline">
                    {name}
                  </Link>
                  {e.functionVersion ? <span className="text-xs text-slate-600"> v{e.functionVersion}</span> : null}
                </td>
                <td className="px-3 py-2">
                  <StatusBadge status={e.status} />
                </td>
                <td className="px-3 py-2 text-right tabular-nums whitespace-nowrap">{ms(e.duration)}</td>
                <td className="px-3 py-2">{e.status === "pending" ? "—" : e.coldStart ? "cold" : "warm"}</td>
                <td className="px-3 py-2 whitespace-nowrap text-slate-700">
                  {started ? (
                    <time dateTime={started} title={new Date(started).toLocaleString()}>
                      {when(started)}
                    </time>
                  ) : (
                    "—"
                  )}
                </td>
                <td className="px-3 py-2 text-right font-mono whitespace-nowrap text-slate-700">{cost ? money(cost.totalCostExact ?? cost.totalCost) : "—"}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
