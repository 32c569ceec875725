// /executions/:id: one run with its attempts, input, output, logs, error and cost. A run that is
// still pending or running refreshes live until it ends and is priced.
import { useEffect, useState, type ReactNode } from "react";
import { Link, useParams } from "react-router";
import { CostBreakdown, type CostParts } from "@/components/cost-breakdown";
import { Card, DetailError, EmptyState, Loading, PageHeader, StatusBadge } from "@/components/ui";
import { json, ms, when } from "@/lib/format";
import type { ExecutionRecord } from "@/lib/types";
import { useExecution } from "../api/executions";
import { AttemptsTimeline } from "./attempts-timeline";

export function ExecutionDetailPage() {
  const { id = "" } = useParams();
  const execution = useExecution(id);

  if (execution.isPending) return <Loading label="Loading execution…" />;
  if (execution.isError) return <DetailError title="Execution" back={{ to: "/executions", label: "Back to executions" }} error={execution.error} retry={() => void execution.refetch()} />;
  return <ExecutionDetail record={execution.data} />;
}

function errorText(error: ExecutionRecord["error"], kind: unknown): string | null {
  if (!error) return null;
  if (typeof error === "string") return typeof kind === "string" && kind ? `${kind}: ${error}` : error;
  return `${error.kind}: ${error.message}`;
}

function ExecutionDetail({ record }: { record: ExecutionRecord }) {
  const active = record.status === "pending" || record.status === "running";
  const error = errorText(record.error, record.errorKind);
  const started = record.startTime ?? record.createdAt ?? null;
  const attempts = record.attempts ?? [];

  return (
    <>
      <PageHeader title={`Execution ${record.id.slice(0, 8)}`}>
        <span className="flex flex-wrap items-center gap-2">
          <StatusBadge status={record.status} />
          <span className="font-mono text-xs break-all">{record.id}</span>
          {active ? (
            <span role="status" className="text-xs text-slate-600">
              Updating live…
            </span>
          ) : null}
        </span>
      </PageHeader>

      <div className="grid items-start gap-4 lg:grid-cols-3">
        <div className="min-w-0 space-y-4 lg:col-span-2">
          <Card title="Summary">
            <dl className="grid grid-cols-2 gap-x-4 gap-y-3 text-sm sm:grid-cols-3">
              <Item label="Status">
                <StatusBadge status={record.status} />
              </Item>
              <Item label="Function">
                <Link to={`/functions/${record.functionId}`} className="font-mono break-all text-indigo-700 underline">
                  {record.functionName ?? record.functionId}
                </Link>
              </Item>
              <Item label="Version">{record.functionVersion ? `v${record.functionVersion}` : "—"}</Item>
              <Item label="Mode">{record.mode ?? "—"}</Item>
              <Item label="Duration">{ms(record.duration)}</Item>
              <Item label="Start">{record.status === "pending" ? "—" : record.coldStart ? "cold" : "warm"}</Item>
              <Item label="Retries">{record.retryCount ?? 0}</Item>
              <Item label="Tier">{record.tier ?? "—"}</Item>
              <Item label="Started">
                {started ? (
                  <time dateTime={started} title={new Date(started).toLocaleString()}>
                    {when(started)}
                  </time>
                ) : (
                  "—"
                )}
              </Item>
            </dl>
          </Card>

          <Card title="Attempts">
            {attempts.length ? <AttemptsTimeline attempts={attempts} /> : <EmptyState>{active ? "Waiting for a worker to pick it up…" : "No attempts recorded."}</EmptyState>}
          </Card>

          {error ? (
            <Card title="Error">
              <pre className="overflow-x-auto rounded bg-red-50 p-3 font-mono text-xs break-words whitespace-pre-wrap text-red-800">{error}</pre>
            </Card>
          ) : null}

          <div className="grid gap-4 md:grid-cols-2">
            <Card title="Input">
              <Json value={record.input} />
            </Card>
            <Card title="Output">{active ? <p className="text-sm text-slate-600">Not finished yet.</p> : <Json value={record.output} />}</Card>
          </div>

          <Card title="Logs">
            {record.logs && record.logs.length ? (
              <pre className="max-h-96 overflow-auto rounded bg-slate-900 p-3 font-mono text-xs break-words whitespace-pre-wrap text-slate-100">{record.logs.join("\n")}</pre>
            ) : (
              <p className="text-sm text-slate-600">{active ? "No logs yet." : "No logs."}</p>
            )}
          </Card>
        </div>

        <Card title="Cost">
          {active ? (
            <p className="text-sm text-slate-600">Priced when the run ends.</p>
          ) : record.cost ? (
            <CostBreakdown cost={record.cost as CostParts} />
          ) : (
            <AwaitingCost />
          )}
        </Card>
      </div>
    </>
  );
}

/** "Costing…" while billing is expected to answer; after that say so instead of spinning forever. */
function AwaitingCost() {
  const [late, setLate] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => setLate(true), 12_000);
    return () => clearTimeout(timer);
  }, []);
  return late ? <p className="text-sm text-slate-600">Not priced yet: the cost appears here when billing records it.</p> : <CostBreakdown cost={null} />;
}

function Json({ value }: { value: unknown }) {
  return <pre className="max-h-72 overflow-auto rounded bg-slate-50 p-3 font-mono text-xs break-words whitespace-pre-wrap text-slate-900">{json(value)}</pre>;
}

function Item({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-slate-600">{label}</dt>
      <dd className="font-medium break-words text-slate-900">{children}</dd>
    </div>
  );
}
