import { describe, expect, it } from "vitest";
import { Session } from "./session";

function memoryStorage() {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (k: string) => items.get(k) ?? null,
    setItem: (k: string, v: string) => void items.set(k, v),
    removeItem: (k: string) => void items.delete(k),
  };
}

describe("Session", () => {
  it("keeps a signed-in key in its storage, so a reload of the tab still has it", () => {
    const storage = memoryStorage();
    new Session(storage).signIn("  s3c_k1_secret  ");
    expect(new Session(storage).key).toBe("s3c_k1_secret");
  });

  it("forgets the key on sign-out, in memory and in storage", () => {
    const storage = memoryStorage();
    const session = new Session(storage);
    session.signIn("s3c_k1_secret");
    session.signOut();
    expect(session.key).toBeNull();
    expect(storage.items.size).toBe(0);
  });

  it("raises the 401 prompt with the gateway's message and lowers it on sign-in", () => {
    const session = new Session(memoryStorage());
    session.reportUnauthorized("invalid API key");
    expect(session.snapshot()).toEqual({ key: null, unauthorized: "invalid API key" });
    session.signIn("s3c_k1_secret");
    expect(session.snapshot()).toEqual({ key: "s3c_k1_secret", unauthorized: null });
  });

  it("tells key listeners about sign-in and sign-out but not about a 401", () => {
    const session = new Session(memoryStorage());
    const seen: (string | null)[] = [];
    session.onKeyChange(() => seen.push(session.key));
    session.reportUnauthorized("missing API key");
    session.signIn("s3c_k1_a");
    session.signOut();
    expect(seen).toEqual(["s3c_k1_a", null]);
  });
});
