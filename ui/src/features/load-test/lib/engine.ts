// One load-test run, outside React: drives the requests through the pool, times every execution,
// listens to live messages for completions, costs and scaling, and reports on demand. The page's
// hook reads `snapshot()` a few times a second, so even 10,000 executions cost a few renders.
import type { ExecutionRecord, WsMessage } from "@/lib/types";
import type { InvokeResult, Queued, ScalingRecord } from "../api/loadtest";
import { CostBook, type RunCost } from "./cost";
import type { RunConfig } from "./form";
import { runPool, type PoolOutcome } from "./runner";
import { histogram, recentRate, summarize, type Bin, type LatencySummary } from "./stats";
import { CompletionTracker, type Finish } from "./tracker";

export interface RunDeps {
  invoke: (functionId: string, input: unknown, signal: AbortSignal) => Promise<InvokeResult>;
  execute: (functionId: string, input: unknown, signal: AbortSignal) => Promise<Queued>;
  getExecution: (executionId: string, signal: AbortSignal) => Promise<ExecutionRecord>;
  /** A monotonic clock in ms (latencies). */
  now?: () => number;
  /** The wall clock in ms (the run window, compared with the server's timestamps). */
  clock?: () => number;
  sweepMs?: number;
  /** When to start asking the API about an execution not heard of (ms; default 3000). */
  missAfterMs?: number;
}

export interface Progress {
  total: number;
  finished: number;
  succeeded: number;
  failed: number;
  percent: number;
  /** Completions per second over the last few seconds. */
  throughput: number;
  elapsedMs: number;
}

export interface RunResult {
  config: RunConfig;
  startedAt: number;
  endedAt: number;
  durationMs: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  stopped: boolean;
  /** Finished executions per second over the whole run. */
  throughput: number;
  latency: LatencySummary;
  runTime: LatencySummary;
  histogram: Bin[];
  errors: { message: string; count: number }[];
  executionIds: string[];
}

function finishOfRecord(record: ExecutionRecord): Finish | null {
  if (record.status !== "completed" && record.status !== "failed") return null;
  const error = typeof record.error === "string" ? record.error : (record.error?.message ?? null);
  return { status: record.status, duration: record.duration ?? null, error };
}

export class LoadRun {
  readonly startedAt: number;
  endedAt: number | null = null;
  readonly latencies: number[] = [];
  readonly runTimes: number[] = [];
  readonly finishTimes: number[] = [];
  readonly executionIds: string[] = [];
  readonly scaling: ScalingRecord[] = [];
  readonly costs = new CostBook();
  readonly done: Promise<PoolOutcome>;
  private outcome: PoolOutcome | null = null;
  private succeeded = 0;
  private failed = 0;
  private readonly errors = new Map<string, number>();
  private readonly outstanding: Promise<void>[] = [];
  private abandoned = 0;
  private readonly controller = new AbortController();
  private readonly tracker: CompletionTracker | null;
  private readonly now: () => number;
  private readonly clock: () => number;
  private readonly startPerf: number;
  private endPerf: number | null = null;

  constructor(
    readonly config: RunConfig,
    private readonly deps: RunDeps,
  ) {
    this.now = deps.now ?? (() => performance.now());
    this.clock = deps.clock ?? (() => Date.now());
    this.startedAt = this.clock();
    this.startPerf = this.now();
    this.tracker =
      config.mode === "execute"
        ? new CompletionTracker({
            now: this.now,
            signal: this.controller.signal,
            missAfterMs: deps.missAfterMs,
            poll: async (id, signal) => {
              const record = await deps.getExecution(id, signal);
              if (record.cost) this.costs.add(id, record.cost);
              return finishOfRecord(record);
            },
          })
        : null;
    this.done = this.run();
  }

  get running(): boolean {
    return this.endedAt === null;
  }

  stop(): void {
    this.controller.abort();
  }

  /** Feed live messages: completions (mode execute), costs, scaling events. */
  handle(batch: WsMessage[]): void {
    if (this.running) this.tracker?.handle(batch);
    this.costs.handle(batch);
    if (!this.running) return;
    for (const message of batch) {
      if (message.type === "scaling_event") this.scaling.push(message.data as unknown as ScalingRecord);
    }
  }

  snapshot(): Progress {
    const total = this.config.executions;
    const finished = this.succeeded + this.failed;
    const now = this.endPerf ?? this.now();
    return {
      total,
      finished,
      succeeded: this.succeeded,
      failed: this.failed,
      percent: total ? Math.floor((finished / total) * 100) : 0,
      throughput: recentRate(this.finishTimes, now, this.startPerf),
      elapsedMs: now - this.startPerf,
    };
  }

  result(): RunResult {
    const durationMs = (this.endPerf ?? this.now()) - this.startPerf;
    const finished = this.succeeded + this.failed;
    return {
      config: this.config,
      startedAt: this.startedAt,
      endedAt: this.endedAt ?? this.clock(),
      durationMs,
      succeeded: this.succeeded,
      failed: this.failed,
      cancelled: (this.outcome?.cancelled ?? 0) + this.abandoned,
      stopped: this.outcome?.aborted ?? false,
      throughput: durationMs > 0 ? finished / (durationMs / 1000) : 0,
      latency: summarize(this.latencies),
      runTime: summarize(this.runTimes),
      histogram: histogram(this.latencies),
      errors: [...this.errors.entries()].map(([message, count]) => ({ message, count })).sort((a, b) => b.count - a.count),
      executionIds: this.executionIds,
    };
  }

  /**
   * The run's cost: waits up to `waitMs` for late live costs, then asks the API for the ones still
   * missing (at most `maxLookups` per round, `parallel` at a time) for up to `rounds` rounds, since
   * billing may lag behind a burst. Sums exactly what it has; `onUpdate` sees each partial sum.
   */
  async cost({
    waitMs = 3000,
    rounds = 3,
    roundGapMs = 2000,
    maxLookups = 500,
    parallel = 6,
    signal,
    onUpdate,
  }: {
    waitMs?: number;
    rounds?: number;
    roundGapMs?: number;
    maxLookups?: number;
    parallel?: number;
    signal?: AbortSignal;
    onUpdate?: (partial: RunCost) => void;
  } = {}): Promise<RunCost> {
    const ids = this.executionIds;
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const deadline = this.now() + waitMs;
    while (this.costs.missing(ids).length && this.now() < deadline && !signal?.aborted) await sleep(250);
    for (let round = 0; round < rounds && !signal?.aborted; round++) {
      const missing = this.costs.missing(ids).slice(0, maxLookups);
      if (missing.length === 0) break;
      onUpdate?.(this.costs.total(ids));
      if (round > 0) await sleep(roundGapMs);
      await runPool({
        total: missing.length,
        concurrency: parallel,
        signal,
        task: async (i, s) => {
          if (this.costs.has(missing[i])) return; // heard live meanwhile
          const record = await this.deps.getExecution(missing[i], s);
          if (record.cost) this.costs.add(missing[i], record.cost);
        },
      });
    }
    return this.costs.total(ids);
  }

  private record(latency: number, runTime: number | null | undefined): void {
    this.latencies.push(latency);
    if (typeof runTime === "number" && Number.isFinite(runTime)) this.runTimes.push(runTime);
    this.finishTimes.push(this.now());
  }

  private noteError(message: string): void {
    this.errors.set(message, (this.errors.get(message) ?? 0) + 1);
  }

  private finished(latency: number, finish: Finish): void {
    this.record(latency, finish.duration);
    if (finish.status === "completed") this.succeeded += 1;
    else {
      this.failed += 1;
      this.noteError(finish.error ?? "execution failed");
    }
  }

  /**
   * One request. Mode invoke: the request is the execution. Mode execute: the request queues it
   * (202) and frees its slot; its completion is awaited outside the pool, so Concurrency bounds the
   * requests in flight and the queue really fills, as it would under many clients.
   */
  private async one(signal: AbortSignal): Promise<void> {
    const { functionId, input, mode } = this.config;
    const sent = this.now();
    if (mode === "invoke") {
      const res = await this.deps.invoke(functionId, input, signal);
      this.executionIds.push(res.executionId);
      const status = res.status === "completed" ? "completed" : "failed";
      this.finished(this.now() - sent, { status, duration: res.duration, error: res.error ?? (status === "failed" ? `execution ${res.status}` : null) });
      return;
    }
    const queued = await this.deps.execute(functionId, input, signal);
    this.executionIds.push(queued.executionId);
    this.outstanding.push(
      this.tracker!.wait(queued.executionId).then(
        (done) => this.finished(done.at - sent, done),
        () => {
          this.abandoned += 1;
        },
      ),
    );
  }

  private async run(): Promise<PoolOutcome> {
    const sweeper = this.tracker ? setInterval(() => this.tracker?.sweep(), this.deps.sweepMs ?? 1000) : null;
    try {
      this.outcome = await runPool({
        total: this.config.executions,
        concurrency: this.config.concurrency,
        signal: this.controller.signal,
        task: (_, signal) => this.one(signal),
        // Only a request that failed lands here (a 4xx/5xx, the gateway unreachable).
        onSettled: (r) => {
          if (r.ok) return;
          this.failed += 1;
          this.noteError(r.error instanceof Error ? r.error.message : String(r.error));
        },
      });
      await Promise.all(this.outstanding);
      return this.outcome;
    } finally {
      if (sweeper) clearInterval(sweeper);
      this.tracker?.stop();
      this.endPerf = this.now();
      this.endedAt = this.clock();
    }
  }
}
