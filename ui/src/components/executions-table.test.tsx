import { render, screen, within } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import type { ExecutionRecord } from "@/lib/types";
import { ExecutionsTable } from "./executions-table";

const run = (over: Partial<ExecutionRecord>): ExecutionRecord => ({
  id: "abcdef0123456789",
  _id: "abcdef0123456789",
  functionId: "fn000001xyz",
  functionVersion: 2,
  status: "completed",
  duration: 12.5,
  coldStart: true,
  startTime: "2025-01-02T03:04:05Z",
  ...over,
});

const ROWS = [run({}), run({ id: "pending00000000", _id: "pending00000000", status: "pending", functionVersion: undefined, duration: null, startTime: null })];

const headers = () => screen.getAllByRole("columnheader").map((h) => h.textContent);

function renderTable(ui: React.ReactNode) {
  render(<MemoryRouter>{ui}</MemoryRouter>);
}

describe("ExecutionsTable", () => {
  it("lists every run with the function and cost columns when given them", () => {
    renderTable(<ExecutionsTable framed rows={ROWS} caption="Executions, newest first" functionName={() => "add"} cost={(e) => (e.status === "completed" ? "$0.000100" : null)} />);
    const table = screen.getByRole("table", { name: "Executions, newest first" });
    expect(headers()).toEqual(["Execution", "Function", "Status", "Duration", "Start", "Started", "Cost"]);
    const [, first, second] = within(table).getAllByRole("row");
    expect(within(first).getByRole("link", { name: "abcdef01" })).toHaveAttribute("href", "/executions/abcdef0123456789");
    expect(within(first).getByRole("link", { name: "add" })).toHaveAttribute("href", "/functions/fn000001xyz");
    expect(first).toHaveTextContent("v2");
    expect(first).toHaveTextContent("cold");
    expect(first).toHaveTextContent("$0.000100");
    expect(within(first).getByRole("time")).toHaveAttribute("datetime", "2025-01-02T03:04:05Z");
    expect(within(second).getAllByRole("cell").map((c) => c.textContent)).toEqual(["pending0", "add", "pending", "—", "—", "—", "—"]);
  });

  it("gives the version its own column where there is no function column", () => {
    renderTable(<ExecutionsTable rows={ROWS} caption="Recent executions of this function" />);
    expect(screen.getByRole("table", { name: "Recent executions of this function" })).toBeInTheDocument();
    expect(headers()).toEqual(["Execution", "Status", "Duration", "Start", "Version", "Started"]);
    const [, first, second] = screen.getAllByRole("row");
    expect(within(first).getAllByRole("cell")[4]).toHaveTextContent("v2");
    expect(within(second).getAllByRole("cell")[4]).toHaveTextContent("—");
    expect(screen.queryByRole("link", { name: "add" })).toBeNull();
  });
});
