// The figures of a finished (or stopped) run: latency percentiles, throughput, outcome.
import { count, ms } from "@/lib/format";
import type { RunResult } from "../lib/engine";

function Figure({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <div className="min-w-0 rounded-md bg-slate-50 px-3 py-2">
      <dt className="text-xs font-medium text-slate-600">{label}</dt>
      <dd className="text-lg font-semibold tabular-nums text-slate-900">{value}</dd>
      {hint ? <dd className="text-xs text-slate-600">{hint}</dd> : null}
    </div>
  );
}

export function ResultsPanel({ result }: { result: RunResult }) {
  const { latency, runTime } = result;
  const finished = result.succeeded + result.failed;
  return (
    <div className="space-y-3">
      <p className="text-sm text-slate-700">
        {result.stopped ? "Stopped" : "Finished"}: {count(finished)} of {count(result.config.executions)} executions in{" "}
        {(result.durationMs / 1000).toFixed(2)} s ({result.config.mode}, concurrency {result.config.concurrency})
        {result.cancelled ? `; ${count(result.cancelled)} in flight were abandoned` : ""}.
      </p>
      <dl className="grid grid-cols-2 gap-2 sm:grid-cols-4">
        <Figure label="p50" value={ms(latency.p50)} />
        <Figure label="p95" value={ms(latency.p95)} />
        <Figure label="p99" value={ms(latency.p99)} />
        <Figure label="Throughput" value={`${result.throughput.toFixed(1)}/s`} hint="finished per second" />
        <Figure label="Succeeded" value={count(result.succeeded)} />
        <Figure label="Failed" value={count(result.failed)} />
        <Figure label="Mean latency" value={ms(latency.mean)} hint={`min ${ms(latency.min)}, max ${ms(latency.max)}`} />
        <Figure label="Median run time" value={ms(runTime.p50)} hint="in the sandbox" />
      </dl>
      {result.errors.length ? (
        <div className="text-sm">
          <h3 className="font-medium text-red-800">Failures</h3>
          <ul className="mt-1 list-disc space-y-0.5 pl-5 text-xs break-words text-red-800">
            {result.errors.slice(0, 5).map((e) => (
              <li key={e.message}>
                {count(e.count)} × {e.message}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
