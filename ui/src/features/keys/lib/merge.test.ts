import { describe, expect, it } from "vitest";
import type { ApiKey } from "../api/keys";
import { mergeKeys, NOTHING_CONFIRMED } from "./merge";

const key = (id: string, revoked = false): ApiKey => ({ id, owner: "team-b", scopes: ["read"], name: id, createdAt: "2025-01-01T00:00:00Z", revoked });

describe("mergeKeys", () => {
  it("keeps the server's list when nothing was confirmed here", () => {
    expect(mergeKeys([key("a"), key("b", true)], NOTHING_CONFIRMED)).toEqual([key("a"), key("b", true)]);
  });

  it("shows a created key the list does not have yet, newest first, and only once", () => {
    const confirmed = { created: [key("n1"), key("n2")], revoked: [] };
    expect(mergeKeys([key("a")], confirmed).map((k) => k.id)).toEqual(["n2", "n1", "a"]);
    expect(mergeKeys([key("n1"), key("a")], confirmed).map((k) => k.id)).toEqual(["n2", "n1", "a"]);
  });

  it("marks a key revoked here as revoked while the list still says active", () => {
    const rows = mergeKeys([key("a"), key("b")], { created: [], revoked: ["b"] });
    expect(rows.map((k) => [k.id, k.revoked])).toEqual([["a", false], ["b", true]]);
  });
});
