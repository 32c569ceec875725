// The one WebSocket connection: reconnects with capped exponential backoff, and hands messages
// to subscribers in batches (at most one delivery per `flushMs`), so a burst of hundreds of
// events a second costs the page a few renders a second, not one per event. Outside local mode it
// carries the API key as `?token=`; a socket the gateway closes for a bad key (code 4401) waits for
// `reconnect()` (a sign-in) instead of knocking again with the same key.
import type { WsMessage } from "./types";

export type LiveStatus = "connecting" | "live" | "reconnecting";
type BatchListener = (batch: WsMessage[]) => void;
type StatusListener = (status: LiveStatus) => void;

export interface SocketLike {
  onopen: ((ev: Event) => void) | null;
  onclose: ((ev: CloseEvent) => void) | null;
  onerror: ((ev: Event) => void) | null;
  onmessage: ((ev: MessageEvent) => void) | null;
  close(): void;
}

export interface LiveSocketOptions {
  url?: string;
  flushMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  maxBuffer?: number;
  createSocket?: (url: string) => SocketLike;
  /** The API key to connect with, read at every (re)connect; null connects without one. */
  token?: () => string | null;
}

/** The close code the gateway uses for a missing, unknown or revoked key. */
export const UNAUTHORIZED_CLOSE = 4401;

/** `url` with `?token=<key>` (kept as is when there is no key). */
export function withToken(url: string, token: string | null): string {
  if (!token) return url;
  return `${url}${url.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}`;
}

export function defaultSocketUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === "https:" ? "wss" : "ws"}://${host}/ws`;
}

export class LiveSocket {
  private socket: SocketLike | null = null;
  private buffer: WsMessage[] = [];
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private attempts = 0;
  private stopped = true;
  private readonly listeners = new Set<BatchListener>();
  private readonly statusListeners = new Set<StatusListener>();
  private current: LiveStatus = "connecting";
  private readonly options: Required<Omit<LiveSocketOptions, "url">> & { url: string | null };

  constructor(options: LiveSocketOptions = {}) {
    this.options = {
      url: options.url ?? null,
      flushMs: options.flushMs ?? 250,
      minBackoffMs: options.minBackoffMs ?? 500,
      maxBackoffMs: options.maxBackoffMs ?? 10_000,
      maxBuffer: options.maxBuffer ?? 2_000,
      createSocket: options.createSocket ?? ((url) => new WebSocket(url) as unknown as SocketLike),
      token: options.token ?? (() => null),
    };
  }

  get status(): LiveStatus {
    return this.current;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    // Connect on the next tick: React's StrictMode starts and stops effects once in development,
    // and closing a socket that is still connecting makes the browser log an error.
    this.retryTimer = setTimeout(() => this.connect(), 0);
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.retryTimer = this.flushTimer = null;
    const socket = this.socket;
    this.socket = null;
    socket?.close();
  }

  /** Drop the connection and connect again at once (the key changed). */
  reconnect(): void {
    if (this.stopped) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.attempts = 0;
    const socket = this.socket;
    this.socket = null;
    socket?.close();
    if (socket) this.setStatus("reconnecting");
    this.connect();
  }

  subscribe(listener: BatchListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onStatus(listener: StatusListener): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** The delay before reconnect attempt `n` (1-based): doubling from min, capped at max. */
  backoff(n: number): number {
    return Math.min(this.options.maxBackoffMs, this.options.minBackoffMs * 2 ** Math.max(0, n - 1));
  }

  private setStatus(status: LiveStatus): void {
    if (status === this.current) return;
    this.current = status;
    for (const listener of this.statusListeners) listener(status);
  }

  private connect(): void {
    if (this.stopped) return;
    const socket = this.options.createSocket(withToken(this.options.url ?? defaultSocketUrl(), this.options.token()));
    this.socket = socket;
    socket.onopen = () => {
      this.attempts = 0;
      this.setStatus("live");
    };
    socket.onmessage = (ev: MessageEvent) => this.receive(ev.data);
    socket.onerror = () => socket.close();
    socket.onclose = (ev: CloseEvent) => {
      if (this.socket !== socket || this.stopped) return;
      this.socket = null;
      this.setStatus("reconnecting");
      // The same key would be refused again: wait for a sign-in to call reconnect().
      if (ev?.code === UNAUTHORIZED_CLOSE) return;
      this.attempts += 1;
      this.retryTimer = setTimeout(() => this.connect(), this.backoff(this.attempts));
    };
  }

  private receive(raw: unknown): void {
    if (typeof raw !== "string") return;
    let message: WsMessage;
    try {
      message = JSON.parse(raw) as WsMessage;
    } catch {
      return;
    }
    if (!message || typeof message.type !== "string") return;
    this.buffer.push(message);
    // A page that cannot keep up keeps the newest events; the cache refetches what it missed.
    if (this.buffer.length > this.options.maxBuffer) this.buffer.splice(0, this.buffer.length - this.options.maxBuffer);
    if (this.flushTimer === null) this.flushTimer = setTimeout(() => this.flush(), this.options.flushMs);
  }

  private flush(): void {
    this.flushTimer = null;
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    for (const listener of this.listeners) {
      try {
        listener(batch);
      } catch (error) {
        console.warn("live listener failed", error);
      }
    }
  }
}
