// Which cached queries a live message makes stale. Every feature's query keys start with one of
// these roots, so this one table keeps every page fresh without features knowing each other.
import type { QueryClient } from "@tanstack/react-query";
import type { WsMessage } from "./types";

export const ROOTS = {
  functions: "functions",
  executions: "executions",
  metrics: "metrics",
  costs: "costs",
  scaling: "scaling",
} as const;

const STALE_BY_TYPE: Record<string, string[]> = {
  execution_started: [ROOTS.executions, ROOTS.metrics],
  execution_completed: [ROOTS.executions, ROOTS.metrics, ROOTS.functions],
  execution_failed: [ROOTS.executions, ROOTS.metrics, ROOTS.functions],
  cost_update: [ROOTS.costs, ROOTS.executions],
  scaling_event: [ROOTS.scaling, ROOTS.metrics, ROOTS.costs],
  function_created: [ROOTS.functions, ROOTS.metrics],
  function_updated: [ROOTS.functions],
  function_deleted: [ROOTS.functions, ROOTS.metrics],
};

export function staleRoots(batch: WsMessage[]): Set<string> {
  const roots = new Set<string>();
  for (const message of batch) for (const root of STALE_BY_TYPE[message.type] ?? []) roots.add(root);
  return roots;
}

/**
 * Invalidate at most once per `minGapMs` per root: during a burst the pages refetch about once a
 * second (a trailing call catches the last events), never once per event.
 */
export class ThrottledInvalidator {
  private last = new Map<string, number>();
  private pending = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(
    private readonly client: QueryClient,
    private readonly minGapMs = 1000,
    private readonly now: () => number = () => Date.now(),
  ) {}

  handle(batch: WsMessage[]): void {
    for (const root of staleRoots(batch)) this.invalidate(root);
  }

  private invalidate(root: string): void {
    if (this.pending.has(root)) return;
    const wait = (this.last.get(root) ?? -Infinity) + this.minGapMs - this.now();
    if (wait <= 0) {
      this.fire(root);
      return;
    }
    this.pending.set(
      root,
      setTimeout(() => {
        this.pending.delete(root);
        this.fire(root);
      }, wait),
    );
  }

  private fire(root: string): void {
    this.last.set(root, this.now());
    void this.client.invalidateQueries({ queryKey: [root] });
  }

  stop(): void {
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }
}
