import { hasParts, hourRows } from "./hours";

describe("hourly rows", () => {
  it("fills the hours without data with zeros, oldest first", () => {
    const rows = hourRows(
      [{ hour: "2026-01-01T02:00:00Z", executions: 3, cost: 0.0003, costExact: "0.0003" }],
      "2026-01-01T00:30:00Z",
      "2026-01-01T03:10:00Z",
    );
    expect(rows.map((r) => [r.hour, r.executions, r.costExact])).toEqual([
      ["2026-01-01T00:00:00.000Z", 0, "0"],
      ["2026-01-01T01:00:00.000Z", 0, "0"],
      ["2026-01-01T02:00:00.000Z", 3, "0.0003"],
      ["2026-01-01T03:00:00.000Z", 0, "0"],
    ]);
  });

  it("starts an all-time range at the first hour with data", () => {
    const rows = hourRows([{ hour: "2026-01-01T05:00:00Z", executions: 1, cost: 1, costExact: "1" }], "1970-01-01T00:00:00Z", "2026-01-01T06:00:00Z");
    expect(rows.map((r) => r.hour)).toEqual(["2026-01-01T05:00:00.000Z", "2026-01-01T06:00:00.000Z"]);
  });

  it("stacks parts only when every hour has them", () => {
    const base = { hour: "2026-01-01T00:00:00Z", executions: 1, cost: 1, costExact: "1" };
    expect(hasParts([base])).toBe(false);
    expect(hasParts([{ ...base, baseCost: 1, coldStartCost: 0, retryCost: 0, dataTransferCost: 0 }])).toBe(true);
  });
});
