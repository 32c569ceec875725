// The scaler's decisions during the run window.
import { EmptyState } from "@/components/ui";
import type { ScalingRecord } from "../api/loadtest";

export function ScalingEvents({ events, running }: { events: ScalingRecord[]; running: boolean }) {
  if (events.length === 0) {
    return (
      <EmptyState>
        {running ? "No scaling so far." : "The scaler did not change the instance count during this run."} It scales up when more than 10
        executions wait in the queue.
      </EmptyState>
    );
  }
  return (
    <ol className="divide-y divide-slate-100 text-sm">
      {events.map((e) => (
        <li key={`${e.timestamp}-${e.action}`} className="flex flex-wrap items-baseline gap-x-3 gap-y-0.5 py-1.5">
          <time dateTime={e.timestamp} className="tabular-nums text-slate-600">
            {new Date(e.timestamp).toLocaleTimeString()}
          </time>
          <span className={`font-medium ${e.action === "scale_up" ? "text-indigo-700" : "text-slate-800"}`}>
            {e.action === "scale_up" ? "Scaled up" : e.action === "scale_down" ? "Scaled down" : e.action}
          </span>
          <span className="text-slate-700">
            {e.previousCount} → {e.instanceCount} instances
          </span>
          <span className="text-xs text-slate-600">{e.reason}</span>
        </li>
      ))}
    </ol>
  );
}
