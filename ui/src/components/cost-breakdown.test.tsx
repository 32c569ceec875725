import { render, screen, within } from "@testing-library/react";
import { CostBreakdown, dollars, type CostParts } from "./cost-breakdown";

/** The value shown for a label in the breakdown's description list. */
function valueOf(label: string): string {
  const list = screen.getByLabelText("Cost breakdown");
  return within(list).getByText(label, { selector: "dt" }).nextElementSibling?.textContent ?? "";
}

const COST: CostParts = {
  baseCost: 0.0001,
  coldStartCost: 0.00005,
  retryCost: 0.00004,
  dataTransferCost: 5.859375e-9,
  totalCost: 0.000190005859375,
  tier: "basic",
  billedDurationMs: 100,
};

describe("CostBreakdown", () => {
  it("says Costing… while the cost is not known, and shows no parts", () => {
    const { rerender } = render(<CostBreakdown cost={null} />);
    expect(screen.getByRole("status")).toHaveTextContent("Costing…");
    expect(screen.queryByText("Base")).not.toBeInTheDocument();
    rerender(<CostBreakdown cost={undefined} />);
    expect(screen.getByRole("status")).toHaveTextContent("Costing…");
  });

  it("shows the total and each part in dollars, labelled", () => {
    render(<CostBreakdown cost={COST} />);
    expect(screen.queryByText("Costing…")).not.toBeInTheDocument();
    expect(valueOf("Total")).toBe("$0.000190005859375");
    expect(valueOf("Base")).toBe("$0.0001");
    expect(valueOf("Cold start")).toBe("$0.00005");
    expect(valueOf("Retry")).toBe("$0.00004");
    // A sub-cent transfer cost keeps its digits instead of turning into 0 or 5.86e-9.
    expect(valueOf("Transfer")).toBe("$0.000000005859375");
    expect(screen.getByText("basic tier · billed 100 ms")).toBeInTheDocument();
  });

  it("prefers the exact decimal strings over the floats", () => {
    render(
      <CostBreakdown
        cost={{
          ...COST,
          baseCost: 0.00009999999,
          baseCostExact: "0.000100000000",
          coldStartCostExact: "0.00005",
          retryCostExact: "0",
          dataTransferCostExact: "0.000000005859375",
          totalCost: 0.1,
          totalCostExact: "0.000150005859375",
        }}
      />,
    );
    expect(valueOf("Base")).toBe("$0.000100000000");
    expect(valueOf("Retry")).toBe("$0");
    expect(valueOf("Total")).toBe("$0.000150005859375");
    expect(screen.queryByText("$0.1")).not.toBeInTheDocument();
  });
});

describe("dollars", () => {
  it("falls back to the float when the exact string is missing or not a decimal", () => {
    expect(dollars(undefined, 0.0003)).toBe("$0.0003");
    expect(dollars("NaN", 0.0003)).toBe("$0.0003");
    expect(dollars(undefined, 0)).toBe("$0");
    expect(dollars(undefined, Number.NaN)).toBe("—");
    expect(dollars(" 1.50 ", 9)).toBe("$1.50");
  });
});
