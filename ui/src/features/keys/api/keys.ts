// Fetchers and query hooks for API keys (`/api/keys`). A list never holds a secret: only the answer
// to a create does, and the page shows it once.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/lib/api";
import type { Scope } from "@/lib/me";

export interface ApiKey {
  id: string;
  owner: string;
  scopes: Scope[];
  name: string;
  createdAt: string;
  revoked: boolean;
}

export interface NewKey {
  name?: string;
  owner?: string;
  scopes: Scope[];
}

/** The answer to a create: the key's record plus its secret, which no later answer repeats. */
export interface CreatedKey extends Omit<ApiKey, "revoked"> {
  key: string;
}

export const keyKeys = { list: () => ["keys", "list"] as const };

export function useKeys() {
  return useQuery({ queryKey: keyKeys.list(), queryFn: ({ signal }) => api.get<ApiKey[]>("/api/keys", undefined, signal) });
}

export function useCreateKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (draft: NewKey) => api.post<CreatedKey>("/api/keys", draft),
    onSuccess: () => client.invalidateQueries({ queryKey: ["keys"] }),
  });
}

export function useRevokeKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete<{ id: string; revoked: boolean }>(`/api/keys/${encodeURIComponent(id)}`),
    onSuccess: () => client.invalidateQueries({ queryKey: ["keys"] }),
  });
}
