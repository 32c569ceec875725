// Scaling decisions as they arrive on the socket, kept here (not in the shared 200-message feed)
// so a burst of execution events cannot push them out. Re-renders only when a decision arrives.
import { useCallback, useState } from "react";
import { useLiveBatches } from "@/lib/live";
import type { WsMessage } from "@/lib/types";
import type { ScalingEvent } from "../api/monitoring";

const KEEP = 200;

export function scalingEvents(batch: WsMessage[]): ScalingEvent[] {
  const events: ScalingEvent[] = [];
  for (const message of batch) {
    if (message.type !== "scaling_event") continue;
    const d = message.data as Partial<ScalingEvent>;
    if (typeof d.instanceCount !== "number") continue;
    events.push({
      action: String(d.action ?? "scale"),
      instanceCount: d.instanceCount,
      previousCount: d.previousCount ?? null,
      queueLength: d.queueLength ?? null,
      reason: d.reason ?? null,
      timestamp: typeof d.timestamp === "string" ? d.timestamp : message.timestamp,
    });
  }
  return events;
}

export function useLiveScaling(): ScalingEvent[] {
  const [events, setEvents] = useState<ScalingEvent[]>([]);
  const onBatch = useCallback((batch: WsMessage[]) => {
    const fresh = scalingEvents(batch);
    if (fresh.length) setEvents((previous) => [...previous, ...fresh].slice(-KEEP));
  }, []);
  useLiveBatches(onBatch);
  return events;
}
