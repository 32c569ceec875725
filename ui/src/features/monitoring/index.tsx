// Monitoring (`/monitoring`): current load, throughput and duration over time, queue depth against
// instances, and the scaler's decisions with their reasons, all kept live by the socket.
import { useState } from "react";
import { Card, EmptyState, ErrorState, Loading, PageHeader, Stat, secondaryButton } from "@/components/ui";
import { count, ms } from "@/lib/format";
import { useMetrics, useTimeseries } from "@/lib/metrics";
import { useScalingHistory } from "./api/monitoring";
import { MonitoringCharts } from "./components/charts";
import { ScalingTable } from "./components/scaling-table";
import { useLiveScaling } from "./hooks/use-live-scaling";
import { perSecond } from "./lib/series";

const MINUTES = 15;

function CurrentFigures() {
  const metrics = useMetrics();
  if (metrics.isPending) return <Loading label="Loading current figures…" />;
  if (metrics.isError && !metrics.data) return <ErrorState error={metrics.error} retry={() => void metrics.refetch()} />;
  const m = metrics.data;
  return (
    <div className="grid grid-cols-2 gap-4 sm:grid-cols-3 lg:grid-cols-5">
      <Stat label="Queue length" value={count(m.queueLength)} hint={m.queueLength === null ? "Scaler not reporting" : "jobs waiting"} />
      <Stat label="Instances" value={count(m.currentInstances)} hint="worker processes" />
      <Stat label="Executions/s" value={perSecond(m.executionsPerSecond)} hint={`${count(m.runningExecutions)} running`} />
      <Stat label="p50 duration" value={ms(m.p50ExecutionTime)} />
      <Stat label="p99 duration" value={ms(m.p99ExecutionTime)} />
    </div>
  );
}

const FIRST_ROWS = 10;

function ScalingEvents() {
  const history = useScalingHistory(50);
  const [all, setAll] = useState(false);
  if (history.isPending) return <Loading label="Loading scaling events…" />;
  if (history.isError && !history.data) return <ErrorState error={history.error} retry={() => void history.refetch()} />;
  if (history.data.length === 0) return <EmptyState>No scaling events yet. The scaler adds instances when the queue passes 10 jobs.</EmptyState>;
  const events = all ? history.data : history.data.slice(0, FIRST_ROWS);
  return (
    <>
      <ScalingTable events={events} />
      {history.data.length > FIRST_ROWS ? (
        <button type="button" className={`${secondaryButton} mt-3`} aria-expanded={all} onClick={() => setAll((v) => !v)}>
          {all ? `Show the latest ${FIRST_ROWS}` : `Show all ${history.data.length}`}
        </button>
      ) : null}
    </>
  );
}

export default function MonitoringPage() {
  const timeseries = useTimeseries(MINUTES);
  const live = useLiveScaling();
  return (
    <>
      <PageHeader title="Monitoring">Throughput, duration, queue depth and scaling over the last {MINUTES} minutes.</PageHeader>
      <div className="space-y-4">
        <Card title="Now">
          <CurrentFigures />
        </Card>
        <MonitoringCharts
          data={timeseries.data}
          updatedAt={timeseries.dataUpdatedAt}
          isPending={timeseries.isPending}
          error={timeseries.error}
          retry={() => void timeseries.refetch()}
          live={live}
          minutes={MINUTES}
        />
        <Card title="Scaling events">
          <ScalingEvents />
        </Card>
      </div>
    </>
  );
}
