// A live tail of one function's runs: started / completed / failed as they happen, with the
// logs of each run once its record is in (the WebSocket messages do not carry logs).
import { Link } from "react-router";
import { StatusBadge } from "@/components/ui";
import { json, ms } from "@/lib/format";
import type { WsMessage } from "@/lib/types";

interface RunMessage {
  executionId?: string;
  status?: string;
  duration?: number;
  coldStart?: boolean;
  coldStarts?: number;
  attempt?: number;
  instanceId?: string;
  output?: unknown;
  error?: string | null;
}

const LABEL: Record<string, string> = {
  execution_started: "running",
  execution_completed: "completed",
  execution_failed: "failed",
};

export function LiveTail({ messages, logsByExecution }: { messages: WsMessage[]; logsByExecution: Map<string, string[]> }) {
  if (messages.length === 0) {
    return <p className="text-sm text-slate-600">Waiting for runs… Run the function or call its URL and each run shows up here as it happens.</p>;
  }
  return (
    <ol className="max-h-96 space-y-2 overflow-y-auto text-sm" aria-label="Live runs">
      {messages.map((message, index) => {
        const data = message.data as RunMessage;
        const id = data.executionId ?? "";
        const logs = message.type === "execution_started" ? undefined : logsByExecution.get(id);
        const time = new Date(message.timestamp);
        return (
          <li key={`${id}-${message.type}-${index}`} className="min-w-0 rounded border border-slate-200 bg-white p-2">
            <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
              <time dateTime={message.timestamp} className="font-mono text-xs text-slate-600">
                {Number.isNaN(time.getTime()) ? "" : time.toLocaleTimeString()}
              </time>
              <StatusBadge status={LABEL[message.type] ?? message.type} />
              <Link to={`/executions/${id}`} className="font-mono text-xs text-indigo-700 underline">
                {id.slice(0, 8)}
              </Link>
              <span className="text-xs text-slate-700">
                {message.type === "execution_started"
                  ? `attempt ${data.attempt ?? 1} on ${data.instanceId ?? "?"} (${data.coldStart ? "cold" : "warm"})`
                  : `${ms(data.duration)}${data.coldStarts ? " · cold" : " · warm"}`}
              </span>
            </div>
            {message.type === "execution_completed" ? (
              <pre className="mt-1 truncate font-mono text-xs text-slate-800">→ {json(data.output).replace(/\s+/g, " ")}</pre>
            ) : null}
            {message.type === "execution_failed" && data.error ? (
              <pre className="mt-1 font-mono text-xs whitespace-pre-wrap break-words text-red-800">{data.error}</pre>
            ) : null}
            {logs && logs.length ? (
              <pre className="mt-1 max-h-32 overflow-auto rounded bg-slate-900 p-1.5 font-mono text-xs whitespace-pre-wrap break-words text-slate-100">
                {logs.join("\n")}
              </pre>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}
