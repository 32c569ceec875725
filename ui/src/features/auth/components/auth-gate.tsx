// Asks for a key when the gateway answers 401, and starts server state afresh whenever the key
// changes (another key may belong to another owner: nothing cached may leak across).
import { useEffect, useSyncExternalStore } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { session } from "@/lib/session";
import { SignInDialog } from "./sign-in-dialog";

export function useSession() {
  return useSyncExternalStore(session.subscribe, session.snapshot, session.snapshot);
}

export function AuthGate() {
  const client = useQueryClient();
  const { unauthorized } = useSession();
  useEffect(() => session.onKeyChange(() => void client.resetQueries()), [client]);
  return unauthorized === null ? null : <SignInDialog reason={unauthorized} />;
}
