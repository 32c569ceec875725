// The function's public URL (`POST /fn/<owner>/<name>`) and a curl line to call it, with a Copy
// button. A function with `config.auth` other than "none" needs an `invoke` key of its owner, so the
// line sends one from $S3C_KEY (local mode needs none).
import { useEffect, useState } from "react";
import { Check, Copy } from "lucide-react";
import { secondaryButton } from "@/components/ui";
import { copyText } from "@/lib/clipboard";

export function functionUrl(owner: string, name: string, origin: string = window.location.origin): string {
  return `${origin}/fn/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`;
}

export function curlLine(url: string, withKey: boolean): string {
  const auth = withKey ? ` -H "Authorization: Bearer $S3C_KEY"` : "";
  return `curl -X POST ${url}${auth} -H 'Content-Type: application/json' -d '[1,2]'`;
}

/** Who may call the URL: an owner's invoke key, anyone, or (local mode) anyone on this machine. */
export type UrlAccess = "key" | "public" | "local";

const ACCESS_NOTE: Record<UrlAccess, string> = {
  key: "Callers need an invoke key of its owner.",
  public: "Public: anyone with the URL can call it.",
  local: "Local mode: no key needed.",
};

/** The access a function's URL has: `config.auth` "none" is public, anything else needs a key. */
export function urlAccess(auth: unknown, local: boolean | undefined): UrlAccess {
  if (auth === "none") return "public";
  return local ? "local" : "key";
}

export function FunctionUrl({ owner, name, access }: { owner: string; name: string; access: UrlAccess }) {
  const url = functionUrl(owner, name);
  const curl = curlLine(url, access === "key");
  const [copied, setCopied] = useState<"idle" | "copied" | "failed">("idle");

  useEffect(() => {
    if (copied === "idle") return;
    const timer = setTimeout(() => setCopied("idle"), 2000);
    return () => clearTimeout(timer);
  }, [copied]);

  return (
    <div className="space-y-3 text-sm">
      <div>
        <div className="text-xs font-medium text-slate-600">Function URL</div>
        <code className="mt-1 block font-mono break-all text-slate-900">{url}</code>
        <p className="mt-1 text-xs text-slate-600">{ACCESS_NOTE[access]}</p>
      </div>
      <div>
        <div className="flex items-center justify-between gap-2">
          <div className="text-xs font-medium text-slate-600">Call it with curl</div>
          <button type="button" className={secondaryButton} onClick={() => void copyText(curl).then((ok) => setCopied(ok ? "copied" : "failed"))}>
            {copied === "copied" ? <Check aria-hidden className="h-4 w-4 text-emerald-700" /> : <Copy aria-hidden className="h-4 w-4" />}
            Copy
          </button>
        </div>
        <pre className="mt-1 overflow-x-auto rounded bg-slate-900 p-2 font-mono text-xs whitespace-pre-wrap break-all text-slate-100">{curl}</pre>
        <p role="status" className="mt-1 min-h-4 text-xs text-slate-600">
          {copied === "copied" ? "Copied to the clipboard." : copied === "failed" ? "Copy failed: select the line and copy it by hand." : ""}
        </p>
      </div>
    </div>
  );
}
