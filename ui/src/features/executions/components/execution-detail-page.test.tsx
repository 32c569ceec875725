import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor, within } from "@testing-library/react";
import { MemoryRouter, Route, Routes } from "react-router";
import { ExecutionDetailPage } from "./execution-detail-page";

const BASE = {
  id: "e1",
  _id: "e1",
  functionId: "f1",
  functionName: "boom",
  functionVersion: 2,
  mode: "async",
  input: [1, 2],
  logs: [],
  tier: "basic",
  startTime: new Date().toISOString(),
};

const DONE = {
  ...BASE,
  status: "failed",
  output: null,
  error: "Error: boom 2",
  errorKind: "runtime",
  duration: 3.5,
  retryCount: 1,
  coldStart: true,
  logs: ["trying"],
  attempts: [
    { attempt: 2, instanceId: "instance-b", coldStart: false, durationMs: 1.5, startedAt: BASE.startTime, endedAt: BASE.startTime, error: { kind: "runtime", message: "Error: boom 2" } },
    { attempt: 1, instanceId: "instance-a", coldStart: true, durationMs: 2, startedAt: BASE.startTime, endedAt: BASE.startTime, error: { kind: "timeout", message: "timed out after 30000 ms" } },
  ],
  cost: {
    tier: "basic",
    baseCost: 0.0001,
    baseCostExact: "0.0001",
    coldStartCost: 0.00005,
    coldStartCostExact: "0.00005",
    retryCost: 0.00002,
    retryCostExact: "0.00002",
    dataTransferCost: 4.8828125e-9,
    dataTransferCostExact: "0.0000000048828125",
    totalCost: 0.0001700048828125,
    totalCostExact: "0.0001700048828125",
  },
};

function setup(replies: unknown[]) {
  let n = 0;
  const fetchMock = vi.fn(async () => {
    const data = replies[Math.min(n, replies.length - 1)];
    n += 1;
    const body = data === 404 ? { success: false, error: "execution 'e1' not found" } : { success: true, data };
    const status = data === 404 ? 404 : 200;
    return { ok: status === 200, status, statusText: "", text: async () => JSON.stringify(body) } as Response;
  });
  vi.stubGlobal("fetch", fetchMock);
  render(
    <QueryClientProvider client={new QueryClient()}>
      <MemoryRouter initialEntries={["/executions/e1"]}>
        <Routes>
          <Route path="/executions/:id" element={<ExecutionDetailPage />} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
  return fetchMock;
}

afterEach(() => vi.unstubAllGlobals());

describe("ExecutionDetailPage", () => {
  it("shows the attempts in order, the error, input, logs, function link and the cost", async () => {
    setup([DONE]);
    await screen.findByRole("heading", { level: 1, name: "Execution e1" });
    expect(screen.getByRole("link", { name: "boom" })).toHaveAttribute("href", "/functions/f1");
    const attempts = within(screen.getByRole("region", { name: "Attempts" })).getAllByRole("listitem");
    expect(attempts[0]).toHaveTextContent(/Attempt 1.*cold start.*instance-a.*timeout: timed out after 30000 ms/);
    expect(attempts[1]).toHaveTextContent(/Attempt 2.*warm start.*instance-b.*runtime: Error: boom 2/);
    expect(within(screen.getByRole("region", { name: "Error" })).getByText("runtime: Error: boom 2")).toBeInTheDocument();
    expect(screen.getByRole("region", { name: "Logs" })).toHaveTextContent("trying");
    const cost = screen.getByLabelText("Cost breakdown");
    expect(within(cost).getByText("Retry").nextElementSibling).toHaveTextContent("$0.00002");
    expect(within(cost).getByText("Total").nextElementSibling).toHaveTextContent("$0.0001700048828125");
  });

  it("keeps a running execution fresh until it ends and is priced", async () => {
    const fetchMock = setup([{ ...BASE, status: "running", attempts: [], cost: null }, DONE]);
    expect(await screen.findByText("Updating live…")).toBeInTheDocument();
    expect(screen.getByText("Priced when the run ends.")).toBeInTheDocument();
    await waitFor(() => expect(screen.getByLabelText("Cost breakdown")).toBeInTheDocument(), { timeout: 3000 });
    expect(screen.queryByText("Updating live…")).not.toBeInTheDocument();
    expect(fetchMock.mock.calls.length).toBeGreaterThanOrEqual(2);
  });

  it("waits out a just-queued execution that the read model does not know yet", async () => {
    setup([404, { ...BASE, status: "pending", attempts: [], cost: null }]);
    expect(await screen.findByText("Updating live…", undefined, { timeout: 3000 })).toBeInTheDocument();
    expect(screen.getByText("Waiting for a worker to pick it up…")).toBeInTheDocument();
  });
});
