// The one time a key's secret is on screen: the secret, "Copy", and the warning that it will not
// be shown again. Closing the dialog forgets it.
import { useEffect, useRef, useState } from "react";
import { Check, Copy, TriangleAlert } from "lucide-react";
import { Modal } from "@/components/modal";
import { inputClass, labelClass, primaryButton, secondaryButton } from "@/components/ui";
import { copyText } from "@/lib/clipboard";
import type { CreatedKey } from "../api/keys";
import { keyLabel } from "../lib/merge";

export function SecretDialog({ created, onClose }: { created: CreatedKey; onClose: () => void }) {
  const field = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<"idle" | "copied" | "failed">("idle");

  useEffect(() => {
    if (copied === "idle") return;
    const timer = setTimeout(() => setCopied("idle"), 3000);
    return () => clearTimeout(timer);
  }, [copied]);

  return (
    <Modal
      title="Key created"
      initialFocus={field}
      onClose={onClose}
      description={
        <>
          {keyLabel(created)} acts for <strong>{created.owner}</strong> with {created.scopes.join(", ")}.
        </>
      }
    >
      <p className="mt-3 flex items-start gap-2 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950">
        <TriangleAlert aria-hidden className="mt-0.5 h-4 w-4 shrink-0" />
        This secret will not be shown again. Copy it now and keep it somewhere safe; if it is lost, revoke the key and
        create another.
      </p>
      <div className="mt-4">
        <label htmlFor="new-key-secret" className={labelClass}>
          Secret
        </label>
        <div className="mt-1 flex gap-2">
          <input
            id="new-key-secret"
            ref={field}
            readOnly
            value={created.key}
            onFocus={(e) => e.currentTarget.select()}
            className={`${inputClass} font-mono`}
            spellCheck={false}
          />
          <button type="button" className={secondaryButton} onClick={() => void copyText(created.key).then((ok) => setCopied(ok ? "copied" : "failed"))}>
            {copied === "copied" ? <Check aria-hidden className="h-4 w-4 text-emerald-700" /> : <Copy aria-hidden className="h-4 w-4" />}
            Copy
          </button>
        </div>
        <p role="status" className="mt-1 min-h-4 text-xs text-slate-600">
          {copied === "copied" ? "Copied to the clipboard." : copied === "failed" ? "Copy failed: select the secret and copy it by hand." : ""}
        </p>
      </div>
      <div className="mt-4 flex justify-end">
        <button type="button" className={primaryButton} onClick={onClose}>
          Done
        </button>
      </div>
    </Modal>
  );
}
