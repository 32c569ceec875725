// "Create key": a name, an owner (empty: the caller's own) and the scopes. It owns only its draft;
// creating is the page's job. An API error naming a field shows under it, anything else on top.
import { useId, useState, type FormEvent } from "react";
import { FieldError, FormField } from "@/components/form-field";
import { labelClass, primaryButton } from "@/components/ui";
import { ApiError } from "@/lib/api";
import { SCOPES, type Scope } from "@/lib/me";
import type { NewKey } from "../api/keys";

const OWNER = /^[A-Za-z0-9_-]{1,64}$/;

const SCOPE_HINT: Record<Scope, string> = {
  admin: "keys, every owner, audit",
  deploy: "create, change, delete functions",
  invoke: "run functions, function URLs",
  read: "functions, executions, costs, metrics",
};

type Field = "name" | "owner" | "scopes";

interface Props {
  pending: boolean;
  error: unknown;
  onSubmit: (draft: NewKey) => void;
}

export function CreateKeyForm({ pending, error, onSubmit }: Props) {
  const id = useId();
  const [name, setName] = useState("");
  const [owner, setOwner] = useState("");
  const [scopes, setScopes] = useState<Scope[]>(["read"]);
  const [checks, setChecks] = useState<Partial<Record<Field, string>>>({});

  const apiField = error instanceof ApiError ? (["name", "owner", "scopes"] as const).find((f) => f === error.field) : undefined;
  const message = (field: Field) => checks[field] ?? (apiField === field && error instanceof Error ? error.message : null);
  const formError = error instanceof Error && !apiField ? error.message : null;

  const toggle = (scope: Scope, on: boolean) => setScopes((current) => (on ? SCOPES.filter((s) => s === scope || current.includes(s)) : current.filter((s) => s !== scope)));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: Partial<Record<Field, string>> = {};
    const trimmedOwner = owner.trim();
    if (trimmedOwner && !OWNER.test(trimmedOwner)) found.owner = "Letters, digits, _ and - only, at most 64.";
    if (scopes.length === 0) found.scopes = "Pick at least one scope.";
    setChecks(found);
    if (Object.keys(found).length > 0) return;
    onSubmit({ name: name.trim() || undefined, owner: trimmedOwner || undefined, scopes });
  };

  return (
    <form aria-labelledby={`${id}-title`} className="space-y-4" onSubmit={submit} noValidate>
      <h2 id={`${id}-title`} className="text-sm font-semibold text-slate-700">
        Create key
      </h2>
      {formError ? (
        <p role="alert" className="text-sm break-words text-red-700">
          {formError}
        </p>
      ) : null}
      <div className="grid gap-4 sm:grid-cols-2">
        <FormField id={`${id}-name`} label="Name" hint="What it is for, e.g. ci-deploy." error={message("name")} announce={!checks.name}>
          {(control) => <input {...control} value={name} onChange={(e) => setName(e.target.value)} maxLength={200} autoComplete="off" />}
        </FormField>
        <FormField id={`${id}-owner`} label="Owner" hint="The tenant it acts for; empty: your own." error={message("owner")} announce={!checks.owner}>
          {(control) => <input {...control} value={owner} onChange={(e) => setOwner(e.target.value)} maxLength={64} autoComplete="off" spellCheck={false} />}
        </FormField>
      </div>
      <fieldset aria-describedby={message("scopes") ? `${id}-scopes-error` : undefined}>
        <legend className={labelClass}>Scopes</legend>
        <div className="mt-1 grid gap-2 sm:grid-cols-2">
          {SCOPES.map((scope) => (
            <div key={scope} className="flex items-start gap-2 text-sm text-slate-800">
              <input
                id={`${id}-scope-${scope}`}
                type="checkbox"
                className="mt-1"
                aria-describedby={`${id}-scope-${scope}-hint`}
                checked={scopes.includes(scope)}
                onChange={(e) => toggle(scope, e.target.checked)}
              />
              <div>
                <label htmlFor={`${id}-scope-${scope}`} className="font-medium">
                  {scope}
                </label>
                <p id={`${id}-scope-${scope}-hint`} className="text-xs text-slate-600">
                  {SCOPE_HINT[scope]}
                </p>
              </div>
            </div>
          ))}
        </div>
        <FieldError controlId={`${id}-scopes`} message={message("scopes")} announce={!checks.scopes} />
      </fieldset>
      <button type="submit" className={primaryButton} disabled={pending}>
        Create key
      </button>
    </form>
  );
}
