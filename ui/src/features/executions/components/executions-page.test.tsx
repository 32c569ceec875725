import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route, Routes } from "react-router";
import { LiveProvider } from "@/lib/live";
import { LiveSocket } from "@/lib/ws";
import { FakeSocket } from "@/testing/harness";
import { ExecutionsPage } from "./executions-page";

const idOf = (i: number) => `run${String(i).padStart(5, "0")}${"x".repeat(24)}`;
const RECORDS = Array.from({ length: 120 }, (_, i) => ({
  id: idOf(i),
  _id: idOf(i),
  functionId: "f1",
  functionName: "add",
  functionVersion: 1,
  status: i % 10 === 0 ? "failed" : "completed",
  duration: 2.5,
  coldStart: i === 0,
  startTime: new Date(Date.now() - i * 1000).toISOString(),
}));

function setup(records = RECORDS) {
  const calls: URL[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (input: RequestInfo | URL) => {
      const url = new URL(String(input), "http://ui.test");
      calls.push(url);
      let data: unknown = null;
      if (url.pathname === "/api/functions") data = [{ id: "f1", name: "add" }, { id: "f2", name: "mul" }];
      if (url.pathname === "/api/executions") {
        const status = url.searchParams.get("status");
        const fid = url.searchParams.get("functionId");
        data = records
          .filter((r) => (!status || r.status === status) && (!fid || r.functionId === fid))
          .slice(0, Number(url.searchParams.get("limit")));
      }
      return { ok: true, status: 200, statusText: "", text: async () => JSON.stringify({ success: true, data }) } as Response;
    }),
  );
  const socket = new FakeSocket();
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <LiveProvider socket={new LiveSocket({ createSocket: () => socket, flushMs: 0 })}>
        <MemoryRouter initialEntries={["/executions"]}>
          <Routes>
            <Route path="/executions" element={<ExecutionsPage />} />
          </Routes>
        </MemoryRouter>
      </LiveProvider>
    </QueryClientProvider>,
  );
  const executionCalls = () => calls.filter((u) => u.pathname === "/api/executions");
  return { socket, executionCalls };
}

const rowLinks = () => within(screen.getByRole("table")).getAllByRole("link", { name: /^run\d{5}$/ });

afterEach(() => vi.unstubAllGlobals());

// Three 50-row tables in jsdom are slow on a busy machine: give the suite room.
describe("ExecutionsPage", { timeout: 20_000 }, () => {
  it("pages through the newest executions 50 at a time with Previous and Next", async () => {
    const user = userEvent.setup();
    const { executionCalls } = setup();
    await waitFor(() => expect(rowLinks()).toHaveLength(50));
    expect(executionCalls().at(-1)?.searchParams.get("limit")).toBe("51");
    expect(rowLinks()[0]).toHaveTextContent("run00000");
    expect(rowLinks()[0]).toHaveAttribute("href", `/executions/${idOf(0)}`);
    expect(screen.getByRole("button", { name: "Previous" })).toBeDisabled();

    await user.click(screen.getByRole("button", { name: "Next" }));
    await waitFor(() => expect(rowLinks()[0]).toHaveTextContent("run00050"));
    expect(executionCalls().at(-1)?.searchParams.get("limit")).toBe("101");
    expect(screen.getByText(/Showing 51–100/)).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Next" }));
    await waitFor(() => expect(rowLinks()).toHaveLength(20));
    expect(rowLinks()[0]).toHaveTextContent("run00100");
    expect(screen.getByRole("button", { name: "Next" })).toBeDisabled();

    await user.click(screen.getByRole("button", { name: "Previous" }));
    await waitFor(() => expect(rowLinks()[0]).toHaveTextContent("run00050"));
  });

  it("filters by status and by function (built from the function list), back on page 1", async () => {
    const user = userEvent.setup();
    const { executionCalls } = setup();
    await waitFor(() => expect(rowLinks()).toHaveLength(50));
    await user.click(screen.getByRole("button", { name: "Next" }));
    await waitFor(() => expect(rowLinks()[0]).toHaveTextContent("run00050"));

    await user.selectOptions(screen.getByLabelText("Status"), "failed");
    await waitFor(() => expect(rowLinks()).toHaveLength(12));
    const last = executionCalls().at(-1);
    expect(last?.searchParams.get("status")).toBe("failed");
    expect(last?.searchParams.get("limit")).toBe("51");
    expect(rowLinks()[0]).toHaveTextContent("run00000");

    const fn = screen.getByLabelText("Function");
    await waitFor(() => expect(within(fn).getByRole("option", { name: "mul" })).toBeInTheDocument());
    await user.selectOptions(fn, "mul");
    await waitFor(() => expect(screen.getByText("No executions match these filters.")).toBeInTheDocument());
    expect(executionCalls().at(-1)?.searchParams.get("functionId")).toBe("f2");
  });

  it("fills in a row's cost from a live cost_update", async () => {
    const { socket } = setup();
    await waitFor(() => expect(rowLinks()).toHaveLength(50));
    const row = rowLinks()[3].closest("tr") as HTMLElement;
    expect(row.lastElementChild).toHaveTextContent("—");
    socket.emit({ type: "cost_update", data: { executionId: idOf(3), totalCost: 0.00015, totalCostExact: "0.00015" }, timestamp: "t" });
    await waitFor(() => expect(row.lastElementChild).toHaveTextContent("$0.000150"));
  });

  it("shows the cost each record carries from the list API", async () => {
    const costed = RECORDS.map((r, i) => (i === 2 ? { ...r, cost: { totalCost: 0.00042, totalCostExact: "0.00042" } } : r));
    setup(costed);
    await waitFor(() => expect(rowLinks()).toHaveLength(50));
    expect(rowLinks()[2].closest("tr")?.lastElementChild).toHaveTextContent("$0.000420");
    expect(rowLinks()[1].closest("tr")?.lastElementChild).toHaveTextContent("—");
  });

  it("says when there are no executions yet", async () => {
    setup([]);
    expect(await screen.findByText(/No executions yet/)).toBeInTheDocument();
  });
});
