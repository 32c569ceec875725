import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import MonitoringPage from "./index";
import { renderPage, stubFetch, stubResizeObserver } from "@/testing/harness";

const metrics = {
  totalExecutions: 500,
  executionsPerSecond: 4.2,
  p50ExecutionTime: 2.5,
  p99ExecutionTime: 120,
  runningExecutions: 3,
  pendingExecutions: 8,
  currentInstances: 3,
  queueLength: 12,
};

const recent = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();

const timeseries = () => ({
  bucketSeconds: 60,
  points: [
    { t: recent(2), completed: 120, failed: 0, executionsPerSecond: 2, avgMs: 3, p50Ms: 2, p99Ms: 9 },
    { t: recent(1), completed: 170, failed: 10, executionsPerSecond: 3, avgMs: 4, p50Ms: 2.5, p99Ms: 40 },
  ],
  queue: [
    { t: recent(2), queueLength: 0, instances: 1 },
    { t: recent(1), queueLength: 14, instances: 2 },
  ],
});

const history = [
  { action: "scale_up", instanceCount: 3, previousCount: 2, queueLength: 18, reason: "Queue length: 18", timestamp: recent(0.5) },
  { action: "scale_down", instanceCount: 1, previousCount: 2, queueLength: 0, reason: "Queue length: 0", timestamp: recent(10) },
];

beforeEach(() => stubResizeObserver());
afterEach(() => vi.unstubAllGlobals());

describe("MonitoringPage", () => {
  it("shows the current figures, the charts' summaries and the scaling reasons", async () => {
    const { calls } = stubFetch({
      "/api/metrics": metrics,
      "/api/metrics/timeseries": timeseries,
      "/api/metrics/scaling-history": history,
    });
    renderPage(<MonitoringPage />, "/monitoring");
    const now = screen.getByRole("region", { name: "Now" });
    await waitFor(() => expect(within(now).getByText("12")).toBeInTheDocument());
    expect(within(now).getByText("Queue length")).toBeInTheDocument();
    expect(within(now).getByText("4.2/s")).toBeInTheDocument();
    expect(within(now).getByText("3")).toBeInTheDocument();

    expect(await screen.findByRole("figure", { name: /^Executions per second.*latest 3\.0\/s, peak 3\.0\/s, 300 runs/ })).toBeInTheDocument();
    expect(screen.getByRole("figure", { name: /duration.*p50 2\.50 ms, p99 40\.0 ms/ })).toBeInTheDocument();
    expect(screen.getByRole("figure", { name: /now 14 queued on 2 instances/ })).toBeInTheDocument();

    const table = await within(screen.getByRole("region", { name: "Scaling events" })).findByRole("table");
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent("Scale up");
    expect(rows[0]).toHaveTextContent("2 → 3");
    expect(rows[0]).toHaveTextContent("Queue length: 18");
    expect(rows[1]).toHaveTextContent("Scale down");
    expect(calls.find((u) => u.pathname === "/api/metrics/scaling-history")?.searchParams.get("limit")).toBe("50");
    expect(calls.find((u) => u.pathname === "/api/metrics/timeseries")?.searchParams.get("minutes")).toBe("15");
  });

  it("follows a live scaling event: the capacity chart and the table update without a reload", async () => {
    let events = history;
    stubFetch({
      "/api/metrics": metrics,
      "/api/metrics/timeseries": timeseries,
      "/api/metrics/scaling-history": () => events,
    });
    const { socket } = renderPage(<MonitoringPage />, "/monitoring");
    await socket.connected();
    await screen.findByRole("figure", { name: /now 14 queued on 2 instances/ });
    const fresh = { action: "scale_up", instanceCount: 5, previousCount: 3, queueLength: 40, reason: "Queue length: 40", timestamp: new Date().toISOString() };
    events = [fresh, ...history];
    act(() => socket.emit({ type: "scaling_event", timestamp: fresh.timestamp, data: fresh }));
    expect(await screen.findByRole("figure", { name: /now 40 queued on 5 instances/ })).toBeInTheDocument();
    const region = screen.getByRole("region", { name: "Scaling events" });
    await waitFor(() => expect(within(region).getByText("Queue length: 40")).toBeInTheDocument());
  });

  it("shows the latest ten scaling events, and all of them on request", async () => {
    const many = Array.from({ length: 12 }, (_, i) => ({ ...history[0], reason: `Queue length: ${100 + i}`, timestamp: recent(i) }));
    stubFetch({ "/api/metrics": metrics, "/api/metrics/timeseries": timeseries, "/api/metrics/scaling-history": many });
    renderPage(<MonitoringPage />, "/monitoring");
    const region = screen.getByRole("region", { name: "Scaling events" });
    const table = await within(region).findByRole("table");
    expect(within(table).getAllByRole("row")).toHaveLength(11);
    expect(within(table).queryByText("Queue length: 111")).not.toBeInTheDocument();
    await userEvent.click(within(region).getByRole("button", { name: "Show all 12" }));
    expect(within(table).getAllByRole("row")).toHaveLength(13);
    expect(within(table).getByText("Queue length: 111")).toBeInTheDocument();
  });

  it("says so when nothing ran in the window", async () => {
    stubFetch({
      "/api/metrics": metrics,
      "/api/metrics/timeseries": { bucketSeconds: 60, points: [], queue: [] },
      "/api/metrics/scaling-history": [],
    });
    renderPage(<MonitoringPage />, "/monitoring");
    expect(await screen.findAllByText("No executions in the last 15 minutes.")).toHaveLength(2);
    expect(screen.getByText("No queue samples in the last 15 minutes.")).toBeInTheDocument();
    expect(await screen.findByText(/No scaling events yet/)).toBeInTheDocument();
  });

  it("shows an error state when the timeseries is missing", async () => {
    stubFetch({ "/api/metrics": metrics, "/api/metrics/scaling-history": [] });
    renderPage(<MonitoringPage />, "/monitoring");
    const alerts = await screen.findAllByRole("alert");
    expect(alerts[0]).toHaveTextContent("does not serve the metrics timeseries yet");
  });
});
