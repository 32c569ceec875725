import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router";
import { LiveProvider } from "@/lib/live";
import { LiveSocket } from "@/lib/ws";
import { FakeSocket } from "@/testing/harness";
import { RunPanel } from "./run-panel";

type Reply = { status?: number; body: unknown };
type Route = (url: string, init: RequestInit | undefined) => Reply | undefined;

/** A fetch that answers like the gateway (envelopes) and records every call. */
function stubFetch(route: Route) {
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const reply = route(url, init) ?? { status: 404, body: { success: false, error: `no stub for ${url}` } };
    const status = reply.status ?? 200;
    return { ok: status < 400, status, statusText: "", text: async () => JSON.stringify(reply.body) } as Response;
  });
  vi.stubGlobal("fetch", fetchMock);
  return fetchMock;
}

function renderPanel(props: { inactive?: boolean } = {}) {
  const socket = new FakeSocket();
  const live = new LiveSocket({ createSocket: () => socket, flushMs: 0 });
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <LiveProvider socket={live}>
        <MemoryRouter>
          <RunPanel functionId="f1" {...props} />
        </MemoryRouter>
      </LiveProvider>
    </QueryClientProvider>,
  );
  return { socket };
}

const ok = (data: unknown): Reply => ({ body: { success: true, data } });

const INVOKED = {
  executionId: "e1",
  status: "completed",
  output: 42,
  error: null,
  errorKind: null,
  duration: 11.8,
  coldStart: true,
  instanceId: "instance-1",
  logs: ["mul 6 7"],
  functionVersion: 3,
};

const COST = {
  executionId: "e1",
  tier: "basic",
  billedDurationMs: 100,
  baseCost: 0.0001,
  baseCostExact: "0.0001",
  coldStartCost: 0.00005,
  coldStartCostExact: "0.00005",
  retryCost: 0,
  retryCostExact: "0",
  dataTransferCost: 6.8359375e-9,
  dataTransferCostExact: "0.0000000068359375",
  totalCost: 0.0001500068359375,
  totalCostExact: "0.0001500068359375",
};

function costValue(result: HTMLElement, label: string): string {
  return within(result).getByText(label, { selector: "dt" }).nextElementSibling?.textContent ?? "";
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("RunPanel", () => {
  it("renders the Input textbox (with a JSON default), the Run button and an empty Result region", () => {
    stubFetch(() => undefined);
    renderPanel();
    const input = screen.getByRole("textbox", { name: "Input" });
    expect(JSON.parse((input as HTMLTextAreaElement).value)).toEqual([1, 2]);
    expect(screen.getByRole("button", { name: "Run" })).toBeEnabled();
    expect(screen.getByRole("region", { name: "Result" })).toHaveTextContent("Run the function");
  });

  it("refuses invalid JSON next to Input without calling the API", async () => {
    const user = userEvent.setup();
    const fetchMock = stubFetch(() => undefined);
    renderPanel();
    const input = screen.getByRole("textbox", { name: "Input" });
    await user.clear(input);
    await user.type(input, "[[1, 2"); // "[[" types one "["
    await user.click(screen.getByRole("button", { name: "Run" }));

    const alert = screen.getByRole("alert");
    expect(alert).toHaveTextContent("Input is not valid JSON");
    expect(input).toHaveAttribute("aria-invalid", "true");
    expect(input.getAttribute("aria-describedby")?.split(" ")).toContain(alert.id);
    expect(fetchMock).not.toHaveBeenCalled();

    // Fixing the text clears the error.
    await user.type(input, "]");
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("runs with the parsed input and shows output, status, duration, cold start, logs and the cost parts", async () => {
    const user = userEvent.setup();
    let detailCalls = 0;
    const fetchMock = stubFetch((url, init) => {
      if (url === "/api/functions/f1/invoke" && init?.method === "POST") return ok(INVOKED);
      if (url === "/api/executions/e1") {
        detailCalls += 1;
        // Billing has not priced the run on the first read: the panel must keep asking.
        return ok({ id: "e1", status: "completed", cost: detailCalls === 1 ? null : COST });
      }
      return undefined;
    });
    renderPanel();
    const input = screen.getByRole("textbox", { name: "Input" });
    await user.clear(input);
    await user.type(input, '{{"a": 6, "b": 7}');
    await user.click(screen.getByRole("button", { name: "Run" }));

    const result = screen.getByRole("region", { name: "Result" });
    await within(result).findByText("42");
    const invoke = fetchMock.mock.calls.find(([url]) => String(url) === "/api/functions/f1/invoke");
    expect(JSON.parse(String(invoke?.[1]?.body))).toEqual({ input: { a: 6, b: 7 } });

    expect(within(result).getByText("completed")).toBeInTheDocument();
    expect(within(result).getByText("11.8 ms")).toBeInTheDocument();
    expect(within(result).getByText("cold")).toBeInTheDocument();
    expect(within(result).getByText("mul 6 7")).toBeInTheDocument();
    expect(within(result).getByRole("link", { name: "e1" })).toHaveAttribute("href", "/executions/e1");

    expect(within(result).getByText("Costing…")).toBeInTheDocument();
    await waitFor(() => expect(within(result).getByText("Base")).toBeInTheDocument(), { timeout: 4000 });
    expect(detailCalls).toBeGreaterThanOrEqual(2);
    expect(costValue(result, "Total")).toBe("$0.0001500068359375");
    expect(costValue(result, "Base")).toBe("$0.0001");
    expect(costValue(result, "Cold start")).toBe("$0.00005");
    expect(costValue(result, "Retry")).toBe("$0");
    expect(costValue(result, "Transfer")).toBe("$0.0000000068359375");
  });

  it("takes the cost from the live cost_update message for that execution", async () => {
    const user = userEvent.setup();
    stubFetch((url) => {
      if (url === "/api/functions/f1/invoke") return ok({ ...INVOKED, coldStart: false });
      if (url === "/api/executions/e1") return ok({ id: "e1", status: "completed", cost: null });
      return undefined;
    });
    const { socket } = renderPanel();
    await user.click(screen.getByRole("button", { name: "Run" }));
    const result = screen.getByRole("region", { name: "Result" });
    await within(result).findByText("warm");
    expect(within(result).getByText("Costing…")).toBeInTheDocument();

    socket.emit({ type: "cost_update", data: { ...COST, executionId: "someone-else", totalCostExact: "9" }, timestamp: "t" });
    socket.emit({ type: "cost_update", data: COST, timestamp: "t" });
    await waitFor(() => expect(costValue(result, "Total")).toBe("$0.0001500068359375"));
  });

  it("shows a failed run's error, and an API refusal, inside Result", async () => {
    const user = userEvent.setup();
    let refuse = false;
    stubFetch((url) => {
      if (url === "/api/functions/f1/invoke")
        return refuse
          ? { status: 409, body: { success: false, error: "function 'mul' is inactive: activate it to run it", field: "status" } }
          : ok({ ...INVOKED, status: "failed", output: null, error: "Error: boom", errorKind: "runtime" });
      if (url === "/api/executions/e1") return ok({ id: "e1", status: "failed", cost: COST });
      return undefined;
    });
    renderPanel();
    await user.click(screen.getByRole("button", { name: "Run" }));
    const result = screen.getByRole("region", { name: "Result" });
    await within(result).findByText("failed");
    expect(result).toHaveTextContent("runtime: Error: boom");

    refuse = true;
    await user.click(screen.getByRole("button", { name: "Run" }));
    expect(await within(result).findByRole("alert")).toHaveTextContent("is inactive");
  });
});
