// A table of executions, each linking to its detail page. Presentational: the caller names the
// table and says how to show the function and the cost, where its page has those columns.
import type { ReactNode } from "react";
import { Link } from "react-router";
import { ms, when } from "@/lib/format";
import type { ExecutionRecord } from "@/lib/types";
import { StatusBadge } from "./ui";

interface Props {
  rows: ExecutionRecord[];
  /** The table's accessible name. */
  caption: string;
  /**
   * The name of each row's function: with it the table has a Function column (the version beside
   * the name); without it (one function's own runs) the version has a column of its own.
   */
  functionName?: (row: ExecutionRecord) => string;
  /** Each row's cost as text, or null while it is not known: with it the table has a Cost column. */
  cost?: (row: ExecutionRecord) => string | null;
  /** A table on its own on a page: framed, roomier, rows highlighted under the pointer. */
  framed?: boolean;
}

interface Column {
  header: string;
  align?: "right";
  className?: string;
  cell: (row: ExecutionRecord) => ReactNode;
}

function startKind(row: ExecutionRecord): string {
  if (row.status === "pending") return "—";
  return row.coldStart ? "cold" : "warm";
}

function Started({ row }: { row: ExecutionRecord }) {
  const started = row.startTime ?? row.createdAt ?? null;
  if (!started) return "—";
  return (
    <time dateTime={started} title={new Date(started).toLocaleString()}>
      {when(started)}
    </time>
  );
}

function columns({ functionName, cost }: Pick<Props, "functionName" | "cost">): Column[] {
  const execution: Column = {
    header: "Execution",
    cell: (e) => (
      <Link to={`/executions/${e.id}`} title={e.id} className="font-mono text-indigo-700 underline-offset-2 hover:underline">
        {e.id.slice(0, 8)}
      </Link>
    ),
  };
  const fn: Column[] = functionName
    ? [
        {
          header: "Function",
          className: "max-w-[14rem] min-w-[8rem]",
          cell: (e) => (
            <>
              <Link to={`/functions/${e.functionId}`} className="font-mono break-words text-slate-800 underline-offset-2 hover:underline">
                {functionName(e)}
              </Link>
              {e.functionVersion ? <span className="text-xs text-slate-600"> v{e.functionVersion}</span> : null}
            </>
          ),
        },
      ]
    : [];
  const version: Column[] = functionName ? [] : [{ header: "Version", cell: (e) => (e.functionVersion ? `v${e.functionVersion}` : "—") }];
  const costs: Column[] = cost
    ? [{ header: "Cost", align: "right", className: "font-mono whitespace-nowrap text-slate-700", cell: (e) => cost(e) ?? "—" }]
    : [];
  return [
    execution,
    ...fn,
    { header: "Status", cell: (e) => <StatusBadge status={e.status} /> },
    { header: "Duration", align: "right", className: "tabular-nums whitespace-nowrap", cell: (e) => ms(e.duration) },
    { header: "Start", cell: startKind },
    ...version,
    { header: "Started", className: "whitespace-nowrap text-slate-700", cell: (e) => <Started row={e} /> },
    ...costs,
  ];
}

export function ExecutionsTable({ rows, caption, functionName, cost, framed = false }: Props) {
  const cols = columns({ functionName, cost });
  const pad = framed ? "px-3 py-2" : "py-1.5 pr-3 last:pr-0";
  const headClass = (c: Column) => (c.align === "right" ? `${pad} text-right` : pad);
  const cellClass = (c: Column) => (c.className ? `${headClass(c)} ${c.className}` : headClass(c));
  return (
    <div className={framed ? "overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm" : "overflow-x-auto"}>
      <table className={framed ? "min-w-full divide-y divide-slate-200 text-sm" : "min-w-full text-sm"}>
        <caption className="sr-only">{caption}</caption>
        <thead className={`${framed ? "bg-slate-50 " : ""}text-left text-xs font-semibold uppercase tracking-wide text-slate-600`}>
          <tr>
            {cols.map((c) => (
              <th key={c.header} scope="col" className={headClass(c)}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((e) => (
            <tr key={e.id} className={framed ? "hover:bg-slate-50" : undefined}>
              {cols.map((c) => (
                <td key={c.header} className={cellClass(c)}>
                  {c.cell(e)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
