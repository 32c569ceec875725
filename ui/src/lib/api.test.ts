import { afterEach, describe, expect, it, vi } from "vitest";
import { api, ApiError, withQuery } from "./api";

function respond(status: number, body: unknown) {
  return vi.fn().mockResolvedValue(new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } }));
}

afterEach(() => vi.unstubAllGlobals());

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
});
