// Test harness: a fresh query client, a live socket the test drives by hand (signed with the
// session's key, as the app's is), a router, and a fetch that answers from a table of canned API
// responses.
import type { ReactNode } from "react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, waitFor } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { LiveProvider } from "@/lib/live";
import { session } from "@/lib/session";
import type { WsMessage } from "@/lib/types";
import { LiveSocket, type SocketLike } from "@/lib/ws";

export class FakeSocket implements SocketLike {
  onopen: ((ev: Event) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  /** Every URL the live socket connected to, oldest first (one per connect). */
  readonly urls: string[] = [];
  close(): void {}
  /** LiveSocket connects on the tick after it starts; wait for that before emitting. */
  async connected(): Promise<void> {
    await waitFor(() => expect(this.onmessage).not.toBeNull());
  }
  emit(...messages: WsMessage[]): void {
    for (const m of messages) this.onmessage?.({ data: JSON.stringify(m) } as MessageEvent);
  }
}

export type Routes = Record<string, unknown | ((url: URL, init: RequestInit) => unknown)>;

/** A non-2xx answer in the gateway's error envelope, for a route to return. */
export function failure(status: number, error: string, code: string | null = null): Response {
  return new Response(JSON.stringify({ success: false, error, code }), { status, headers: { "Content-Type": "application/json" } });
}

/** The `Authorization` header a request was sent with, or null. */
export function authorization(init: RequestInit | undefined): string | null {
  const headers = (init?.headers ?? {}) as Record<string, string>;
  return headers.Authorization ?? null;
}

/** Answer `fetch` from `routes` (keyed by pathname); a missing route is a 404 envelope. A route's
 * function may return a Response (e.g. `failure(401, ...)`) to answer with it as it is. */
export function stubFetch(routes: Routes) {
  const calls: URL[] = [];
  const inits: RequestInit[] = [];
  const fetchStub = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), "http://ui.test");
    calls.push(url);
    inits.push(init);
    if (!(url.pathname in routes)) {
      return new Response(JSON.stringify({ success: false, error: "Not Found" }), { status: 404 });
    }
    const entry = routes[url.pathname];
    const data = typeof entry === "function" ? (entry as (u: URL, i: RequestInit) => unknown)(url, init) : entry;
    if (data instanceof Response) return data;
    return new Response(JSON.stringify({ success: true, data }), { status: 200 });
  });
  vi.stubGlobal("fetch", fetchStub);
  return { calls, inits, fetchStub };
}

/** Recharts measures its box with ResizeObserver, which jsdom lacks. */
export function stubResizeObserver(): void {
  class RO {
    constructor(private readonly cb: ResizeObserverCallback) {}
    observe(target: Element) {
      this.cb([{ target, contentRect: { width: 600, height: 200 } } as unknown as ResizeObserverEntry], this as unknown as ResizeObserver);
    }
    unobserve() {}
    disconnect() {}
  }
  vi.stubGlobal("ResizeObserver", RO);
}

export function renderPage(ui: ReactNode, path = "/") {
  const socket = new FakeSocket();
  const live = new LiveSocket({
    url: "ws://ui.test/ws",
    flushMs: 5,
    token: () => session.key,
    createSocket: (url) => {
      socket.urls.push(url);
      return socket;
    },
  });
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const view = render(
    <QueryClientProvider client={client}>
      <LiveProvider socket={live}>
        <MemoryRouter initialEntries={[path]}>{ui}</MemoryRouter>
      </LiveProvider>
    </QueryClientProvider>,
  );
  return { ...view, socket, client };
}
