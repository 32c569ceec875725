// The scaling decisions, newest first, with the reason the scaler gave for each.
import { count } from "@/lib/format";
import type { ScalingEvent } from "../api/monitoring";

const AT = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });

function at(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : AT.format(t);
}

const ACTION: Record<string, { label: string; style: string }> = {
  scale_up: { label: "Scale up", style: "bg-sky-100 text-sky-800" },
  scale_down: { label: "Scale down", style: "bg-slate-200 text-slate-800" },
};

function Action({ action }: { action: string }) {
  const known = ACTION[action];
  return (
    <span className={`inline-flex whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ${known?.style ?? "bg-slate-100 text-slate-800"}`}>
      {known?.label ?? action}
    </span>
  );
}

export function ScalingTable({ events }: { events: ScalingEvent[] }) {
  return (
    <div className="-mx-4 overflow-x-auto px-4 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500" tabIndex={0} role="region" aria-label="Scaling events table">
      <table className="w-full min-w-[32rem] text-left text-sm">
        <caption className="sr-only">Scaling events, newest first</caption>
        <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-600">
          <tr>
            <th scope="col" className="py-2 pr-3 font-medium">Time</th>
            <th scope="col" className="py-2 pr-3 font-medium">Action</th>
            <th scope="col" className="py-2 pr-3 font-medium">Instances</th>
            <th scope="col" className="py-2 pr-3 font-medium">Queue</th>
            <th scope="col" className="py-2 font-medium">Reason</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {events.map((e, i) => (
            <tr key={`${e.timestamp}-${i}`}>
              <td className="whitespace-nowrap py-2 pr-3 tabular-nums text-slate-700">
                <time dateTime={e.timestamp}>{at(e.timestamp)}</time>
              </td>
              <td className="py-2 pr-3">
                <Action action={e.action} />
              </td>
              <td className="whitespace-nowrap py-2 pr-3 tabular-nums text-slate-900">
                {e.previousCount !== null && e.previousCount !== undefined ? `${count(e.previousCount)} → ` : ""}
                {count(e.instanceCount)}
              </td>
              <td className="py-2 pr-3 tabular-nums text-slate-700">{count(e.queueLength ?? null)}</td>
              <td className="break-words py-2 text-slate-700">{e.reason || "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
