import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { CostAudit } from "../api/costs";
import { AuditStatus } from "./AuditStatus";

const audit = (differences: CostAudit["differences"]): CostAudit => ({
  checkedExecutions: 149,
  ledgerRecords: 149,
  differences,
  ledgerTotalExact: "0.0149",
  recomputedTotalExact: "0.0149",
  ok: differences.length === 0,
});

describe("AuditStatus", () => {
  it("runs the audit only when asked", async () => {
    const onVerify = vi.fn();
    render(<AuditStatus audit={undefined} pending={false} error={null} checkedAt={null} onVerify={onVerify} />);
    expect(onVerify).not.toHaveBeenCalled();
    await userEvent.click(screen.getByRole("button", { name: "Verify ledger" }));
    expect(onVerify).toHaveBeenCalledOnce();
  });

  it("says the ledger is verified when nothing differs", () => {
    render(<AuditStatus audit={audit([])} pending={false} error={null} checkedAt={null} onVerify={vi.fn()} />);
    expect(screen.getByText("Ledger verified against the event log: 149 executions, 0 differences")).toBeInTheDocument();
  });

  it("lists the differences otherwise", () => {
    render(
      <AuditStatus
        audit={audit([{ executionId: "e1", field: "totalCost", stored: "0.1", expected: "0.2" }, { executionId: "e2", problem: "missing from the ledger" }])}
        pending={false}
        error={null}
        checkedAt={null}
        onVerify={vi.fn()}
      />,
    );
    expect(screen.queryByText(/Ledger verified/)).toBeNull();
    expect(screen.getByText("Ledger checked against the event log: 149 executions, 2 differences")).toBeInTheDocument();
    expect(screen.getByText("e1: totalCost differs (stored 0.1, expected 0.2)")).toBeInTheDocument();
    expect(screen.getByText("e2: missing from the ledger")).toBeInTheDocument();
  });

  it("disables the button while the audit runs", () => {
    render(<AuditStatus audit={undefined} pending error={null} checkedAt={null} onVerify={vi.fn()} />);
    expect(screen.getByRole("button", { name: "Verify ledger" })).toBeDisabled();
    expect(screen.getByText("Replaying the event log…")).toBeInTheDocument();
  });
});
