// Who this tab acts as, in the frame: "Signed in as <owner>" with "Sign out", or "Local mode".
import { LogOut } from "lucide-react";
import { secondaryButton } from "@/components/ui";
import { ApiError } from "@/lib/api";
import { useMe } from "@/lib/me";
import { session } from "@/lib/session";
import { useSession } from "./auth-gate";

export function Account() {
  const me = useMe();
  const { key } = useSession();
  let text: string | null = null;
  if (me.data) text = me.data.local ? "Local mode" : `Signed in as ${me.data.owner}`;
  else if (me.error instanceof ApiError && me.error.status === 401) text = "Not signed in";

  return (
    <div className="flex items-center gap-2 text-sm md:flex-col md:items-start">
      {text ? (
        <p className="text-slate-700" title={me.data && !me.data.local ? `Scopes: ${me.data.scopes.join(", ")}` : undefined}>
          {text}
        </p>
      ) : null}
      {key ? (
        <button type="button" className={secondaryButton} onClick={() => session.signOut()}>
          <LogOut aria-hidden className="h-4 w-4" /> Sign out
        </button>
      ) : null}
    </div>
  );
}
