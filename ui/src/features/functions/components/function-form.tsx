// The create/edit form. It owns only its draft; saving is the page's job. An API error that names
// a field is shown under that field (the compiler's message under Code), anything else on top.
import { lazy, Suspense, useCallback, useId, useState, type FormEvent, type ReactNode } from "react";
import { ApiError } from "@/lib/api";
import type { Runtime } from "@/lib/types";
import { describedBy, FieldError, FormField, wholeNumber } from "@/components/form-field";
import { labelClass, Loading, primaryButton } from "@/components/ui";
import type { FunctionDraft } from "../api/types";
import { PRICE_PER_100MS, tierFor } from "../utils/tier";

const CodeEditor = lazy(() => import("./code-editor"));

export const STARTER_CODE = "function handler(a, b) {\n  return a + b;\n}\n";

export const EMPTY_DRAFT: FunctionDraft = {
  name: "",
  description: "",
  code: STARTER_CODE,
  runtime: "javascript",
  config: { timeout: 30_000, retryCount: 3 },
};

type Field = "name" | "description" | "code" | "timeout" | "retryCount" | "runtime";

/** The form field an API error names (`config.timeout` is the Timeout field), or null. */
export function fieldOf(error: unknown): Field | null {
  if (!(error instanceof ApiError) || !error.field) return null;
  const field = error.field.replace(/^config\./, "");
  return (["name", "description", "code", "timeout", "retryCount", "runtime"] as const).find((f) => f === field) ?? null;
}

interface Props {
  initial: FunctionDraft;
  submitLabel: "Create" | "Save";
  pending: boolean;
  error: unknown;
  onSubmit: (draft: FunctionDraft) => void;
  footer?: ReactNode;
}

export function FunctionForm({ initial, submitLabel, pending, error, onSubmit, footer }: Props) {
  const id = useId();
  const ids = {
    name: `${id}-name`,
    description: `${id}-description`,
    code: `${id}-code`,
    codeLabel: `${id}-code-label`,
    codeHint: `${id}-code-hint`,
    timeout: `${id}-timeout`,
    retries: `${id}-retries`,
    runtime: `${id}-runtime`,
    tier: `${id}-tier`,
    formError: `${id}-form-error`,
  };

  const [name, setName] = useState(initial.name);
  const [description, setDescription] = useState(initial.description);
  const [code, setCode] = useState(initial.code);
  const [timeout, setTimeoutMs] = useState(String(initial.config.timeout));
  const [retries, setRetries] = useState(String(initial.config.retryCount));
  const [runtime, setRuntime] = useState<Runtime>(initial.runtime);
  const onCode = useCallback((value: string) => setCode(value), []);

  const badField = fieldOf(error);
  const message = error instanceof Error ? error.message : error ? String(error) : "";
  const errorOf = (field: Field) => (badField === field ? message : null);

  const tier = tierFor(code, Number(timeout));

  function submit(event: FormEvent) {
    event.preventDefault();
    onSubmit({
      name: name.trim(),
      description,
      code,
      runtime,
      config: { timeout: Number(timeout), retryCount: Number(retries) },
    });
  }

  return (
    <form noValidate onSubmit={submit} className="max-w-3xl space-y-5" aria-describedby={error && !badField ? ids.formError : undefined}>
      {error && !badField ? (
        <div id={ids.formError} role="alert" className="rounded-md border border-red-200 bg-red-50 p-3 text-sm break-words text-red-800">
          {message}
        </div>
      ) : null}

      <FormField id={ids.name} label="Name" hint={'1–64 letters, digits, "-" or "_". It is part of the function URL.'} error={errorOf("name")} announce>
        {(control) => (
          <input
            {...control}
            name="name"
            required
            autoComplete="off"
            spellCheck={false}
            value={name}
            onChange={(e) => setName(e.target.value)}
            className={`${control.className} font-mono`}
          />
        )}
      </FormField>

      <FormField id={ids.description} label="Description" error={errorOf("description")} announce>
        {(control) => <textarea {...control} name="description" rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />}
      </FormField>

      <div>
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          {/* A contenteditable is not labelable, so the editor points back at this text. */}
          <span id={ids.codeLabel} className={labelClass}>
            Code
          </span>
          <span id={ids.codeHint} className="text-xs text-slate-600">
            Esc then Tab leaves the editor.
          </span>
        </div>
        <div className="mt-1">
          <Suspense fallback={<Loading label="Loading editor…" />}>
            <CodeEditor
              value={code}
              onChange={onCode}
              runtime={runtime}
              labelledBy={ids.codeLabel}
              describedBy={describedBy(ids.code, errorOf("code"), ids.codeHint, ids.tier)}
              invalid={badField === "code"}
            />
          </Suspense>
        </div>
        <FieldError controlId={ids.code} message={errorOf("code")} announce />
      </div>

      <div className="grid gap-4 sm:grid-cols-3">
        <FormField id={ids.timeout} label="Timeout (ms)" error={errorOf("timeout")} announce>
          {(control) => <input {...control} {...wholeNumber(1, 900000)} name="timeout" value={timeout} onChange={(e) => setTimeoutMs(e.target.value)} />}
        </FormField>
        <FormField id={ids.retries} label="Retries" error={errorOf("retryCount")} announce>
          {(control) => <input {...control} {...wholeNumber(0, 10)} name="retries" value={retries} onChange={(e) => setRetries(e.target.value)} />}
        </FormField>
        <FormField id={ids.runtime} label="Runtime" error={errorOf("runtime")} announce>
          {(control) => (
            <select {...control} name="runtime" value={runtime} onChange={(e) => setRuntime(e.target.value as Runtime)}>
              <option value="javascript">javascript</option>
              <option value="python">python</option>
            </select>
          )}
        </FormField>
      </div>

      <p id={ids.tier} aria-live="polite" className="rounded-md bg-indigo-50 px-3 py-2 text-sm text-indigo-900">
        Tier: <strong>{tier}</strong> · ${PRICE_PER_100MS[tier]} per 100 ms
        <span className="text-indigo-800"> (from the code's length and the timeout)</span>
      </p>

      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" className={primaryButton} disabled={pending}>
          {submitLabel}
        </button>
        {pending ? (
          <span role="status" className="text-sm text-slate-600">
            {submitLabel === "Create" ? "Creating…" : "Saving…"}
          </span>
        ) : null}
        {footer}
      </div>
    </form>
  );
}
