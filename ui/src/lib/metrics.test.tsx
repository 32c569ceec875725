import type { ReactNode } from "react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { renderHook, waitFor } from "@testing-library/react";
import { stubFetch } from "@/testing/harness";
import { ApiError } from "./api";
import { ROOTS } from "./live-cache";
import { useMetrics, useTimeseries } from "./metrics";

const SERIES = { bucketSeconds: 60, points: [], queue: [{ t: "2025-01-02T03:04:00Z", queueLength: 3, instances: 2 }] };

function wrapper() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const Wrapper = ({ children }: { children: ReactNode }) => <QueryClientProvider client={client}>{children}</QueryClientProvider>;
  return { client, Wrapper };
}

afterEach(() => vi.unstubAllGlobals());

describe("useTimeseries", () => {
  it("fetches the window asked for", async () => {
    const { calls } = stubFetch({ "/api/metrics/timeseries": SERIES });
    const { Wrapper } = wrapper();
    const { result } = renderHook(() => useTimeseries(15), { wrapper: Wrapper });
    await waitFor(() => expect(result.current.data).toEqual(SERIES));
    expect(calls.map((u) => u.searchParams.get("minutes"))).toEqual(["15"]);
  });

  it("refetches when the live cache marks the metrics stale", async () => {
    const { calls } = stubFetch({ "/api/metrics/timeseries": SERIES, "/api/metrics": { totalExecutions: 1 } });
    const { client, Wrapper } = wrapper();
    const { result } = renderHook(() => [useTimeseries(15), useMetrics()] as const, { wrapper: Wrapper });
    await waitFor(() => expect(result.current.every((q) => q.isSuccess)).toBe(true));
    await client.invalidateQueries({ queryKey: [ROOTS.metrics] });
    expect(calls.map((u) => u.pathname).sort()).toEqual(["/api/metrics", "/api/metrics", "/api/metrics/timeseries", "/api/metrics/timeseries"]);
  });

  it("says a gateway without the endpoint does not serve it, keeping the 404", async () => {
    stubFetch({});
    const { Wrapper } = wrapper();
    const { result } = renderHook(() => useTimeseries(15), { wrapper: Wrapper });
    await waitFor(() => expect(result.current.isError).toBe(true));
    expect(result.current.error).toBeInstanceOf(ApiError);
    expect(result.current.error).toMatchObject({ status: 404, message: "This gateway does not serve the metrics timeseries yet." });
  });
});
