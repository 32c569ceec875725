// The load test as React state: starts and stops a LoadRun, feeds it the live socket's batches,
// and copies its progress into state at most five times a second (a run of 10,000 executions must
// not render 10,000 times). The run's cost is totalled once it has finished.
import { useCallback, useEffect, useRef, useState } from "react";
import { useLiveBatches } from "@/lib/live";
import { execute, getExecution, invoke } from "../api/loadtest";
import type { RunCost } from "../lib/cost";
import { LoadRun, type Progress, type RunDeps, type RunResult } from "../lib/engine";
import type { RunConfig } from "../lib/form";
import type { ScalingRecord } from "../api/loadtest";

export type Phase = "idle" | "running" | "finished";

const TICK_MS = 200;

const defaultDeps: RunDeps = { invoke, execute, getExecution };

export interface LoadTest {
  phase: Phase;
  progress: Progress | null;
  result: RunResult | null;
  cost: RunCost | null;
  /** True while the cost is still being totalled (`cost` may hold a partial sum meanwhile). */
  costPending: boolean;
  costError: string | null;
  /** Scaling events heard while the run was going. */
  liveScaling: ScalingRecord[];
  runWindow: { start: number; end: number | null } | null;
  start: (config: RunConfig) => void;
  stop: () => void;
}

export function useLoadTest(deps: RunDeps = defaultDeps): LoadTest {
  const runRef = useRef<LoadRun | null>(null);
  const costAbort = useRef<AbortController | null>(null);
  const [phase, setPhase] = useState<Phase>("idle");
  const [progress, setProgress] = useState<Progress | null>(null);
  const [result, setResult] = useState<RunResult | null>(null);
  const [cost, setCost] = useState<RunCost | null>(null);
  const [costPending, setCostPending] = useState(false);
  const [costError, setCostError] = useState<string | null>(null);
  const [liveScaling, setLiveScaling] = useState<ScalingRecord[]>([]);
  const [runWindow, setRunWindow] = useState<{ start: number; end: number | null } | null>(null);

  useLiveBatches((batch) => runRef.current?.handle(batch));

  // Leaving the page stops the run (requests in flight are aborted).
  useEffect(
    () => () => {
      runRef.current?.stop();
      costAbort.current?.abort();
    },
    [],
  );

  const start = useCallback(
    (config: RunConfig) => {
      if (runRef.current?.running) return;
      costAbort.current?.abort();
      const run = new LoadRun(config, deps);
      runRef.current = run;
      setPhase("running");
      setResult(null);
      setCost(null);
      setCostPending(false);
      setCostError(null);
      setLiveScaling([]);
      setRunWindow({ start: run.startedAt, end: null });
      setProgress(run.snapshot());
      const tick = setInterval(() => {
        if (runRef.current !== run) return;
        setProgress(run.snapshot());
        setLiveScaling((prev) => (prev.length === run.scaling.length ? prev : [...run.scaling]));
      }, TICK_MS);
      void run.done
        .catch(() => undefined)
        .then(async () => {
          clearInterval(tick);
          if (runRef.current !== run) return;
          setProgress(run.snapshot());
          setLiveScaling([...run.scaling]);
          setResult(run.result());
          setRunWindow({ start: run.startedAt, end: run.endedAt });
          setPhase("finished");
          const abort = new AbortController();
          costAbort.current = abort;
          const current = () => runRef.current === run && !abort.signal.aborted;
          setCostPending(true);
          try {
            const total = await run.cost({ signal: abort.signal, onUpdate: (partial) => current() && setCost(partial) });
            if (current()) setCost(total);
          } catch (error) {
            if (current()) setCostError(error instanceof Error ? error.message : String(error));
          } finally {
            if (current()) setCostPending(false);
          }
        });
    },
    [deps],
  );

  const stop = useCallback(() => runRef.current?.stop(), []);

  return { phase, progress, result, cost, costPending, costError, liveScaling, runWindow, start, stop };
}
