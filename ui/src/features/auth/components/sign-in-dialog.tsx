// The dialog a 401 opens: one password field "API key" and "Sign in". The key is tried against
// /api/me before the session keeps it, so a wrong key shows the gateway's 401 message here.
import { useRef, useState, type FormEvent } from "react";
import { useMutation } from "@tanstack/react-query";
import { FormField } from "@/components/form-field";
import { Modal } from "@/components/modal";
import { primaryButton } from "@/components/ui";
import { fetchMe } from "@/lib/me";
import { session } from "@/lib/session";

export function SignInDialog({ reason }: { reason: string }) {
  const field = useRef<HTMLInputElement>(null);
  const [key, setKey] = useState("");
  const [missing, setMissing] = useState(false);
  const trial = useMutation({
    mutationFn: (candidate: string) => fetchMe(undefined, candidate),
    onSuccess: (_me, candidate) => session.signIn(candidate),
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const candidate = key.trim();
    setMissing(!candidate);
    if (candidate) trial.mutate(candidate);
  };

  const error = missing ? "Enter an API key." : trial.isError ? trial.error.message : null;
  return (
    <Modal
      title="Sign in"
      initialFocus={field}
      description={
        <>
          <p>This gateway needs an API key. It stays in this tab until you sign out or close the tab.</p>
          <p className="mt-1 text-xs text-slate-600">The gateway said: {reason}</p>
        </>
      }
    >
      <form className="mt-4 space-y-4" onSubmit={submit} noValidate>
        <FormField id="sign-in-key" label="API key" error={error} announce>
          {(control) => (
            <input
              {...control}
              ref={field}
              type="password"
              autoComplete="off"
              spellCheck={false}
              value={key}
              onChange={(e) => setKey(e.target.value)}
            />
          )}
        </FormField>
        <div className="flex justify-end">
          <button type="submit" className={primaryButton} disabled={trial.isPending}>
            Sign in
          </button>
        </div>
      </form>
    </Modal>
  );
}
