// The run panel: a JSON "Input", a "Run" button (sync invoke) and the "Result" region with the
// output, logs, status, duration, cold or warm start, and the cost once billing has priced it.
import { useCallback, useEffect, useId, useState, type FormEvent } from "react";
import { Link } from "react-router";
import { Play } from "lucide-react";
import { CostBreakdown, type CostParts } from "@/components/cost-breakdown";
import { inputClass, labelClass, Loading, primaryButton, StatusBadge } from "@/components/ui";
import { json, ms } from "@/lib/format";
import { useLiveFeed } from "@/lib/live";
import type { WsMessage } from "@/lib/types";
import { COST_WAIT_MS, useExecutionUntilCosted, useInvoke } from "../api/functions";
import type { InvokeResult } from "../api/types";

export const DEFAULT_INPUT = "[1, 2]";

type Parsed = { ok: true; value: unknown } | { ok: false; message: string };

export function parseInput(text: string): Parsed {
  if (!text.trim()) return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, message: `Input is not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
}

export function RunPanel({ functionId, inactive = false }: { functionId: string; inactive?: boolean }) {
  const id = useId();
  const inputId = `${id}-input`;
  const hintId = `${id}-input-hint`;
  const errorId = `${id}-input-error`;
  const [text, setText] = useState(DEFAULT_INPUT);
  const [inputError, setInputError] = useState<string | null>(null);
  const invoke = useInvoke(functionId);

  function run(event: FormEvent) {
    event.preventDefault();
    const parsed = parseInput(text);
    if (!parsed.ok) {
      setInputError(parsed.message);
      return;
    }
    setInputError(null);
    invoke.mutate(parsed.value);
  }

  return (
    <div className="space-y-4">
      <form onSubmit={run} noValidate className="space-y-2">
        <label htmlFor={inputId} className={labelClass}>
          Input
        </label>
        <textarea
          id={inputId}
          name="input"
          rows={4}
          spellCheck={false}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            if (inputError) setInputError(null);
          }}
          aria-invalid={inputError !== null}
          aria-describedby={[hintId, inputError ? errorId : ""].filter(Boolean).join(" ")}
          className={`${inputClass} font-mono ${inputError ? "border-red-500" : ""}`}
        />
        <p id={hintId} className="text-xs text-slate-600">
          JSON. An array is spread into the arguments: <code>[1, 2]</code> calls <code>handler(1, 2)</code>.
        </p>
        {inputError ? (
          <p id={errorId} role="alert" className="text-sm break-words text-red-700">
            {inputError}
          </p>
        ) : null}
        <div className="flex flex-wrap items-center gap-3">
          <button type="submit" className={primaryButton} disabled={invoke.isPending}>
            <Play aria-hidden className="h-4 w-4" /> Run
          </button>
          {inactive ? <span className="text-sm text-amber-900">This function is inactive: activate it to run it.</span> : null}
        </div>
      </form>

      <section aria-labelledby={`${id}-result`} className="min-w-0 rounded-md border border-slate-200 bg-slate-50 p-3">
        <h3 id={`${id}-result`} className="mb-2 text-sm font-semibold text-slate-700">
          Result
        </h3>
        {invoke.isPending ? (
          <Loading label="Running…" />
        ) : invoke.isError ? (
          <p role="alert" className="text-sm break-words text-red-800">
            {invoke.error.message}
          </p>
        ) : invoke.data ? (
          <RunResult key={invoke.data.executionId} result={invoke.data} />
        ) : (
          <p className="text-sm text-slate-600">Run the function to see its output, logs and cost here.</p>
        )}
      </section>
    </div>
  );
}

/** How long the panel waits for the live cost before it asks the REST API for the record. */
export const LIVE_COST_GRACE_MS = 1500;

function RunResult({ result }: { result: InvokeResult }) {
  const costFilter = useCallback(
    (m: WsMessage) => m.type === "cost_update" && (m.data as { executionId?: string }).executionId === result.executionId,
    [result.executionId],
  );
  const liveCost = useLiveFeed(costFilter, 1)[0]?.data as unknown as CostParts | undefined;
  const [askRest, setAskRest] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => setAskRest(true), LIVE_COST_GRACE_MS);
    return () => clearTimeout(timer);
  }, [result.executionId]);
  const execution = useExecutionUntilCosted(result.executionId, askRest && !liveCost);
  const cost = (execution.data?.cost as CostParts | null | undefined) ?? liveCost ?? null;
  const [waited, setWaited] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => setWaited(true), LIVE_COST_GRACE_MS + COST_WAIT_MS + 1000);
    return () => clearTimeout(timer);
  }, []);
  const gaveUp = !cost && (execution.isError || waited);
  const failed = result.status === "failed";

  return (
    <div className="space-y-3 text-sm">
      <dl className="grid grid-cols-2 gap-x-4 gap-y-2 sm:grid-cols-4">
        <div>
          <dt className="text-xs text-slate-600">Status</dt>
          <dd>
            <StatusBadge status={result.status} />
          </dd>
        </div>
        <div>
          <dt className="text-xs text-slate-600">Duration</dt>
          <dd className="font-medium text-slate-900 tabular-nums">{ms(result.duration)}</dd>
        </div>
        <div>
          <dt className="text-xs text-slate-600">Start</dt>
          <dd className="font-medium text-slate-900">{result.coldStart ? "cold" : "warm"}</dd>
        </div>
        <div className="min-w-0">
          <dt className="text-xs text-slate-600">Execution</dt>
          <dd className="truncate">
            <Link to={`/executions/${result.executionId}`} className="font-mono text-indigo-700 underline">
              {result.executionId.slice(0, 8)}
            </Link>
            <span className="text-slate-600"> · v{result.functionVersion}</span>
          </dd>
        </div>
      </dl>

      {failed ? (
        <div>
          <h4 className="text-xs font-medium text-slate-600">Error</h4>
          <pre className="mt-1 overflow-x-auto rounded bg-red-50 p-2 font-mono text-xs whitespace-pre-wrap break-words text-red-800">
            {result.errorKind ? `${result.errorKind}: ` : ""}
            {result.error ?? "failed"}
          </pre>
        </div>
      ) : (
        <div>
          <h4 className="text-xs font-medium text-slate-600">Output</h4>
          <pre className="mt-1 max-h-64 overflow-auto rounded bg-white p-2 font-mono text-xs whitespace-pre-wrap break-words text-slate-900">
            {json(result.output)}
          </pre>
        </div>
      )}

      <div>
        <h4 className="text-xs font-medium text-slate-600">Logs</h4>
        {result.logs.length ? (
          <pre className="mt-1 max-h-48 overflow-auto rounded bg-slate-900 p-2 font-mono text-xs whitespace-pre-wrap break-words text-slate-100">
            {result.logs.join("\n")}
          </pre>
        ) : (
          <p className="mt-1 text-slate-600">No logs.</p>
        )}
      </div>

      <div>
        <h4 className="mb-1 text-xs font-medium text-slate-600">Cost</h4>
        {gaveUp ? (
          <p className="text-slate-600">Not priced yet: the cost appears here when billing records it.</p>
        ) : (
          <CostBreakdown cost={cost} title="Run cost" />
        )}
      </div>
    </div>
  );
}
