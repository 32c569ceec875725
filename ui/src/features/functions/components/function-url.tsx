// The function URL (`POST /fn/<name>`) and a curl line to call it, with a Copy button.
import { useEffect, useState } from "react";
import { Check, Copy } from "lucide-react";
import { secondaryButton } from "@/components/ui";

export function functionUrl(name: string, origin: string = window.location.origin): string {
  return `${origin}/fn/${encodeURIComponent(name)}`;
}

export function curlLine(url: string): string {
  return `curl -X POST ${url} -H 'Content-Type: application/json' -d '[1,2]'`;
}

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard permission (plain http on another host): fall back to a selection copy.
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    const done = document.execCommand?.("copy") ?? false;
    area.remove();
    return done;
  }
}

export function FunctionUrl({ name }: { name: string }) {
  const url = functionUrl(name);
  const curl = curlLine(url);
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
