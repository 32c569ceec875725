// The three monitoring charts over the last minutes: throughput, duration percentiles, and queue
// depth against instance count (server samples plus the scaling decisions seen live).
import { useMemo, type ReactNode } from "react";
import { Card, EmptyState, ErrorState, Loading } from "@/components/ui";
import { count, ms } from "@/lib/format";
import type { Timeseries } from "@/lib/metrics";
import type { ScalingEvent } from "../api/monitoring";
import { useStableRows } from "../hooks/use-stable-rows";
import { latest, perSecond, timeWindow, toCapacity, toLatency, toThroughput } from "../lib/series";
import { TimeChart, type Series } from "./time-chart";

const RATE: Series[] = [{ key: "rate", name: "Executions/s", color: "#4f46e5" }];
const LATENCY: Series[] = [
  { key: "p50", name: "p50", color: "#0f766e", dots: true },
  { key: "p99", name: "p99", color: "#c2410c", dots: true },
];
// The queue can run to hundreds while instances stay at most 10: two axes keep both readable.
const CAPACITY: Series[] = [
  { key: "queue", name: "Queue depth", color: "#b45309", step: true },
  { key: "instances", name: "Instances (right axis)", color: "#4f46e5", step: true, right: true },
];

const formatCount = (v: number) => count(v);
const tickCount = (v: number) => String(v);
const tickMs = (v: number) => (v >= 1000 ? `${+(v / 1000).toFixed(1)}s` : `${+v.toFixed(1)}ms`);
const tickRate = (v: number) => `${+v.toFixed(2)}/s`;

interface Props {
  data: Timeseries | undefined;
  updatedAt: number;
  isPending: boolean;
  error: Error | null;
  retry: () => void;
  live: ScalingEvent[];
  minutes: number;
}

export function MonitoringCharts({ data, updatedAt, isPending, error, retry, live, minutes }: Props) {
  // Keyed on the parts, not on `data`: the query keeps an unchanged part's identity across
  // refetches, so a chart whose rows did not change does not redraw.
  const bucket = data?.bucketSeconds ?? 60;
  const points = data?.points;
  const queue = data?.queue;
  const throughput = useStableRows(useMemo(() => toThroughput(points, bucket), [points, bucket]));
  const latency = useStableRows(useMemo(() => toLatency(points, bucket), [points, bucket]));
  const span = useMemo(() => timeWindow(minutes, updatedAt || Date.now()), [minutes, updatedAt]);
  const since = span.domain[0];
  const capacity = useStableRows(useMemo(() => toCapacity(queue, live, since), [queue, live, since]));

  const body = (chart: ReactNode, empty: boolean, emptyText: string) => {
    if (isPending) return <Loading label="Loading the timeseries…" />;
    if (error && !data) return <ErrorState error={error} retry={retry} />;
    return empty ? <EmptyState>{emptyText}</EmptyState> : chart;
  };

  const runs = throughput.reduce((sum, r) => sum + r.completed + r.failed, 0);
  const noRuns = `No executions in the last ${minutes} minutes.`;
  const lastRate = latest(throughput);
  const lastLatency = [...latency].reverse().find((r) => r.p50 !== null || r.p99 !== null);
  const lastCapacity = latest(capacity);
  const peakRate = throughput.reduce((max, r) => Math.max(max, r.rate), 0);
  const peakQueue = capacity.reduce((max, r) => Math.max(max, r.queue), 0);

  return (
    <div className="grid grid-cols-1 gap-4 xl:grid-cols-2">
      <Card title="Executions per second">
        {body(
          <TimeChart
            rows={throughput}
            span={span}
            series={RATE}
            format={perSecond}
            tickFormat={tickRate}
            label={`Executions per second over the last ${minutes} minutes: latest ${perSecond(lastRate?.rate)}, peak ${perSecond(peakRate)}, ${count(runs)} runs.`}
          />,
          runs === 0,
          noRuns,
        )}
      </Card>
      <Card title="Duration p50 and p99">
        {body(
          <TimeChart
            rows={latency}
            span={span}
            series={LATENCY}
            format={ms}
            tickFormat={tickMs}
            label={`Execution duration over the last ${minutes} minutes: latest minute p50 ${ms(lastLatency?.p50)}, p99 ${ms(lastLatency?.p99)}.`}
          />,
          runs === 0,
          noRuns,
        )}
      </Card>
      <Card title="Queue depth and instances" className="xl:col-span-2">
        {body(
          <TimeChart
            rows={capacity}
            span={span}
            series={CAPACITY}
            format={formatCount}
            tickFormat={tickCount}
            allowDecimals={false}
            label={`Queue depth and instance count over the last ${minutes} minutes: now ${count(lastCapacity?.queue)} queued on ${count(lastCapacity?.instances)} instances, peak queue ${count(peakQueue)}.`}
          />,
          capacity.length === 0,
          `No queue samples in the last ${minutes} minutes.`,
        )}
      </Card>
    </div>
  );
}
