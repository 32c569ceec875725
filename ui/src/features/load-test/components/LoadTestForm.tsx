// The load-test settings: function, how many executions, how many at once, the input and the mode.
import type { FormEvent } from "react";
import { Play, Square } from "lucide-react";
import { inputClass, labelClass, primaryButton, secondaryButton } from "@/components/ui";
import type { FunctionRecord } from "@/lib/types";
import { LIMITS, type FormErrors, type FormValues, type Mode } from "../lib/form";

interface Props {
  functions: FunctionRecord[];
  functionsLoading?: boolean;
  values: FormValues;
  errors: FormErrors;
  running: boolean;
  onChange: (values: FormValues) => void;
  onStart: () => void;
  onStop: () => void;
}

function FieldError({ id, message }: { id: string; message?: string }) {
  return message ? (
    <p id={id} className="mt-1 text-xs font-medium break-words text-red-700">
      {message}
    </p>
  ) : null;
}

export function LoadTestForm({ functions, functionsLoading = false, values, errors, running, onChange, onStart, onStop }: Props) {
  const set = <K extends keyof FormValues>(key: K, value: FormValues[K]) => onChange({ ...values, [key]: value });
  const describedBy = (key: keyof FormValues, hint?: string) =>
    [hint, errors[key] ? `lt-${key}-error` : null].filter(Boolean).join(" ") || undefined;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onStart();
  };
  return (
    <form onSubmit={submit} noValidate className="space-y-4">
      <fieldset disabled={running} className="min-w-0 space-y-4">
        <legend className="sr-only">Load test settings</legend>
        <div>
          <label htmlFor="lt-function" className={labelClass}>
            Function
          </label>
          <select
            id="lt-function"
            className={`${inputClass} mt-1`}
            value={values.functionId}
            onChange={(e) => set("functionId", e.target.value)}
            aria-invalid={errors.functionId ? true : undefined}
            aria-describedby={describedBy("functionId")}
          >
            {functionsLoading ? (
              <option value="">Loading functions…</option>
            ) : functions.length === 0 ? (
              <option value="">No active functions</option>
            ) : (
              <>
                <option value="">Choose a function</option>
                {functions.map((f) => (
                  <option key={f.id} value={f.id}>
                    {f.name}
                  </option>
                ))}
              </>
            )}
          </select>
          <FieldError id="lt-functionId-error" message={errors.functionId} />
        </div>
        <div className="grid grid-cols-2 gap-3">
          <div className="min-w-0">
            <label htmlFor="lt-executions" className={labelClass}>
              Executions
            </label>
            <input
              id="lt-executions"
              type="number"
              inputMode="numeric"
              min={1}
              max={LIMITS.executions}
              step={1}
              className={`${inputClass} mt-1`}
              value={values.executions}
              onChange={(e) => set("executions", e.target.value)}
              aria-invalid={errors.executions ? true : undefined}
              aria-describedby={describedBy("executions", "lt-executions-hint")}
            />
            <p id="lt-executions-hint" className="mt-1 text-xs text-slate-600">
              Up to {LIMITS.executions.toLocaleString("en-US")}
            </p>
            <FieldError id="lt-executions-error" message={errors.executions} />
          </div>
          <div className="min-w-0">
            <label htmlFor="lt-concurrency" className={labelClass}>
              Concurrency
            </label>
            <input
              id="lt-concurrency"
              type="number"
              inputMode="numeric"
              min={1}
              max={LIMITS.concurrency}
              step={1}
              className={`${inputClass} mt-1`}
              value={values.concurrency}
              onChange={(e) => set("concurrency", e.target.value)}
              aria-invalid={errors.concurrency ? true : undefined}
              aria-describedby={describedBy("concurrency", "lt-concurrency-hint")}
            />
            <p id="lt-concurrency-hint" className="mt-1 text-xs text-slate-600">
              Requests in flight at once, up to {LIMITS.concurrency}
            </p>
            <FieldError id="lt-concurrency-error" message={errors.concurrency} />
          </div>
        </div>
        <div>
          <label htmlFor="lt-input" className={labelClass}>
            Input
          </label>
          <textarea
            id="lt-input"
            rows={3}
            spellCheck={false}
            className={`${inputClass} mt-1 font-mono`}
            value={values.input}
            onChange={(e) => set("input", e.target.value)}
            aria-invalid={errors.input ? true : undefined}
            aria-describedby={describedBy("input", "lt-input-hint")}
          />
          <p id="lt-input-hint" className="mt-1 text-xs text-slate-600">
            JSON, sent as every execution's input
          </p>
          <FieldError id="lt-input-error" message={errors.input} />
        </div>
        <div>
          <label htmlFor="lt-mode" className={labelClass}>
            Mode
          </label>
          <select
            id="lt-mode"
            className={`${inputClass} mt-1`}
            value={values.mode}
            onChange={(e) => set("mode", e.target.value as Mode)}
            aria-describedby="lt-mode-hint"
          >
            <option value="execute">execute (queued)</option>
            <option value="invoke">invoke (sync)</option>
          </select>
          <p id="lt-mode-hint" className="mt-1 text-xs text-slate-600">
            {values.mode === "execute"
              ? "Queued: each request returns at once (202); latency runs from the request until the page hears the result over the live connection, so it includes time in the queue."
              : "Synchronous: latency is the round trip of the invoke request."}
          </p>
        </div>
      </fieldset>
      <div className="flex flex-wrap gap-2">
        <button type="submit" className={primaryButton} disabled={running}>
          <Play aria-hidden className="h-4 w-4" /> Start
        </button>
        <button type="button" className={secondaryButton} disabled={!running} onClick={onStop}>
          <Square aria-hidden className="h-4 w-4" /> Stop
        </button>
      </div>
    </form>
  );
}
