// This function's latest executions, each linking to its detail page.
import { Link } from "react-router";
import { StatusBadge } from "@/components/ui";
import { ms, when } from "@/lib/format";
import type { ExecutionRecord } from "@/lib/types";

export function RecentExecutions({ executions }: { executions: ExecutionRecord[] }) {
  return (
    <div className="overflow-x-auto">
      <table className="min-w-full text-sm">
        <caption className="sr-only">Recent executions of this function</caption>
        <thead className="text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
          <tr>
            <th scope="col" className="py-1.5 pr-3">Execution</th>
            <th scope="col" className="py-1.5 pr-3">Status</th>
            <th scope="col" className="py-1.5 pr-3 text-right">Duration</th>
            <th scope="col" className="py-1.5 pr-3">Start</th>
            <th scope="col" className="py-1.5 pr-3">Version</th>
            <th scope="col" className="py-1.5">Started</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {executions.map((e) => {
            const started = e.startTime ?? e.createdAt ?? null;
            return (
              <tr key={e.id}>
                <td className="py-1.5 pr-3">
                  <Link to={`/executions/${e.id}`} className="font-mono text-indigo-700 underline-offset-2 hover:underline">
                    {e.id.slice(0, 8)}
                  </Link>
                </td>
                <td className="py-1.5 pr-3">
                  <StatusBadge status={e.status} />
                </td>
                <td className="py-1.5 pr-3 text-right tabular-nums whitespace-nowrap">{ms(e.duration)}</td>
                <td className="py-1.5 pr-3">{e.status === "pending" ? "—" : e.coldStart ? "cold" : "warm"}</td>
                <td className="py-1.5 pr-3">{e.functionVersion ? `v${e.functionVersion}` : "—"}</td>
                <td className="py-1.5 whitespace-nowrap text-slate-700">
                  {started ? (
                    <time dateTime={started} title={new Date(started).toLocaleString()}>
                      {when(started)}
                    </time>
                  ) : (
                    "—"
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
