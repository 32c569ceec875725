// The attempts of one execution in order: where each ran, cold or warm, how long, how it failed.
import { StatusBadge } from "@/components/ui";
import { ms } from "@/lib/format";
import type { Attempt } from "@/lib/types";

function clock(iso: string | null | undefined): string {
  if (!iso) return "—";
  const t = new Date(iso);
  return Number.isNaN(t.getTime()) ? "—" : t.toLocaleString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit", fractionalSecondDigits: 3 });
}

export function AttemptsTimeline({ attempts }: { attempts: Attempt[] }) {
  const ordered = [...attempts].sort((a, b) => a.attempt - b.attempt);
  return (
    <ol className="relative space-y-4 border-l-2 border-slate-200 pl-5">
      {ordered.map((a) => {
        const failed = Boolean(a.error);
        return (
          <li key={a.attempt} className="relative min-w-0">
            <span
              aria-hidden
              className={`absolute top-1.5 -left-[1.72rem] h-3 w-3 rounded-full border-2 border-white ${failed ? "bg-red-500" : "bg-emerald-500"}`}
            />
            <div className="flex flex-wrap items-center gap-x-2 gap-y-1 text-sm">
              <span className="font-semibold text-slate-900">Attempt {a.attempt}</span>
              <StatusBadge status={failed ? "failed" : "completed"} />
              <span className="text-slate-700">{a.coldStart ? "cold" : "warm"} start</span>
              <span className="text-slate-700 tabular-nums">{ms(a.durationMs)}</span>
            </div>
            <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-xs text-slate-700">
              <dt className="text-slate-600">Instance</dt>
              <dd className="font-mono break-all">{a.instanceId || "—"}</dd>
              <dt className="text-slate-600">Started</dt>
              <dd>
                <time dateTime={a.startedAt}>{clock(a.startedAt)}</time>
              </dd>
              {a.error ? (
                <>
                  <dt className="text-slate-600">Error</dt>
                  <dd className="font-mono break-words whitespace-pre-wrap text-red-800">
                    {a.error.kind}: {a.error.message}
                  </dd>
                </>
              ) : null}
            </dl>
          </li>
        );
      })}
    </ol>
  );
}
