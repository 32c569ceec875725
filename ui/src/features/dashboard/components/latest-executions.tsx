// A live list of the newest finished runs. It is the only part of the page that re-renders per
// socket batch (a few times a second at most), and it keeps to a couple of dozen rows.
import { memo, useMemo } from "react";
import { Link } from "react-router";
import { EmptyState, ErrorState, Loading, StatusBadge } from "@/components/ui";
import { money, ms } from "@/lib/format";
import { useLiveFeed } from "@/lib/live";
import { useRecentExecutions } from "../api/dashboard";
import { isFinishedOrCost, latestRows, type LatestRow } from "../lib/latest";
import { clockSeconds } from "../lib/series";

export const FEED_ROWS = 20;
// REST rows include pending and running runs, which the feed skips: ask for more than it shows.
const RECENT_LIMIT = 50;

function time(iso: string | null): string {
  if (!iso) return "";
  const t = Date.parse(iso);
  return Number.isNaN(t) ? "" : clockSeconds(t);
}

const sameRow = (a: { row: LatestRow }, b: { row: LatestRow }) =>
  a.row.id === b.row.id && a.row.status === b.row.status && a.row.duration === b.row.duration && a.row.cost === b.row.cost && a.row.at === b.row.at && a.row.functionName === b.row.functionName;

const Row = memo(function Row({ row }: { row: LatestRow }) {
  return (
    <li>
      <Link
        to={`/executions/${row.id}`}
        className="flex flex-wrap items-center gap-x-3 gap-y-0.5 rounded-md px-2 py-2 text-sm hover:bg-slate-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
      >
        <span className="flex min-w-0 basis-full items-center gap-2 sm:flex-1 sm:basis-0">
          <span className="min-w-0 flex-1 truncate font-medium text-indigo-700">{row.functionName}</span>
          <StatusBadge status={row.status} />
        </span>
        <span className="flex flex-wrap gap-x-3 text-xs tabular-nums text-slate-700 sm:text-sm">
          <span className="sm:w-20 sm:text-right">{ms(row.duration)}</span>
          <span className={`sm:w-24 sm:text-right ${row.cost === null ? "hidden sm:inline" : ""}`}>{row.cost === null ? "—" : money(row.cost)}</span>
          <time dateTime={row.at ?? undefined} className="text-slate-600 sm:w-20 sm:text-right">
            {time(row.at)}
          </time>
        </span>
      </Link>
    </li>
  );
}, sameRow);

export const LatestExecutions = memo(function LatestExecutions() {
  // The whole bounded feed (200 messages), so a cost_update can find its run; rows stay at 20.
  const live = useLiveFeed(isFinishedOrCost, 200);
  const liveRows = useMemo(() => latestRows(live, undefined, FEED_ROWS), [live]);
  // REST fills the list until the socket alone has enough rows; then the query switches off.
  const recent = useRecentExecutions(RECENT_LIMIT, liveRows.length < FEED_ROWS);
  const rows = useMemo(() => latestRows(live, recent.data, FEED_ROWS), [live, recent.data]);
  if (rows.length === 0) {
    if (recent.isPending && recent.fetchStatus !== "idle") return <Loading label="Loading executions…" />;
    if (recent.isError) return <ErrorState error={recent.error} retry={() => void recent.refetch()} />;
    return <EmptyState>No executions yet. Finished runs appear here as they happen.</EmptyState>;
  }
  return (
    <ol className="-mx-2 divide-y divide-slate-100" aria-label="Newest first">
      {rows.map((row) => (
        <Row key={row.id} row={row} />
      ))}
    </ol>
  );
});
