// /functions: every function with its status, tier, version and live run and cost figures.
import { useMemo, useState } from "react";
import { Link } from "react-router";
import { Plus } from "lucide-react";
import { EmptyState, ErrorState, inputClass, labelClass, Loading, PageHeader, primaryButton } from "@/components/ui";
import { useFunctions, useFunctionStats, useSystemCosts } from "../api/functions";
import type { FunctionCost, FunctionStats } from "../api/types";
import { FunctionsTable, type FunctionRow } from "./functions-table";

export function FunctionsPage() {
  const functions = useFunctions();
  const stats = useFunctionStats();
  const costs = useSystemCosts();
  const [search, setSearch] = useState("");

  const rows = useMemo<FunctionRow[]>(() => {
    const byStats = new Map<string, FunctionStats>((stats.data ?? []).map((s) => [s.functionId, s]));
    const byCost = new Map<string, FunctionCost>((costs.data?.functionCosts ?? []).map((c) => [c.functionId, c]));
    const needle = search.trim().toLowerCase();
    return (functions.data ?? [])
      .filter((fn) => !needle || fn.name.toLowerCase().includes(needle) || (fn.description ?? "").toLowerCase().includes(needle))
      .map((fn) => ({
        fn,
        stats: byStats.get(fn.id) ?? (stats.data ? { functionId: fn.id, executions: 0, completed: 0, failed: 0, lastRunAt: null, avgDurationMs: null } : undefined),
        // A function that never ran has no roll-up yet: it has cost nothing (when the roll-up answered).
        cost: byCost.get(fn.id) ?? (costs.data ? { functionId: fn.id, totalCost: 0, totalCostExact: "0" } : undefined),
      }));
  }, [functions.data, stats.data, costs.data, search]);

  const total = functions.data?.length ?? 0;

  return (
    <>
      <PageHeader
        title="Functions"
        actions={
          <Link to="/functions/new" className={primaryButton}>
            <Plus aria-hidden className="h-4 w-4" /> New function
          </Link>
        }
      >
        Upload code, run it on demand or through its URL, and see what every run costs.
      </PageHeader>

      {functions.isPending ? (
        <Loading label="Loading functions…" />
      ) : functions.isError ? (
        <ErrorState error={functions.error} retry={() => void functions.refetch()} />
      ) : (
        <div className="space-y-3">
          <div className="max-w-sm">
            <label htmlFor="function-search" className={labelClass}>
              Search functions
            </label>
            <input
              id="function-search"
              type="search"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              placeholder="Name or description"
              className={`${inputClass} mt-1`}
            />
          </div>
          {total === 0 ? (
            <EmptyState>
              No functions yet.{" "}
              <Link to="/functions/new" className="font-medium text-indigo-700 underline">
                Create your first function
              </Link>
              .
            </EmptyState>
          ) : (
            <>
              <p className="text-sm text-slate-600" aria-live="polite">
                {rows.length === total ? `${total} function${total === 1 ? "" : "s"}` : `${rows.length} of ${total} functions match`}
                {stats.isError || costs.isError ? " · some run figures are unavailable right now" : ""}
              </p>
              {rows.length === 0 ? <EmptyState>No function matches “{search.trim()}”.</EmptyState> : <FunctionsTable rows={rows} />}
            </>
          )}
        </div>
      )}
    </>
  );
}
