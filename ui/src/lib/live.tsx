// The live connection shared by every page: status, batched messages, and a bounded feed. It signs
// in with the session's key and reconnects whenever that key changes.
import { createContext, useContext, useEffect, useMemo, useRef, useState, useSyncExternalStore, type ReactNode } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { Feed } from "@/lib/feed";
import { ThrottledInvalidator } from "@/lib/live-cache";
import { session } from "@/lib/session";
import type { WsMessage } from "@/lib/types";
import { LiveSocket, type LiveStatus } from "@/lib/ws";

interface Live {
  socket: LiveSocket;
  feed: Feed;
}

const LiveContext = createContext<Live | null>(null);

export function LiveProvider({ children, socket: given }: { children: ReactNode; socket?: LiveSocket }) {
  const client = useQueryClient();
  const live = useMemo<Live>(() => ({ socket: given ?? new LiveSocket({ token: () => session.key }), feed: new Feed(200) }), [given]);
  useEffect(() => {
    const invalidator = new ThrottledInvalidator(client);
    const offFeed = live.socket.subscribe((batch) => live.feed.push(batch));
    const offCache = live.socket.subscribe((batch) => invalidator.handle(batch));
    live.socket.start();
    const offKey = session.onKeyChange(() => live.socket.reconnect());
    return () => {
      offKey();
      offFeed();
      offCache();
      invalidator.stop();
      live.socket.stop();
    };
  }, [client, live]);
  return <LiveContext.Provider value={live}>{children}</LiveContext.Provider>;
}

function useLive(): Live {
  const live = useContext(LiveContext);
  if (!live) throw new Error("useLive needs <LiveProvider>");
  return live;
}

export function useLiveStatus(): LiveStatus {
  const { socket } = useLive();
  const [status, setStatus] = useState(socket.status);
  useEffect(() => {
    setStatus(socket.status);
    return socket.onStatus(setStatus);
  }, [socket]);
  return status;
}

/** The newest live messages (newest first), optionally filtered; re-renders once per batch. */
export function useLiveFeed(filter?: (message: WsMessage) => boolean, limit = 50): WsMessage[] {
  const { feed } = useLive();
  const items = useSyncExternalStore(feed.subscribe, feed.snapshot, feed.snapshot);
  return useMemo(() => (filter ? items.filter(filter) : items).slice(0, limit), [items, filter, limit]);
}

/** Call `handler` with every batch of live messages (for pages that fold events themselves). */
export function useLiveBatches(handler: (batch: WsMessage[]) => void): void {
  const { socket } = useLive();
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => socket.subscribe((batch) => ref.current(batch)), [socket]);
}
