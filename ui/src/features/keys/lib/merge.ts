// What the page knows about keys: the server's list, plus what this page's own creates and revokes
// were answered with, until the list (a read model, a moment behind) says the same.
import type { ApiKey } from "../api/keys";

export interface Confirmed {
  created: ApiKey[];
  revoked: string[];
}

export const NOTHING_CONFIRMED: Confirmed = { created: [], revoked: [] };

export function mergeKeys(list: ApiKey[], confirmed: Confirmed): ApiKey[] {
  const listed = new Set(list.map((k) => k.id));
  const revoked = new Set(confirmed.revoked);
  const rows = [...confirmed.created.filter((k) => !listed.has(k.id)).reverse(), ...list];
  return rows.map((k) => (revoked.has(k.id) && !k.revoked ? { ...k, revoked: true } : k));
}

/** How a key is named to a person: its name, else its id. */
export const keyLabel = (key: Pick<ApiKey, "id" | "name">) => key.name || key.id;
