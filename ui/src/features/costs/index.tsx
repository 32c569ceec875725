// The Costs page (`/costs`): the system total and its parts, the hourly trend, costs per function
// and per tier for a date range, and the ledger audit on demand.
import { useMemo, useState } from "react";
import { Card, ErrorState, Loading, PageHeader } from "@/components/ui";
import { useCostAudit, useCostTrends, useSystemCosts } from "./api/costs";
import { AuditStatus } from "./components/AuditStatus";
import { CostSummary } from "./components/CostSummary";
import { FunctionCostTable } from "./components/FunctionCostTable";
import { HourlyCostChart } from "./components/HourlyCostChart";
import { RangeForm } from "./components/RangeForm";
import { TierSplit } from "./components/TierSplit";
import { hasParts, hourRows } from "./lib/hours";
import { last24h, lastDays, toRange, type RangeInputs } from "./lib/range";
import { splitByTier } from "./lib/tiers";

const PRESETS = [
  { label: "Last 24 h", value: () => last24h() },
  { label: "Last 7 days", value: () => lastDays(7) },
  { label: "All time", value: (): RangeInputs => ({ from: "", to: "" }) },
];

export default function CostsPage() {
  const [inputs, setInputs] = useState<RangeInputs>(() => last24h());
  const parsed = toRange(inputs);
  const valid = "range" in parsed;
  // Keep the last valid range while the user is halfway through typing a date.
  const [range, setRange] = useState(() => ("range" in parsed ? parsed.range : { start: null, end: null }));
  if (valid && (parsed.range.start !== range.start || parsed.range.end !== range.end)) setRange(parsed.range);

  const system = useSystemCosts(range);
  const trends = useCostTrends(range);
  const audit = useCostAudit();

  const tiers = useMemo(() => splitByTier(system.data?.functionCosts ?? []), [system.data]);
  const rows = useMemo(
    () => (trends.data ? hourRows(trends.data.hourly, trends.data.from, trends.data.to) : []),
    [trends.data],
  );

  return (
    <>
      <PageHeader title="Costs">What the platform billed: executions, scaling events and stored code, exact to the last digit.</PageHeader>
      <div className="space-y-4">
        <Card title="Date range">
          <RangeForm
            value={inputs}
            onChange={setInputs}
            presets={PRESETS}
            error={"error" in parsed ? { message: parsed.error, field: parsed.field } : null}
          />
        </Card>

        {system.isPending ? (
          <Loading label="Loading costs…" />
        ) : system.isError ? (
          <ErrorState error={system.error} retry={() => void system.refetch()} />
        ) : (
          <CostSummary costs={system.data} />
        )}

        <Card title="Hourly cost">
          {trends.isPending ? (
            <Loading label="Loading hourly costs…" />
          ) : trends.isError ? (
            <ErrorState error={trends.error} retry={() => void trends.refetch()} />
          ) : (
            <HourlyCostChart rows={rows} stacked={hasParts(trends.data.hourly)} />
          )}
        </Card>

        <div className="grid gap-4 lg:grid-cols-3">
          <Card title="Cost per function" className="lg:col-span-2">
            {system.isPending ? (
              <Loading />
            ) : system.isError ? (
              <ErrorState error={system.error} />
            ) : (
              <FunctionCostTable rows={system.data.functionCosts} total={system.data.totalExecutionCost} />
            )}
          </Card>
          <Card title="Cost per tier">
            {system.isPending ? <Loading /> : system.isError ? <ErrorState error={system.error} /> : <TierSplit tiers={tiers} />}
          </Card>
        </div>

        <Card title="Ledger audit">
          <AuditStatus
            audit={audit.data}
            pending={audit.isPending}
            error={audit.error}
            checkedAt={audit.data ? audit.submittedAt : null}
            onVerify={() => audit.mutate()}
          />
        </Card>
      </div>
    </>
  );
}
