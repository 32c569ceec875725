// /executions: every run, newest first, filtered by status and function, paged on the client.
import { useMemo } from "react";
import { Link, useSearchParams } from "react-router";
import { ChevronLeft, ChevronRight } from "lucide-react";
import { ExecutionsTable } from "@/components/executions-table";
import { EmptyState, ErrorState, inputClass, labelClass, Loading, PageHeader, secondaryButton } from "@/components/ui";
import { money } from "@/lib/format";
import type { ExecutionRecord, ExecutionStatus } from "@/lib/types";
import { MAX_LIMIT, useExecutions, useFunctionOptions, type ExecutionFilter } from "../api/executions";
import { useKnownCosts } from "../hooks/use-known-costs";

export const PAGE_SIZE = 50;
const STATUSES: ExecutionStatus[] = ["pending", "running", "completed", "failed"];

export function ExecutionsPage() {
  const [params, setParams] = useSearchParams();
  const status = STATUSES.find((s) => s === params.get("status"));
  const functionId = params.get("functionId") ?? "";
  const maxPage = Math.ceil(MAX_LIMIT / PAGE_SIZE) - 1;
  const page = Math.min(maxPage, Math.max(0, Number.parseInt(params.get("page") ?? "1", 10) - 1 || 0));
  const filter = useMemo<ExecutionFilter>(() => ({ status, functionId: functionId || undefined }), [status, functionId]);

  // No offset in the API: ask for everything up to the end of this page, plus one row to know
  // whether a next page exists.
  const limit = Math.min(MAX_LIMIT, (page + 1) * PAGE_SIZE + 1);
  const executions = useExecutions(filter, limit);
  const functions = useFunctionOptions();

  const all = executions.data ?? [];
  const rows = useMemo(() => all.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE), [all, page]);
  const costs = useKnownCosts(rows);
  const functionNames = useMemo(() => new Map((functions.data ?? []).map((f) => [f.id, f.name])), [functions.data]);
  const functionName = (e: ExecutionRecord) => e.functionName ?? functionNames.get(e.functionId) ?? e.functionId.slice(0, 8);
  const costOf = (e: ExecutionRecord) => {
    const cost = costs.get(e.id);
    return cost ? money(cost.totalCostExact ?? cost.totalCost) : null;
  };
  const hasNext = all.length > (page + 1) * PAGE_SIZE;
  const capped = !hasNext && all.length >= MAX_LIMIT;

  function update(changes: Record<string, string | null>) {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    setParams(next, { replace: "page" in changes ? false : true });
  }
  const setFilter = (key: "status" | "functionId", value: string) => update({ [key]: value || null, page: null });
  const goTo = (index: number) => update({ page: index > 0 ? String(index + 1) : null });

  const first = rows.length ? page * PAGE_SIZE + 1 : 0;
  const last = page * PAGE_SIZE + rows.length;
  const filtered = Boolean(status || functionId);

  return (
    <>
      <PageHeader title="Executions">Every run, newest first. The list updates live as runs start and finish.</PageHeader>

      <div className="mb-4 flex flex-wrap items-end gap-4">
        <div className="w-full sm:w-48">
          <label htmlFor="execution-status" className={labelClass}>
            Status
          </label>
          <select id="execution-status" value={status ?? ""} onChange={(e) => setFilter("status", e.target.value)} className={`${inputClass} mt-1`}>
            <option value="">All statuses</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div className="w-full sm:w-64">
          <label htmlFor="execution-function" className={labelClass}>
            Function
          </label>
          <select
            id="execution-function"
            value={functionId}
            onChange={(e) => setFilter("functionId", e.target.value)}
            aria-describedby={functions.isError ? "execution-function-error" : undefined}
            className={`${inputClass} mt-1`}
          >
            <option value="">All functions</option>
            {(functions.data ?? []).map((f) => (
              <option key={f.id} value={f.id}>
                {f.name}
              </option>
            ))}
            {functionId && functions.data && !functionNames.has(functionId) ? <option value={functionId}>{functionId.slice(0, 8)} (deleted)</option> : null}
          </select>
          {functions.isError ? (
            <p id="execution-function-error" className="mt-1 text-xs text-red-700">
              Function names could not be loaded.
            </p>
          ) : null}
        </div>
        {filtered ? (
          <button type="button" className={secondaryButton} onClick={() => update({ status: null, functionId: null, page: null })}>
            Clear filters
          </button>
        ) : null}
      </div>

      {executions.isPending ? (
        <Loading label="Loading executions…" />
      ) : executions.isError ? (
        <ErrorState error={executions.error} retry={() => void executions.refetch()} />
      ) : all.length === 0 ? (
        <EmptyState>
          {filtered ? (
            "No executions match these filters."
          ) : (
            <>
              No executions yet. Run a function from its page on{" "}
              <Link to="/functions" className="font-medium text-indigo-700 underline">
                Functions
              </Link>
              .
            </>
          )}
        </EmptyState>
      ) : rows.length === 0 ? (
        <EmptyState>
          This page is past the end.{" "}
          <button type="button" className="font-medium text-indigo-700 underline" onClick={() => goTo(0)}>
            Go to the first page
          </button>
          .
        </EmptyState>
      ) : (
        <div className="space-y-3">
          <ExecutionsTable framed rows={rows} caption="Executions, newest first" functionName={functionName} cost={costOf} />
          <nav aria-label="Pages" className="flex flex-wrap items-center justify-between gap-3 text-sm text-slate-700">
            <p aria-live="polite">
              Showing {first}–{last}
              {capped ? ` (the newest ${MAX_LIMIT} are listed)` : ""} · page {page + 1}
              {executions.isFetching ? <span className="sr-only"> (updating)</span> : null}
            </p>
            <div className="flex gap-2">
              <button type="button" className={secondaryButton} disabled={page === 0} onClick={() => goTo(page - 1)}>
                <ChevronLeft aria-hidden className="h-4 w-4" /> Previous
              </button>
              <button type="button" className={secondaryButton} disabled={!hasNext || page >= maxPage} onClick={() => goTo(page + 1)}>
                Next <ChevronRight aria-hidden className="h-4 w-4" />
              </button>
            </div>
          </nav>
        </div>
      )}
    </>
  );
}
