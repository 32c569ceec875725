// The dashboard (`/`): headline figures, the executions rate over the last 15 minutes and the
// newest finished runs, all kept live by the socket's cache invalidation.
import { memo, useMemo } from "react";
import { Card, ErrorState, Loading, PageHeader } from "@/components/ui";
import { useMetrics, useTimeseries } from "@/lib/metrics";
import { useCostToday } from "./api/dashboard";
import { LatestExecutions } from "./components/latest-executions";
import { RateChart } from "./components/rate-chart";
import { DurationCard, SummaryCards } from "./components/summary-cards";
import { timeWindow, toRateSeries } from "./lib/series";

const MINUTES = 15;

const RatePanel = memo(function RatePanel() {
  const timeseries = useTimeseries(MINUTES);
  const points = timeseries.data?.points;
  const bucket = timeseries.data?.bucketSeconds;
  const series = useMemo(() => toRateSeries(points, bucket), [points, bucket]);
  const updatedAt = timeseries.dataUpdatedAt;
  const span = useMemo(() => timeWindow(MINUTES, updatedAt || Date.now()), [updatedAt]);
  if (timeseries.isPending) return <Loading label="Loading the last 15 minutes…" />;
  if (timeseries.isError && !timeseries.data) return <ErrorState error={timeseries.error} retry={() => void timeseries.refetch()} />;
  return <RateChart series={series} minutes={MINUTES} span={span} />;
});

export default function DashboardPage() {
  const metrics = useMetrics();
  const costs = useCostToday();
  return (
    <>
      <PageHeader title="Dashboard">Live figures for every function on this system.</PageHeader>
      <div className="space-y-4">
        {metrics.isError ? <ErrorState error={metrics.error} retry={() => void metrics.refetch()} /> : null}
        {costs.isError ? <ErrorState error={costs.error} retry={() => void costs.refetch()} /> : null}
        <SummaryCards
          metrics={metrics.data}
          costs={costs.data}
          metricsLoading={metrics.isPending}
          costsLoading={costs.isPending}
        />
        <div className="grid grid-cols-1 gap-4 lg:grid-cols-3">
          <Card title="Executions per second" className="lg:col-span-2">
            <RatePanel />
          </Card>
          <DurationCard metrics={metrics.data} loading={metrics.isPending} />
        </div>
        <Card title="Latest executions">
          <LatestExecutions />
        </Card>
      </div>
    </>
  );
}
