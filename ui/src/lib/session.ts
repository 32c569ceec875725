// The tab's API key and whether the gateway wants one. The key lives in sessionStorage (gone when
// the tab closes, never in localStorage); the API client reads it for every request and reports a
// 401 here, the WebSocket reads it when it connects, and the sign-in dialog listens for both.

export interface SessionState {
  /** The API key this tab signs its requests with, or null (local mode, or not signed in yet). */
  key: string | null;
  /** The gateway's message from the latest 401 while no working key is known; null otherwise. */
  unauthorized: string | null;
}

type Listener = () => void;

const STORAGE_KEY = "s3c.apiKey";

export class Session {
  private state: SessionState;
  private readonly listeners = new Set<Listener>();
  private readonly keyListeners = new Set<Listener>();

  constructor(private readonly storage: Pick<Storage, "getItem" | "setItem" | "removeItem"> | null) {
    this.state = { key: readKey(storage), unauthorized: null };
  }

  get key(): string | null {
    return this.state.key;
  }

  /** The current state; a new object only when something changed (for useSyncExternalStore). */
  readonly snapshot = (): SessionState => this.state;

  readonly subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Called when the key itself changes (sign-in, sign-out): reconnect, refetch. */
  onKeyChange(listener: Listener): () => void {
    this.keyListeners.add(listener);
    return () => this.keyListeners.delete(listener);
  }

  signIn(key: string): void {
    const trimmed = key.trim();
    try {
      this.storage?.setItem(STORAGE_KEY, trimmed);
    } catch {
      // Storage full or disabled: the key still works for this page's life.
    }
    this.update({ key: trimmed, unauthorized: null }, true);
  }

  signOut(): void {
    try {
      this.storage?.removeItem(STORAGE_KEY);
    } catch {
      // Nothing stored: nothing to remove.
    }
    this.update({ key: null, unauthorized: null }, true);
  }

  /** The gateway answered 401: ask for a key (again). */
  reportUnauthorized(message: string): void {
    if (this.state.unauthorized === message) return;
    this.update({ ...this.state, unauthorized: message }, false);
  }

  private update(next: SessionState, keyChanged: boolean): void {
    this.state = next;
    for (const listener of [...this.listeners]) listener();
    if (keyChanged) for (const listener of [...this.keyListeners]) listener();
  }
}

function readKey(storage: Pick<Storage, "getItem"> | null): string | null {
  try {
    return storage?.getItem(STORAGE_KEY) || null;
  } catch {
    return null;
  }
}

function browserStorage(): Storage | null {
  try {
    return typeof sessionStorage === "undefined" ? null : sessionStorage;
  } catch {
    return null; // a sandboxed frame may refuse storage access outright
  }
}

/** This tab's session: one per page, like the sessionStorage it wraps. */
export const session = new Session(browserStorage());
