import { screen, within } from "@testing-library/react";
import { Route, Routes } from "react-router";
import { renderPage, stubFetch } from "@/testing/harness";
import { FunctionDetailPage } from "./function-detail-page";
import { curlLine, functionUrl, urlAccess } from "./function-url";

const FN = {
  _id: "f1",
  id: "f1",
  owner: "team-b",
  name: "add two",
  description: "",
  code: "function add(a, b) { return a + b; }",
  runtime: "javascript",
  status: "active",
  config: { timeout: 5000, retryCount: 1, auth: "key" },
  version: 1,
  createdAt: "2025-03-01T10:00:00Z",
  updatedAt: "2025-03-01T10:00:00Z",
};
const KEYED = { owner: "team-b", scopes: ["deploy", "invoke", "read"], keyId: "k1", local: false };
const LOCAL = { owner: "local", scopes: ["admin", "deploy", "invoke", "read"], keyId: null, local: true };

afterEach(() => vi.unstubAllGlobals());

function renderDetail(fn: object, me: object) {
  stubFetch({ "/api/functions/f1": fn, "/api/me": me, "/api/functions/f1/executions": [] });
  renderPage(
    <Routes>
      <Route path="/functions/:id" element={<FunctionDetailPage />} />
    </Routes>,
    "/functions/f1",
  );
  return screen.findByRole("region", { name: "Invoke over HTTP" });
}

describe("the function URL", () => {
  it("names the owner and the function: /fn/<owner>/<name>", () => {
    expect(functionUrl("team-b", "add two", "https://s3c.example")).toBe("https://s3c.example/fn/team-b/add%20two");
  });

  it("adds the key header to the curl line only when the URL needs a key", () => {
    const url = "https://s3c.example/fn/team-b/add";
    expect(curlLine(url, true)).toBe(`curl -X POST ${url} -H "Authorization: Bearer $S3C_KEY" -H 'Content-Type: application/json' -d '[1,2]'`);
    expect(curlLine(url, false)).toBe(`curl -X POST ${url} -H 'Content-Type: application/json' -d '[1,2]'`);
  });

  it("needs a key unless the function is public (auth none) or the gateway is in local mode", () => {
    expect(urlAccess("key", false)).toBe("key");
    expect(urlAccess(undefined, false)).toBe("key");
    expect(urlAccess(undefined, undefined)).toBe("key");
    expect(urlAccess("none", false)).toBe("public");
    expect(urlAccess("none", true)).toBe("public");
    expect(urlAccess("key", true)).toBe("local");
  });

  it("shows the owner's URL and a curl line with the key header on the detail page", async () => {
    const card = await renderDetail(FN, KEYED);
    const url = `${window.location.origin}/fn/team-b/add%20two`;
    expect(await within(card).findByText(`curl -X POST ${url} -H "Authorization: Bearer $S3C_KEY" -H 'Content-Type: application/json' -d '[1,2]'`)).toBeInTheDocument();
    expect(within(card).getByText(url)).toBeInTheDocument();
    expect(within(card).getByText("Callers need an invoke key of its owner.")).toBeInTheDocument();
  });

  it("shows a public function's curl line without the key header", async () => {
    const card = await renderDetail({ ...FN, config: { ...FN.config, auth: "none" } }, KEYED);
    expect(within(card).getByText(/^curl /)).not.toHaveTextContent("Authorization");
    expect(within(card).getByText("Public: anyone with the URL can call it.")).toBeInTheDocument();
  });

  it("reads a function from before owners existed as owner local, and needs no key in local mode", async () => {
    const { owner: _owner, ...old } = FN;
    const card = await renderDetail({ ...old, config: { timeout: 5000, retryCount: 1 } }, LOCAL);
    expect(await within(card).findByText("Local mode: no key needed.")).toBeInTheDocument();
    expect(within(card).getByText(`${window.location.origin}/fn/local/add%20two`)).toBeInTheDocument();
    expect(within(card).getByText(/^curl /)).not.toHaveTextContent("Authorization");
  });
});
