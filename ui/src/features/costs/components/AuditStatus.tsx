// The ledger audit, run on demand: billing replays the event log and compares every cost it stored.
import { ShieldCheck } from "lucide-react";
import { ErrorState, Loading, secondaryButton } from "@/components/ui";
import { count } from "@/lib/format";
import type { AuditDifference, CostAudit } from "../api/costs";
import { dollars } from "@/lib/decimal";

const SHOWN = 20;

function describe(d: AuditDifference): string {
  const what = d.problem ?? (d.field ? `${d.field} differs` : "differs");
  const values = d.stored !== undefined || d.expected !== undefined ? ` (stored ${String(d.stored ?? "—")}, expected ${String(d.expected ?? "—")})` : "";
  return `${d.executionId ? `${d.executionId}: ` : ""}${what}${values}`;
}

interface Props {
  audit: CostAudit | undefined;
  pending: boolean;
  error: unknown;
  checkedAt: number | null;
  onVerify: () => void;
}

export function AuditStatus({ audit, pending, error, checkedAt, onVerify }: Props) {
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-3">
        <button type="button" className={secondaryButton} onClick={onVerify} disabled={pending}>
          <ShieldCheck aria-hidden className="h-4 w-4" /> Verify ledger
        </button>
        <span className="text-xs text-slate-600">Replays every finished execution from the event log; this can take a few seconds.</span>
      </div>
      <div aria-live="polite">
        {pending ? <Loading label="Replaying the event log…" /> : null}
        {!pending && error ? <ErrorState error={error} retry={onVerify} /> : null}
        {!pending && !error && audit ? (
          <div className="space-y-2 text-sm">
            <p className={`font-medium ${audit.differences.length === 0 ? "text-emerald-800" : "text-red-800"}`}>
              {audit.differences.length === 0
                ? `Ledger verified against the event log: ${audit.checkedExecutions} executions, 0 differences`
                : `Ledger checked against the event log: ${audit.checkedExecutions} executions, ${audit.differences.length} differences`}
            </p>
            <p className="text-xs text-slate-600">
              {count(audit.ledgerRecords)} ledger records totalling {dollars(audit.ledgerTotalExact)}; recomputed from events:{" "}
              {dollars(audit.recomputedTotalExact)}.{checkedAt ? ` Checked at ${new Date(checkedAt).toLocaleTimeString()}.` : ""}
            </p>
            {audit.differences.length > 0 ? (
              <ul className="list-disc space-y-1 pl-5 text-xs break-words text-red-800">
                {audit.differences.slice(0, SHOWN).map((d, i) => (
                  <li key={i}>{describe(d)}</li>
                ))}
                {audit.differences.length > SHOWN ? <li>and {count(audit.differences.length - SHOWN)} more</li> : null}
              </ul>
            ) : null}
          </div>
        ) : null}
        {!pending && !error && !audit ? <p className="text-sm text-slate-600">Not verified yet in this session.</p> : null}
      </div>
    </div>
  );
}
