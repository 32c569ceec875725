import { addExact, compareExact, dollars } from "./decimal";

describe("exact money", () => {
  it("sums decimal strings without float error", () => {
    expect(addExact(["0.1", "0.2"])).toBe("0.3");
    expect(addExact(Array.from({ length: 1000 }, () => "0.000100005859375"))).toBe("0.100005859375");
    expect(addExact([])).toBe("0");
    expect(addExact(["1.5", "-1.5"])).toBe("0");
  });

  it("compares exactly beyond a double's precision", () => {
    expect(compareExact("0.10000000000000000001", "0.1")).toBe(1);
    expect(compareExact("0.0001", "0.00010")).toBe(0);
    expect(compareExact("0.00009", "0.0001")).toBe(-1);
  });

  it("shows dollars with at least six decimals and every exact digit", () => {
    expect(dollars("0.000100005859375")).toBe("$0.000100005859375");
    expect(dollars("0.0001")).toBe("$0.000100");
    expect(dollars("0")).toBe("$0.000000");
    expect(dollars("1234.5")).toBe("$1,234.500000");
    expect(dollars(null)).toBe("—");
  });
});
