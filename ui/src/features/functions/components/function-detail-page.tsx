// /functions/:id: what the function is, how to call it, a run panel, its recent runs and a live tail.
import { useCallback, useMemo, useState, type ReactNode } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { Pencil, Power, Trash2 } from "lucide-react";
import { ExecutionsTable } from "@/components/executions-table";
import { Card, DetailError, EmptyState, ErrorState, Loading, PageHeader, secondaryButton, Stat, StatusBadge } from "@/components/ui";
import { count, ms, when } from "@/lib/format";
import { useLiveFeed } from "@/lib/live";
import { useMe } from "@/lib/me";
import type { FunctionRecord, WsMessage } from "@/lib/types";
import { useDeleteFunction, useFunction, useFunctionExecutions, useOneFunctionStats, useUpdateFunction } from "../api/functions";
import { PRICE_PER_100MS, tierFor } from "../utils/tier";
import { DeleteDialog } from "./delete-dialog";
import { FunctionUrl, urlAccess } from "./function-url";
import { LiveTail } from "./live-tail";
import { RunPanel } from "./run-panel";

const RUN_TYPES = new Set(["execution_started", "execution_completed", "execution_failed"]);

export function FunctionDetailPage() {
  const { id = "" } = useParams();
  const fn = useFunction(id);

  if (fn.isPending) return <Loading label="Loading function…" />;
  if (fn.isError) return <DetailError title="Function" back={{ to: "/functions", label: "Back to functions" }} error={fn.error} retry={() => void fn.refetch()} />;
  return <FunctionDetail fn={fn.data} />;
}

function FunctionDetail({ fn }: { fn: FunctionRecord }) {
  const navigate = useNavigate();
  const update = useUpdateFunction(fn.id);
  const remove = useDeleteFunction(fn.id);
  const [confirming, setConfirming] = useState(false);
  const stats = useOneFunctionStats(fn.id);
  const executions = useFunctionExecutions(fn.id, 20);
  const me = useMe();

  const runFilter = useCallback((m: WsMessage) => RUN_TYPES.has(m.type) && (m.data as { functionId?: string }).functionId === fn.id, [fn.id]);
  const live = useLiveFeed(runFilter, 30);
  const logsByExecution = useMemo(() => new Map((executions.data ?? []).map((e) => [e.id, e.logs ?? []])), [executions.data]);

  const tier = (fn.tier as keyof typeof PRICE_PER_100MS | undefined) ?? tierFor(fn.code, fn.config.timeout);
  const active = fn.status === "active";

  return (
    <>
      <PageHeader
        title={fn.name}
        actions={
          <>
            <Link to={`/functions/${fn.id}/edit`} className={secondaryButton}>
              <Pencil aria-hidden className="h-4 w-4" /> Edit
            </Link>
            <button
              type="button"
              className={secondaryButton}
              disabled={update.isPending}
              onClick={() => update.mutate({ status: active ? "inactive" : "active" })}
            >
              <Power aria-hidden className="h-4 w-4" /> {active ? "Deactivate" : "Activate"}
            </button>
            <button
              type="button"
              className={`${secondaryButton} text-red-700`}
              onClick={() => {
                remove.reset();
                setConfirming(true);
              }}
            >
              <Trash2 aria-hidden className="h-4 w-4" /> Delete
            </button>
          </>
        }
      >
        <span className="flex flex-wrap items-center gap-2">
          <StatusBadge status={fn.status} />
          <span className="break-words">{fn.description || "No description."}</span>
        </span>
      </PageHeader>

      {update.isError ? (
        <div className="mb-4">
          <ErrorState error={update.error} />
        </div>
      ) : null}

      {confirming ? (
        <DeleteDialog
          name={fn.name}
          pending={remove.isPending}
          error={remove.isError ? remove.error.message : null}
          onCancel={() => setConfirming(false)}
          onConfirm={() => remove.mutate(undefined, { onSuccess: () => navigate("/functions") })}
        />
      ) : null}

      <div className="grid items-start gap-4 lg:grid-cols-3">
        <div className="min-w-0 space-y-4 lg:col-span-2">
          <Card title="Run">
            <RunPanel functionId={fn.id} inactive={!active} />
          </Card>

          <Card title="Recent executions">
            {executions.isPending ? (
              <Loading label="Loading executions…" />
            ) : executions.isError ? (
              <ErrorState error={executions.error} retry={() => void executions.refetch()} />
            ) : executions.data.length === 0 ? (
              <EmptyState>No runs yet. Use the run panel above or call the function URL.</EmptyState>
            ) : (
              <>
                <ExecutionsTable rows={executions.data} caption="Recent executions of this function" />
                <Link to={`/executions?functionId=${fn.id}`} className="mt-2 inline-block text-sm text-indigo-700 underline">
                  All executions of {fn.name}
                </Link>
              </>
            )}
          </Card>

          <Card title="Source">
            <pre className="max-h-[28rem] overflow-auto rounded bg-slate-50 p-3 font-mono text-xs leading-relaxed text-slate-900">
              <code>{fn.code}</code>
            </pre>
          </Card>
        </div>

        <div className="min-w-0 space-y-4">
          <Card title="Configuration">
            <dl className="grid grid-cols-2 gap-x-4 gap-y-3 text-sm">
              <Item label="Version">v{fn.version}</Item>
              <Item label="Runtime">{fn.runtime}</Item>
              <Item label="Timeout">{count(fn.config.timeout)} ms</Item>
              <Item label="Retries">{fn.config.retryCount}</Item>
              <Item label="Tier">{tier}</Item>
              <Item label="Price per 100 ms">${PRICE_PER_100MS[tier] ?? "—"}</Item>
              <Item label="Updated">
                <time dateTime={fn.updatedAt} title={new Date(fn.updatedAt).toLocaleString()}>
                  {when(fn.updatedAt)}
                </time>
              </Item>
              <Item label="Created">
                <time dateTime={fn.createdAt} title={new Date(fn.createdAt).toLocaleString()}>
                  {when(fn.createdAt)}
                </time>
              </Item>
            </dl>
          </Card>

          <Card title="Invoke over HTTP">
            <FunctionUrl owner={fn.owner ?? "local"} name={fn.name} access={urlAccess(fn.config.auth, me.data?.local)} />
          </Card>

          <Card title="Activity">
            {stats.isError ? (
              <p className="text-sm text-slate-600">Run figures are unavailable right now.</p>
            ) : (
              <div className="grid grid-cols-2 gap-4">
                <Stat label="Runs" value={stats.data ? count(stats.data.executions) : "—"} />
                <Stat label="Failed" value={stats.data ? count(stats.data.failed) : "—"} />
                <Stat label="Avg duration" value={stats.data ? ms(stats.data.avgDurationMs) : "—"} />
                <Stat label="Last run" value={stats.data ? when(stats.data.lastRunAt) : "—"} />
              </div>
            )}
          </Card>

          <Card title="Live tail">
            <LiveTail messages={live} logsByExecution={logsByExecution} />
          </Card>
        </div>
      </div>
    </>
  );
}

function Item({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-slate-600">{label}</dt>
      <dd className="font-medium break-words text-slate-900">{children}</dd>
    </div>
  );
}
