// Completion of queued executions (mode "execute"): the 202 comes back at once, the result later
// as an `execution_completed`/`execution_failed` live message. The tracker matches those to the
// ids it waits for and, for ids not heard of within `missAfterMs`, asks the REST API, so a message
// lost to a reconnect never leaves the run hanging.
import type { WsMessage } from "@/lib/types";

export type Finish = {
  status: "completed" | "failed";
  /** Sandbox run time reported by the platform (ms), if known. */
  duration?: number | null;
  error?: string | null;
};

export interface Completion extends Finish {
  executionId: string;
  /** When the page learned of it (the tracker's clock, `performance.now()` by default). */
  at: number;
  via: "live" | "poll";
}

/** Looks an execution up; resolves to null while it has not finished. */
export type Poll = (executionId: string, signal: AbortSignal) => Promise<Finish | null>;

interface Waiting {
  resolve: (c: Completion) => void;
  reject: (e: unknown) => void;
  since: number;
  lastPoll: number;
  polling: boolean;
}

export interface TrackerOptions {
  poll: Poll;
  /** The run's signal: when it aborts, every wait rejects with an AbortError. */
  signal?: AbortSignal;
  now?: () => number;
  missAfterMs?: number;
  repollMs?: number;
  maxPollsInFlight?: number;
  /** How many early completions (heard before their 202 came back) to remember. */
  keepEarly?: number;
}

export function abortError(): DOMException {
  return new DOMException("The run was stopped", "AbortError");
}

export function finishOf(message: WsMessage): (Finish & { executionId: string }) | null {
  if (message.type !== "execution_completed" && message.type !== "execution_failed") return null;
  const data = message.data as { executionId?: unknown; duration?: unknown; error?: unknown };
  if (typeof data.executionId !== "string") return null;
  return {
    executionId: data.executionId,
    status: message.type === "execution_failed" ? "failed" : "completed",
    duration: typeof data.duration === "number" ? data.duration : null,
    error: typeof data.error === "string" ? data.error : null,
  };
}

export class CompletionTracker {
  private readonly waiting = new Map<string, Waiting>();
  private readonly early = new Map<string, Completion>();
  private readonly polls = new AbortController();
  private pollsInFlight = 0;
  private readonly now: () => number;
  private readonly options: Required<Omit<TrackerOptions, "now" | "signal">>;
  private readonly signal: AbortSignal | undefined;
  private readonly onAbort = () => this.stop();

  constructor(options: TrackerOptions) {
    this.now = options.now ?? (() => performance.now());
    this.options = {
      poll: options.poll,
      missAfterMs: options.missAfterMs ?? 3000,
      repollMs: options.repollMs ?? 2000,
      maxPollsInFlight: options.maxPollsInFlight ?? 8,
      keepEarly: options.keepEarly ?? 20_000,
    };
    // One listener for the whole run, not one per execution (a run can wait for 10,000).
    this.signal = options.signal;
    this.signal?.addEventListener("abort", this.onAbort, { once: true });
  }

  get pending(): number {
    return this.waiting.size;
  }

  /** Resolves when `executionId` finishes; rejects with an AbortError once the tracker stops. */
  wait(executionId: string): Promise<Completion> {
    const known = this.early.get(executionId);
    if (known) {
      this.early.delete(executionId);
      return Promise.resolve(known);
    }
    if (this.polls.signal.aborted) return Promise.reject(abortError());
    return new Promise<Completion>((resolve, reject) => {
      this.waiting.set(executionId, { resolve, reject, since: this.now(), lastPoll: -Infinity, polling: false });
    });
  }

  /** Feed a batch of live messages (from `useLiveBatches`). */
  handle(batch: WsMessage[]): void {
    const at = this.now();
    for (const message of batch) {
      const finish = finishOf(message);
      if (finish) this.finish({ ...finish, at, via: "live" });
    }
  }

  /** Ask the API about ids not heard of for a while; call this every second or so. */
  sweep(): void {
    const now = this.now();
    const { missAfterMs, repollMs, maxPollsInFlight, poll } = this.options;
    for (const [executionId, entry] of this.waiting) {
      if (this.pollsInFlight >= maxPollsInFlight) break;
      if (entry.polling || now - entry.since < missAfterMs || now - entry.lastPoll < repollMs) continue;
      entry.polling = true;
      this.pollsInFlight += 1;
      poll(executionId, this.polls.signal)
        .then((finish) => {
          if (finish) this.finish({ ...finish, executionId, at: this.now(), via: "poll" });
        })
        .catch(() => undefined) // a failed look-up is retried on a later sweep
        .finally(() => {
          this.pollsInFlight -= 1;
          entry.polling = false;
          entry.lastPoll = this.now();
        });
    }
  }

  /** Stop polling, reject every wait, forget everything. */
  stop(): void {
    this.signal?.removeEventListener("abort", this.onAbort);
    this.polls.abort();
    for (const entry of this.waiting.values()) entry.reject(abortError());
    this.waiting.clear();
    this.early.clear();
  }

  private finish(completion: Completion): void {
    const entry = this.waiting.get(completion.executionId);
    if (entry) {
      this.waiting.delete(completion.executionId);
      entry.resolve(completion);
      return;
    }
    // Heard before its 202 came back (or not ours): keep it briefly, bounded.
    if (this.early.has(completion.executionId)) return;
    this.early.set(completion.executionId, completion);
    if (this.early.size > this.options.keepEarly) this.early.delete(this.early.keys().next().value as string);
  }
}
