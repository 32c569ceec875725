// The one typed client for the gateway's REST API: every call signs with the session's API key,
// unwraps the `{success, data}` envelope and turns `{success:false, error, field}` (or a network
// failure) into an ApiError. A 401 asks the session for a key; a 403 says which scope is missing.
import { session } from "./session";

export class ApiError extends Error {
  readonly status: number;
  readonly field: string | null;
  readonly code: string | null;

  constructor(status: number, message: string, field: string | null = null, code: string | null = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.field = field;
    this.code = code;
  }
}

type Query = Record<string, string | number | boolean | null | undefined>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** A 403's message as the person reads it: what the key cannot do and the scope it lacks. */
export function forbiddenMessage(serverText: string): string {
  return /^this key cannot/i.test(serverText) ? serverText : `This key cannot do that: ${serverText}`;
}

export interface RequestOptions {
  body?: unknown;
  query?: Query;
  signal?: AbortSignal;
  /** Sign with this key instead of the session's (to try a key before keeping it). */
  key?: string;
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  const key = options.key ?? session.key;
  if (key) headers.Authorization = `Bearer ${key}`;
  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError(0, "The gateway cannot be reached. Is `make up` running?");
  }
  let payload: unknown = null;
  const text = await response.text();
  if (text) {
    try {
      payload = JSON.parse(text);
    } catch {
      payload = null;
    }
  }
  const envelope = (payload ?? {}) as { success?: boolean; data?: T; error?: string; field?: string; code?: string };
  if (!response.ok || envelope.success === false) {
    let message = envelope.error ?? `${response.status} ${response.statusText || "request failed"}`;
    // Only the session's own key can be wrong for the session: a trial key answers its caller, and a
    // request sent before a sign-in landed says nothing about the new key.
    if (response.status === 401 && options.key === undefined && key === session.key) session.reportUnauthorized(message);
    if (response.status === 403) message = forbiddenMessage(message);
    throw new ApiError(response.status, message, envelope.field ?? null, envelope.code ?? null);
  }
  return (envelope.success === true ? envelope.data : payload) as T;
}

export const api = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) => request<T>("GET", path, { query, signal }),
  post: <T>(path: string, body?: unknown, query?: Query) => request<T>("POST", path, { body, query }),
  put: <T>(path: string, body?: unknown) => request<T>("PUT", path, { body }),
  delete: <T>(path: string) => request<T>("DELETE", path),
};
