import { act, screen, waitFor, within } from "@testing-library/react";
import { startOfTodayUtc } from "@/lib/format";
import DashboardPage from "./index";
import { renderPage, stubFetch, stubResizeObserver } from "@/testing/harness";

const metrics = {
  totalExecutions: 1234,
  completedExecutions: 1000,
  failedExecutions: 200,
  pendingExecutions: 30,
  runningExecutions: 4,
  successRate: 83.33,
  averageExecutionTime: 12.5,
  p50ExecutionTime: 3.25,
  p99ExecutionTime: 250,
  executionsPerSecond: 2.5,
  currentInstances: 7,
  queueLength: 15,
};

const costs = { totalExecutions: 1200, totalSystemCost: 0.1234, totalSystemCostExact: "0.123456789" };

function region(name: string) {
  return screen.getByRole("region", { name });
}

beforeEach(() => stubResizeObserver());
afterEach(() => vi.unstubAllGlobals());

describe("DashboardPage", () => {
  it("shows the four contract cards with their exact headings and figures", async () => {
    const { calls } = stubFetch({
      "/api/metrics": metrics,
      "/api/costs/system": costs,
      "/api/metrics/timeseries": { bucketSeconds: 60, points: [], queue: [] },
      "/api/executions": [],
    });
    renderPage(<DashboardPage />);
    for (const heading of ["Executions", "Success rate", "Instances", "Cost today"]) {
      expect(screen.getByRole("heading", { level: 2, name: heading })).toBeInTheDocument();
    }
    await waitFor(() => expect(within(region("Executions")).getByText("1,234")).toBeInTheDocument());
    expect(within(region("Executions")).getByText("4 running · 30 pending")).toBeInTheDocument();
    expect(within(region("Success rate")).getByText("83.3%")).toBeInTheDocument();
    expect(within(region("Instances")).getByText("7")).toBeInTheDocument();
    expect(within(region("Instances")).getByText("15 queued")).toBeInTheDocument();
    await waitFor(() => expect(within(region("Cost today")).getByText("$0.123457")).toBeInTheDocument());
    expect(within(region("Duration")).getByText("3.25 ms")).toBeInTheDocument();
    expect(within(region("Duration")).getByText("250 ms")).toBeInTheDocument();
    // Today's cost is asked from the start of the UTC day.
    const costCall = calls.find((u) => u.pathname === "/api/costs/system");
    expect(costCall?.searchParams.get("startDate")).toBe(startOfTodayUtc());
    // No runs in the window: the chart says so instead of drawing a flat line.
    expect(await screen.findByText("No executions in the last 15 minutes.")).toBeInTheDocument();
  });

  it("refetches the figures when the live socket reports finished runs", async () => {
    let total = 10;
    stubFetch({
      "/api/metrics": () => ({ ...metrics, totalExecutions: total }),
      "/api/costs/system": costs,
      "/api/metrics/timeseries": { bucketSeconds: 60, points: [], queue: [] },
      "/api/executions": [],
    });
    const { socket } = renderPage(<DashboardPage />);
    await socket.connected();
    await waitFor(() => expect(within(region("Executions")).getByText("10")).toBeInTheDocument());
    total = 15;
    act(() => socket.emit({ type: "execution_completed", timestamp: new Date().toISOString(), data: { executionId: "x1", functionName: "add", status: "completed", duration: 1 } }));
    await waitFor(() => expect(within(region("Executions")).getByText("15")).toBeInTheDocument());
  });

  it("lists finished runs from the socket, newest first, linking to each execution", async () => {
    stubFetch({
      "/api/metrics": metrics,
      "/api/costs/system": costs,
      "/api/metrics/timeseries": { bucketSeconds: 60, points: [], queue: [] },
      "/api/executions": [],
    });
    const { socket } = renderPage(<DashboardPage />);
    await socket.connected();
    const feed = region("Latest executions");
    expect(await within(feed).findByText(/No executions yet/)).toBeInTheDocument();
    const at = new Date().toISOString();
    act(() =>
      socket.emit(
        { type: "execution_started", timestamp: at, data: { executionId: "s1", status: "running" } },
        { type: "execution_completed", timestamp: at, data: { executionId: "a1", functionName: "first", status: "completed", duration: 4.5, cost: { totalCost: 0.0001 } } },
        { type: "execution_failed", timestamp: at, data: { executionId: "a2", functionName: "second", status: "failed", duration: 12 } },
      ),
    );
    const links = await within(feed).findAllByRole("link");
    expect(links.map((a) => a.getAttribute("href"))).toEqual(["/executions/a2", "/executions/a1"]);
    expect(links[0]).toHaveTextContent("second");
    expect(links[0]).toHaveTextContent("failed");
    expect(links[0]).toHaveTextContent("12.0 ms");
    expect(links[1]).toHaveTextContent("$0.000100");
    expect(links[1]).toHaveTextContent("4.50 ms");
  });

  it("keeps the feed to twenty rows during a burst", async () => {
    stubFetch({
      "/api/metrics": metrics,
      "/api/costs/system": costs,
      "/api/metrics/timeseries": { bucketSeconds: 60, points: [], queue: [] },
      "/api/executions": [],
    });
    const { socket } = renderPage(<DashboardPage />);
    await socket.connected();
    const at = new Date().toISOString();
    act(() =>
      socket.emit(
        ...Array.from({ length: 150 }, (_, i) => ({
          type: "execution_completed",
          timestamp: at,
          data: { executionId: `b${i}`, functionName: "burst", status: "completed", duration: 1 },
        })),
      ),
    );
    const links = await within(region("Latest executions")).findAllByRole("link");
    expect(links).toHaveLength(20);
    expect(links[0]).toHaveAttribute("href", "/executions/b149");
  });

  it("draws the executions rate and describes it when runs happened", async () => {
    const now = Date.now() - 120_000;
    const t = (i: number) => new Date(now + i * 60_000).toISOString();
    stubFetch({
      "/api/metrics": metrics,
      "/api/costs/system": costs,
      "/api/metrics/timeseries": {
        bucketSeconds: 60,
        points: [
          { t: t(0), completed: 60, failed: 0, executionsPerSecond: 1, avgMs: 2, p50Ms: 2, p99Ms: 3 },
          { t: t(1), completed: 150, failed: 30, executionsPerSecond: 3, avgMs: 2, p50Ms: 2, p99Ms: 3 },
        ],
        queue: [],
      },
      "/api/executions": [],
    });
    renderPage(<DashboardPage />);
    const chart = await screen.findByRole("figure");
    expect(chart).toHaveAccessibleName(/latest minute 3\.0\/s, peak 3\.0\/s, 240 runs/);
    expect(screen.queryByText(/No executions in the last/)).not.toBeInTheDocument();
  });

  it("shows an error, not a blank page, when the API fails", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response(JSON.stringify({ success: false, error: "boom" }), { status: 500 })));
    renderPage(<DashboardPage />);
    expect((await screen.findAllByRole("alert")).some((a) => a.textContent?.includes("boom"))).toBe(true);
    expect(screen.getByRole("heading", { level: 1, name: "Dashboard" })).toBeInTheDocument();
  });
});
