// The run's progress: one progress bar (finished executions), live throughput and counts.
import { count } from "@/lib/format";
import type { Progress } from "../lib/engine";

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function ProgressPanel({ progress, running }: { progress: Progress | null; running: boolean }) {
  const percent = progress?.percent ?? 0;
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-baseline justify-between gap-2 text-sm">
        <span className="font-medium text-slate-800">
          {progress ? `${count(progress.finished)} of ${count(progress.total)} finished` : "Not started"}
        </span>
        <span className="tabular-nums text-slate-700">{percent}%</span>
      </div>
      <div
        role="progressbar"
        aria-label="Progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={progress ? `${percent}%: ${progress.finished} of ${progress.total} executions finished` : "Not started"}
        className="h-3 w-full overflow-hidden rounded-full bg-slate-200"
      >
        <div
          className={`h-full rounded-full transition-[width] duration-200 ${progress && progress.failed > 0 ? "bg-amber-600" : "bg-indigo-600"}`}
          style={{ width: `${percent}%` }}
        />
      </div>
      {progress ? (
        <dl className="grid grid-cols-2 gap-3 text-sm sm:grid-cols-4">
          <div className="min-w-0">
            <dt className="text-xs font-medium text-slate-600">Live throughput</dt>
            <dd className="font-semibold tabular-nums text-slate-900">{running ? `${progress.throughput.toFixed(1)}/s` : "—"}</dd>
          </div>
          <div className="min-w-0">
            <dt className="text-xs font-medium text-slate-600">Succeeded</dt>
            <dd className="font-semibold tabular-nums text-emerald-800">{count(progress.succeeded)}</dd>
          </div>
          <div className="min-w-0">
            <dt className="text-xs font-medium text-slate-600">Failed</dt>
            <dd className={`font-semibold tabular-nums ${progress.failed ? "text-red-700" : "text-slate-900"}`}>{count(progress.failed)}</dd>
          </div>
          <div className="min-w-0">
            <dt className="text-xs font-medium text-slate-600">Elapsed</dt>
            <dd className="font-semibold tabular-nums text-slate-900">{seconds(progress.elapsedMs)}</dd>
          </div>
        </dl>
      ) : (
        <p className="text-sm text-slate-600">Choose a function and press Start. Progress counts finished executions.</p>
      )}
    </div>
  );
}
