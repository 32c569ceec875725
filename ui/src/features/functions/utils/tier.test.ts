import { codeLength, PRICE_PER_100MS, tierFor } from "./tier";

describe("tierFor (billing's determineTier)", () => {
  it("goes by code length at the 100 / 5000 / 10000 character boundaries", () => {
    expect(tierFor("x".repeat(100), 30_000)).toBe("basic");
    expect(tierFor("x".repeat(101), 30_000)).toBe("standard");
    expect(tierFor("x".repeat(5_000), 30_000)).toBe("standard");
    expect(tierFor("x".repeat(5_001), 30_000)).toBe("premium");
    expect(tierFor("x".repeat(10_000), 30_000)).toBe("premium");
    expect(tierFor("x".repeat(10_001), 30_000)).toBe("enterprise");
  });

  it("goes by timeout above 60 s and 120 s whatever the code length", () => {
    expect(tierFor("", 60_000)).toBe("basic");
    expect(tierFor("", 60_001)).toBe("premium");
    expect(tierFor("", 120_000)).toBe("premium");
    expect(tierFor("", 120_001)).toBe("enterprise");
  });

  it("counts characters as Python does (code points), not UTF-16 units", () => {
    expect(codeLength("😀")).toBe(1);
    expect(tierFor("😀".repeat(100), 30_000)).toBe("basic");
  });

  it("prices each tier per 100 ms", () => {
    expect(PRICE_PER_100MS).toEqual({ basic: "0.0001", standard: "0.0003", premium: "0.0008", enterprise: "0.002" });
  });
});
