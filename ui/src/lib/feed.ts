// A bounded, newest-first list of live messages that components read with useSyncExternalStore.
import type { WsMessage } from "./types";

export class Feed {
  private items: WsMessage[] = [];
  private readonly listeners = new Set<() => void>();

  constructor(private readonly limit = 200) {}

  push(batch: WsMessage[]): void {
    if (batch.length === 0) return;
    this.items = [...batch.slice().reverse(), ...this.items].slice(0, this.limit);
    for (const listener of this.listeners) listener();
  }

  snapshot = (): WsMessage[] => this.items;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
}
