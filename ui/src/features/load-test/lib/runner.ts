// A concurrency-limited loop: runs `total` tasks with never more than `concurrency` in flight,
// stops starting new ones once `signal` aborts, and counts what succeeded and what failed.

export interface PoolOutcome {
  /** Tasks that were started. */
  started: number;
  succeeded: number;
  failed: number;
  /** Tasks that were in flight when the run was stopped and ended by the abort. */
  cancelled: number;
  aborted: boolean;
}

export interface PoolOptions<T> {
  total: number;
  concurrency: number;
  signal?: AbortSignal;
  /** One unit of work; a rejection counts as a failure (unless the run was aborted). */
  task: (index: number, signal: AbortSignal) => Promise<T>;
  onSettled?: (result: { index: number; ok: true; value: T } | { index: number; ok: false; error: unknown }) => void;
}

export async function runPool<T>({ total, concurrency, signal, task, onSettled }: PoolOptions<T>): Promise<PoolOutcome> {
  const inner = new AbortController();
  const forward = () => inner.abort(signal?.reason);
  if (signal?.aborted) forward();
  else signal?.addEventListener("abort", forward, { once: true });

  const outcome: PoolOutcome = { started: 0, succeeded: 0, failed: 0, cancelled: 0, aborted: false };
  let next = 0;

  async function worker(): Promise<void> {
    while (next < total && !inner.signal.aborted) {
      const index = next++;
      outcome.started += 1;
      try {
        const value = await task(index, inner.signal);
        outcome.succeeded += 1;
        onSettled?.({ index, ok: true, value });
      } catch (error) {
        if (inner.signal.aborted) {
          outcome.cancelled += 1;
        } else {
          outcome.failed += 1;
          onSettled?.({ index, ok: false, error });
        }
      }
    }
  }

  const width = Math.max(1, Math.min(Math.floor(concurrency) || 1, total));
  try {
    await Promise.all(Array.from({ length: total > 0 ? width : 0 }, worker));
  } finally {
    signal?.removeEventListener("abort", forward);
  }
  outcome.aborted = inner.signal.aborted;
  return outcome;
}
