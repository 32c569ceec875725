// The Load test page (`/load-test`): fires N executions of a function, C at a time, queued or
// synchronous, and shows progress, latency percentiles, a histogram, scaling and what it cost.
import { useMemo, useState } from "react";
import { Link } from "react-router";
import { Card, ErrorState, PageHeader } from "@/components/ui";
import { useActiveFunctions, useScalingHistory } from "./api/loadtest";
import { LatencyHistogram } from "./components/LatencyHistogram";
import { LoadTestForm } from "./components/LoadTestForm";
import { ProgressPanel } from "./components/ProgressPanel";
import { ResultsPanel } from "./components/ResultsPanel";
import { RunCostPanel } from "./components/RunCostPanel";
import { ScalingEvents } from "./components/ScalingEvents";
import { useLoadTest } from "./hooks/useLoadTest";
import { DEFAULTS, validate, type FormErrors, type FormValues } from "./lib/form";
import { scalingInWindow } from "./lib/scaling";

export default function LoadTestPage() {
  const functions = useActiveFunctions();
  const test = useLoadTest();
  const [values, setValues] = useState<FormValues>(DEFAULTS);
  const [errors, setErrors] = useState<FormErrors>({});
  const running = test.phase === "running";
  const history = useScalingHistory(test.phase === "finished");

  const list = useMemo(() => functions.data ?? [], [functions.data]);
  // Pick the first active function until the user chooses one; drop a choice that went away.
  const chosen = list.some((f) => f.id === values.functionId) ? values.functionId : (list[0]?.id ?? "");
  const form = chosen === values.functionId ? values : { ...values, functionId: chosen };

  const scaling = useMemo(
    () => (test.runWindow ? scalingInWindow(test.liveScaling, history.data ?? [], test.runWindow) : []),
    [test.liveScaling, history.data, test.runWindow],
  );

  const start = () => {
    const checked = validate(form);
    if ("errors" in checked) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    test.start(checked.config);
  };

  return (
    <>
      <PageHeader title="Load test">Run a function many times at once and see latency, throughput, scaling and cost.</PageHeader>
      <div className="grid gap-4 lg:grid-cols-3">
        <Card title="Settings" className="lg:self-start">
          {functions.isError ? (
            <div className="mb-3">
              <ErrorState error={functions.error} retry={() => void functions.refetch()} />
            </div>
          ) : null}
          {functions.isSuccess && list.length === 0 ? (
            <p className="mb-3 text-sm text-slate-700">
              No active function to test.{" "}
              <Link to="/functions/new" className="font-medium text-indigo-700 underline">
                Create one
              </Link>
              .
            </p>
          ) : null}
          <LoadTestForm
            functions={list}
            functionsLoading={functions.isPending}
            values={form}
            errors={errors}
            running={running}
            onChange={setValues}
            onStart={start}
            onStop={test.stop}
          />
        </Card>
        <div className="min-w-0 space-y-4 lg:col-span-2">
          <Card title="Run progress">
            <ProgressPanel progress={test.progress} running={running} />
          </Card>
          {test.result ? (
            <>
              <Card title="Results">
                <ResultsPanel result={test.result} />
              </Card>
              <Card title="Latency histogram">
                <LatencyHistogram bins={test.result.histogram} />
              </Card>
            </>
          ) : null}
          {test.runWindow ? (
            <div className="grid gap-4 md:grid-cols-2">
              <Card title="Scaling during the run">
                <ScalingEvents events={scaling} running={running} />
              </Card>
              <Card title="Cost of the run">
                {test.result ? <RunCostPanel cost={test.cost} pending={test.costPending} error={test.costError} /> : <p className="text-sm text-slate-600">Totalled when the run ends.</p>}
              </Card>
            </div>
          ) : null}
        </div>
      </div>
    </>
  );
}
