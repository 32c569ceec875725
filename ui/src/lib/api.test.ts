import { afterEach, describe, expect, it, vi } from "vitest";
import { api, ApiError, forbiddenMessage, request, withQuery } from "./api";
import { session } from "./session";

function respond(status: number, body: unknown) {
  return vi.fn().mockImplementation(async () => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } }));
}

afterEach(() => {
  vi.unstubAllGlobals();
  session.signOut();
});

describe("api client", () => {
  it("unwraps the success envelope", async () => {
    vi.stubGlobal("fetch", respond(200, { success: true, data: [{ id: "f1" }] }));
    await expect(api.get("/api/functions")).resolves.toEqual([{ id: "f1" }]);
  });

  it("sends JSON bodies with a content type", async () => {
    const fetchMock = respond(201, { success: true, data: { id: "f1" } });
    vi.stubGlobal("fetch", fetchMock);
    await api.post("/api/functions", { name: "add" });
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe("/api/functions");
    expect(init.method).toBe("POST");
    expect(init.headers["Content-Type"]).toBe("application/json");
    expect(init.body).toBe('{"name":"add"}');
  });

  it("turns the error envelope into an ApiError naming the field", async () => {
    vi.stubGlobal("fetch", respond(400, { success: false, error: "code: SyntaxError: Unexpected token", code: "invalid", field: "code" }));
    const error = await api.post("/api/functions", {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, field: "code", code: "invalid", message: "code: SyntaxError: Unexpected token" });
  });

  it("reports a body that is not JSON by its status", async () => {
    vi.stubGlobal("fetch", vi.fn().mockResolvedValue(new Response("<html>bad gateway</html>", { status: 502, statusText: "Bad Gateway" })));
    await expect(api.get("/api/metrics")).rejects.toMatchObject({ status: 502, message: "502 Bad Gateway" });
  });

  it("says the gateway cannot be reached when fetch itself fails", async () => {
    vi.stubGlobal("fetch", vi.fn().mockRejectedValue(new TypeError("Failed to fetch")));
    await expect(api.get("/api/metrics")).rejects.toMatchObject({ status: 0, message: expect.stringContaining("cannot be reached") });
  });

  it("builds query strings without empty values", () => {
    expect(withQuery("/api/executions", { status: "failed", functionId: undefined, limit: 50, q: "" })).toBe("/api/executions?status=failed&limit=50");
    expect(withQuery("/api/executions", {})).toBe("/api/executions");
  });

  it("sends no Authorization header while the session has no key (local mode)", async () => {
    const fetchMock = respond(200, { success: true, data: [] });
    vi.stubGlobal("fetch", fetchMock);
    await api.get("/api/functions");
    expect(fetchMock.mock.calls[0][1].headers).not.toHaveProperty("Authorization");
  });

  it("signs every request with the session's key as a Bearer token", async () => {
    const fetchMock = respond(200, { success: true, data: {} });
    vi.stubGlobal("fetch", fetchMock);
    session.signIn("s3c_k1_secret");
    await api.get("/api/functions");
    await api.post("/api/functions", { name: "add" });
    await api.delete("/api/keys/k2");
    expect(fetchMock.mock.calls.map(([, init]) => init.headers.Authorization)).toEqual(Array(3).fill("Bearer s3c_k1_secret"));
  });

  it("asks the session for a key with the gateway's message when a call answers 401", async () => {
    vi.stubGlobal("fetch", respond(401, { success: false, error: "invalid API key", code: "unauthorized" }));
    const error = await api.get("/api/functions").catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 401, code: "unauthorized", message: "invalid API key" });
    expect(session.snapshot().unauthorized).toBe("invalid API key");
  });

  it("leaves the session alone when a key being tried answers 401", async () => {
    const fetchMock = respond(401, { success: false, error: "invalid API key", code: "unauthorized" });
    vi.stubGlobal("fetch", fetchMock);
    await expect(request("GET", "/api/me", { key: "s3c_wrong" })).rejects.toMatchObject({ status: 401 });
    expect(fetchMock.mock.calls[0][1].headers.Authorization).toBe("Bearer s3c_wrong");
    expect(session.snapshot().unauthorized).toBeNull();
  });

  it("says what a key cannot do and the scope it lacks when a call answers 403", async () => {
    vi.stubGlobal("fetch", respond(403, { success: false, error: "This key cannot deploy functions: it lacks the deploy scope", code: "forbidden" }));
    await expect(api.post("/api/functions", {})).rejects.toMatchObject({
      status: 403,
      code: "forbidden",
      message: "This key cannot deploy functions: it lacks the deploy scope",
    });
    expect(session.snapshot().unauthorized).toBeNull();
  });

  it("words a terser 403 from the server as what this key cannot do", () => {
    expect(forbiddenMessage("missing scope: invoke")).toBe("This key cannot do that: missing scope: invoke");
    expect(forbiddenMessage("This key cannot invoke functions: it lacks the invoke scope")).toBe("This key cannot invoke functions: it lacks the invoke scope");
  });
});
