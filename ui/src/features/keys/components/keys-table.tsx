// The keys as a table: name, owner, scopes, created, status, and "Revoke" for a key still active.
import { StatusBadge, secondaryButton } from "@/components/ui";
import { when } from "@/lib/format";
import type { ApiKey } from "../api/keys";
import { keyLabel } from "../lib/merge";

export function KeysTable({ keys, onRevoke }: { keys: ApiKey[]; onRevoke?: (key: ApiKey) => void }) {
  return (
    // Scrolls sideways on a phone; focusable so a keyboard can scroll it too; `relative` keeps the
    // screen-reader-only text inside the scroller.
    <div className="relative overflow-x-auto focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500" tabIndex={0} role="region" aria-label="Keys table">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">API keys</caption>
        <thead className="border-b border-slate-200 text-xs font-medium uppercase tracking-wide text-slate-600">
          <tr>
            <th scope="col" className="py-2 pr-3">Name</th>
            <th scope="col" className="py-2 pr-3">Owner</th>
            <th scope="col" className="py-2 pr-3">Scopes</th>
            <th scope="col" className="py-2 pr-3">Created</th>
            <th scope="col" className="py-2 pr-3">Status</th>
            <th scope="col" className="py-2"><span className="sr-only">Actions</span></th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {keys.map((key) => (
            <tr key={key.id}>
              <td className="py-2 pr-3">
                <div className="font-medium text-slate-900">{key.name || "—"}</div>
                <div className="font-mono text-xs text-slate-600">{key.id}</div>
              </td>
              <td className="py-2 pr-3">{key.owner}</td>
              <td className="py-2 pr-3">{key.scopes.join(", ")}</td>
              <td className="py-2 pr-3">
                <time dateTime={key.createdAt} title={new Date(key.createdAt).toLocaleString()}>
                  {when(key.createdAt)}
                </time>
              </td>
              <td className="py-2 pr-3">
                <StatusBadge status={key.revoked ? "revoked" : "active"} />
              </td>
              <td className="py-2 text-right">
                {!key.revoked && onRevoke ? (
                  <button type="button" className={secondaryButton} onClick={() => onRevoke(key)}>
                    Revoke<span className="sr-only"> {keyLabel(key)}</span>
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
