// Who the gateway takes this tab for (`GET /api/me`): the owner, the key's scopes, local mode.
// Shared because the frame (owner, the Keys link) and pages (curl lines) both read it.
import { useQuery } from "@tanstack/react-query";
import { request } from "./api";

export const SCOPES = ["admin", "deploy", "invoke", "read"] as const;
export type Scope = (typeof SCOPES)[number];

export interface Me {
  owner: string;
  scopes: Scope[];
  keyId: string | null;
  local: boolean;
}

export const meKey = ["me"] as const;

/** `key` asks about a key the session does not hold yet (the sign-in dialog trying it). */
export const fetchMe = (signal?: AbortSignal, key?: string) => request<Me>("GET", "/api/me", { signal, key });

export function useMe() {
  return useQuery({ queryKey: meKey, queryFn: ({ signal }) => fetchMe(signal), staleTime: 60_000, retry: false });
}

/** `admin` implies every scope. */
export function hasScope(me: Me | undefined, scope: Scope): boolean {
  return !!me && (me.scopes.includes("admin") || me.scopes.includes(scope));
}
