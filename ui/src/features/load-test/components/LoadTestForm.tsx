// The load-test settings: function, how many executions, how many at once, the input and the mode.
import type { FormEvent } from "react";
import { Play, Square } from "lucide-react";
import { FormField, wholeNumber } from "@/components/form-field";
import { primaryButton, secondaryButton } from "@/components/ui";
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

export function LoadTestForm({ functions, functionsLoading = false, values, errors, running, onChange, onStart, onStop }: Props) {
  const set = <K extends keyof FormValues>(key: K, value: FormValues[K]) => onChange({ ...values, [key]: value });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onStart();
  };
  return (
    <form onSubmit={submit} noValidate className="space-y-4">
      <fieldset disabled={running} className="min-w-0 space-y-4">
        <legend className="sr-only">Load test settings</legend>
        <FormField id="lt-function" label="Function" error={errors.functionId}>
          {(control) => (
            <select {...control} value={values.functionId} onChange={(e) => set("functionId", e.target.value)}>
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
          )}
        </FormField>
        <div className="grid grid-cols-2 gap-3">
          <FormField id="lt-executions" label="Executions" hint={`Up to ${LIMITS.executions.toLocaleString("en-US")}`} error={errors.executions}>
            {(control) => <input {...control} {...wholeNumber(1, LIMITS.executions)} value={values.executions} onChange={(e) => set("executions", e.target.value)} />}
          </FormField>
          <FormField id="lt-concurrency" label="Concurrency" hint={`Requests in flight at once, up to ${LIMITS.concurrency}`} error={errors.concurrency}>
            {(control) => <input {...control} {...wholeNumber(1, LIMITS.concurrency)} value={values.concurrency} onChange={(e) => set("concurrency", e.target.value)} />}
          </FormField>
        </div>
        <FormField id="lt-input" label="Input" hint="JSON, sent as every execution's input" error={errors.input}>
          {(control) => (
            <textarea
              {...control}
              rows={3}
              spellCheck={false}
              value={values.input}
              onChange={(e) => set("input", e.target.value)}
              className={`${control.className} font-mono`}
            />
          )}
        </FormField>
        <FormField
          id="lt-mode"
          label="Mode"
          hint={
            values.mode === "execute"
              ? "Queued: each request returns at once (202); latency runs from the request until the page hears the result over the live connection, so it includes time in the queue."
              : "Synchronous: latency is the round trip of the invoke request."
          }
        >
          {(control) => (
            <select {...control} value={values.mode} onChange={(e) => set("mode", e.target.value as Mode)}>
              <option value="execute">execute (queued)</option>
              <option value="invoke">invoke (sync)</option>
            </select>
          )}
        </FormField>
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
