import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { WsMessage } from "./types";
import { LiveSocket, UNAUTHORIZED_CLOSE, withToken, type SocketLike } from "./ws";

class FakeSocket implements SocketLike {
  onopen: ((ev: Event) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  closed = false;
  constructor(readonly url = "") {}
  open() {
    this.onopen?.(new Event("open"));
  }
  send(message: object | string) {
    this.onmessage?.(new MessageEvent("message", { data: typeof message === "string" ? message : JSON.stringify(message) }));
  }
  close(code?: number) {
    if (this.closed) return;
    this.closed = true;
    this.onclose?.(new CloseEvent("close", { code }));
  }
}

function harness(options = {}) {
  const sockets: FakeSocket[] = [];
  const live = new LiveSocket({ url: "ws://test/ws", flushMs: 250, createSocket: (url) => { const s = new FakeSocket(url); sockets.push(s); return s; }, ...options });
  return { live, sockets };
}

const completed = (i: number): WsMessage => ({ type: "execution_completed", data: { executionId: `e${i}` }, timestamp: "t" });

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("LiveSocket", () => {
  it("delivers a burst of 500 messages as one batch per flush interval", () => {
    const { live, sockets } = harness();
    const batches: WsMessage[][] = [];
    live.subscribe((b) => batches.push(b));
    live.start();
    vi.advanceTimersByTime(0);
    sockets[0].open();
    for (let i = 0; i < 500; i++) sockets[0].send(completed(i));
    expect(batches).toHaveLength(0); // nothing rendered per message
    vi.advanceTimersByTime(250);
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(500);
    expect(batches[0][0].data.executionId).toBe("e0");
    expect(batches[0][499].data.executionId).toBe("e499");
  });

  it("flushes at most once per interval during a steady stream", () => {
    const { live, sockets } = harness();
    const batches: WsMessage[][] = [];
    live.subscribe((b) => batches.push(b));
    live.start();
    vi.advanceTimersByTime(0);
    sockets[0].open();
    for (let ms = 0; ms < 1000; ms += 2) {
      sockets[0].send(completed(ms));
      vi.advanceTimersByTime(2);
    }
    vi.advanceTimersByTime(250);
    expect(batches.length).toBeLessThanOrEqual(5);
    expect(batches.flat()).toHaveLength(500);
  });

  it("keeps only the newest messages when a page cannot keep up", () => {
    const { live, sockets } = harness({ maxBuffer: 100 });
    const batches: WsMessage[][] = [];
    live.subscribe((b) => batches.push(b));
    live.start();
    vi.advanceTimersByTime(0);
    sockets[0].open();
    for (let i = 0; i < 300; i++) sockets[0].send(completed(i));
    vi.advanceTimersByTime(250);
    expect(batches[0]).toHaveLength(100);
    expect(batches[0][0].data.executionId).toBe("e200");
  });

  it("ignores frames that are not messages", () => {
    const { live, sockets } = harness();
    const batches: WsMessage[][] = [];
    live.subscribe((b) => batches.push(b));
    live.start();
    vi.advanceTimersByTime(0);
    sockets[0].open();
    sockets[0].send("not json");
    sockets[0].send({ nope: 1 });
    sockets[0].send(completed(1));
    vi.advanceTimersByTime(250);
    expect(batches).toEqual([[completed(1)]]);
  });

  it("reports Live while open and reconnects with growing backoff", () => {
    const { live, sockets } = harness({ minBackoffMs: 500, maxBackoffMs: 4000 });
    const statuses: string[] = [];
    live.onStatus((s) => statuses.push(s));
    live.start();
    vi.advanceTimersByTime(0);
    sockets[0].open();
    expect(live.status).toBe("live");
    sockets[0].close();
    expect(live.status).toBe("reconnecting");
    vi.advanceTimersByTime(499);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(2); // first retry after 500 ms
    sockets[1].close();
    vi.advanceTimersByTime(999);
    expect(sockets).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(3); // then 1 s
    sockets[2].open();
    expect(statuses).toEqual(["live", "reconnecting", "live"]);
    expect([1, 2, 3, 4, 5, 10].map((n) => live.backoff(n))).toEqual([500, 1000, 2000, 4000, 4000, 4000]);
  });

  it("opens no socket when stopped before its first tick (React StrictMode's double effect)", () => {
    const { live, sockets } = harness();
    live.start();
    live.stop();
    live.start();
    vi.advanceTimersByTime(0);
    expect(sockets).toHaveLength(1);
  });

  it("stops for good when stopped", () => {
    const { live, sockets } = harness();
    live.start();
    vi.advanceTimersByTime(0);
    sockets[0].open();
    live.stop();
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
    expect(sockets[0].closed).toBe(true);
  });

  it("connects without a token while there is no key, and with ?token= when there is one", () => {
    let key: string | null = null;
    const { live, sockets } = harness({ token: () => key });
    live.start();
    vi.advanceTimersByTime(0);
    expect(sockets[0].url).toBe("ws://test/ws");
    key = "s3c_k1_a+b/c";
    live.reconnect();
    expect(sockets).toHaveLength(2);
    expect(sockets[1].url).toBe("ws://test/ws?token=s3c_k1_a%2Bb%2Fc");
    expect(withToken("ws://h/ws?x=1", "k")).toBe("ws://h/ws?x=1&token=k");
  });

  it("reconnects at once with the new key when asked, dropping the old socket", () => {
    let key = "s3c_old";
    const { live, sockets } = harness({ token: () => key });
    live.start();
    vi.advanceTimersByTime(0);
    sockets[0].open();
    key = "s3c_new";
    live.reconnect();
    expect(sockets[0].closed).toBe(true);
    expect(sockets.map((s) => s.url)).toEqual(["ws://test/ws?token=s3c_old", "ws://test/ws?token=s3c_new"]);
    sockets[1].open();
    expect(live.status).toBe("live");
  });

  it("does not knock again with a key the gateway refused (4401) until reconnect", () => {
    let key = "s3c_revoked";
    const { live, sockets } = harness({ token: () => key, minBackoffMs: 500, maxBackoffMs: 4000 });
    live.start();
    vi.advanceTimersByTime(0);
    sockets[0].open();
    sockets[0].close(UNAUTHORIZED_CLOSE);
    expect(live.status).toBe("reconnecting");
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
    key = "s3c_good";
    live.reconnect();
    expect(sockets).toHaveLength(2);
    expect(sockets[1].url).toBe("ws://test/ws?token=s3c_good");
  });
});
