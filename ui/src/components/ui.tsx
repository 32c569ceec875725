// Small presentational pieces every page shares. Pages pass data in; these hold no state.
import type { ReactNode } from "react";
import { Link } from "react-router";
import { AlertTriangle, Inbox, Loader2 } from "lucide-react";

export function PageHeader({ title, actions, children }: { title: string; actions?: ReactNode; children?: ReactNode }) {
  return (
    <header className="mb-6 flex flex-wrap items-start justify-between gap-3">
      <div className="min-w-0">
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{title}</h1>
        {children ? <div className="mt-1 text-sm text-slate-600">{children}</div> : null}
      </div>
      {actions ? <div className="flex flex-wrap items-center gap-2">{actions}</div> : null}
    </header>
  );
}

export function Card({ title, children, className = "", actions }: { title?: string; children: ReactNode; className?: string; actions?: ReactNode }) {
  return (
    <section className={`min-w-0 rounded-lg border border-slate-200 bg-white p-4 shadow-sm ${className}`} aria-label={title}>
      {title ? (
        <div className="mb-3 flex items-center justify-between gap-2">
          <h2 className="text-sm font-semibold text-slate-700">{title}</h2>
          {actions}
        </div>
      ) : null}
      {children}
    </section>
  );
}

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <div role="status" className="flex items-center gap-2 p-4 text-sm text-slate-600">
      <Loader2 aria-hidden className="h-4 w-4 animate-spin" /> {label}
    </div>
  );
}

export function EmptyState({ children }: { children: ReactNode }) {
  return (
    <div className="flex items-center gap-2 rounded-md border border-dashed border-slate-300 p-6 text-sm text-slate-600">
      <Inbox aria-hidden className="h-5 w-5 shrink-0" /> <div>{children}</div>
    </div>
  );
}

export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div role="alert" className="flex flex-wrap items-center gap-2 rounded-md border border-red-200 bg-red-50 p-4 text-sm text-red-800">
      <AlertTriangle aria-hidden className="h-5 w-5 shrink-0" />
      <span className="min-w-0 break-words">{message}</span>
      {retry ? (
        <button type="button" onClick={retry} className="ml-auto rounded border border-red-300 px-2 py-1 font-medium hover:bg-red-100">
          Try again
        </button>
      ) : null}
    </div>
  );
}

/** A detail page whose record did not load: its title, the way back to its list, and the error. */
export function DetailError({ title, back, error, retry }: { title: string; back: { to: string; label: string }; error: unknown; retry: () => void }) {
  return (
    <>
      <PageHeader title={title}>
        <Link to={back.to} className="text-indigo-700 underline">
          {back.label}
        </Link>
      </PageHeader>
      <ErrorState error={error} retry={retry} />
    </>
  );
}

const STATUS_STYLE: Record<string, string> = {
  completed: "bg-emerald-100 text-emerald-800",
  active: "bg-emerald-100 text-emerald-800",
  failed: "bg-red-100 text-red-800",
  running: "bg-sky-100 text-sky-800",
  pending: "bg-amber-100 text-amber-900",
  inactive: "bg-slate-200 text-slate-700",
  revoked: "bg-red-100 text-red-800",
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ${STATUS_STYLE[status] ?? "bg-slate-100 text-slate-700"}`}>
      {status}
    </span>
  );
}

export function Stat({ label, value, hint }: { label: string; value: ReactNode; hint?: ReactNode }) {
  return (
    <div className="min-w-0">
      <div className="text-xs font-medium uppercase tracking-wide text-slate-600">{label}</div>
      <div className="mt-0.5 truncate text-lg font-semibold text-slate-900">{value}</div>
      {hint ? <div className="text-xs text-slate-600">{hint}</div> : null}
    </div>
  );
}

export const buttonClass =
  "inline-flex items-center justify-center gap-1.5 rounded-md px-3 py-1.5 text-sm font-medium focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 disabled:cursor-not-allowed disabled:opacity-50";
export const primaryButton = `${buttonClass} bg-indigo-600 text-white hover:bg-indigo-700`;
export const secondaryButton = `${buttonClass} border border-slate-300 bg-white text-slate-800 hover:bg-slate-50`;
export const dangerButton = `${buttonClass} bg-red-600 text-white hover:bg-red-700`;
export const inputClass =
  "block w-full rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-900 shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500";
export const labelClass = "block text-sm font-medium text-slate-700";
