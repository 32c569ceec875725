// The frame with auth: the sign-in dialog a 401 opens, the key on every request and on the live
// socket, the owner in the header, Sign out, and the Keys link for admin keys only.
import { cleanup, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useQuery } from "@tanstack/react-query";
import { Route, Routes } from "react-router";
import { api } from "@/lib/api";
import { session } from "@/lib/session";
import { authorization, failure, renderPage, stubFetch, type Routes as ApiRoutes } from "@/testing/harness";
import { Layout } from "./layout";

const ADMIN = { owner: "team-a", scopes: ["admin"], keyId: "k1", local: false };
const LOCAL = { owner: "local", scopes: ["admin", "deploy", "invoke", "read"], keyId: null, local: true };
const FUNCTIONS = [{ id: "f1", name: "adder" }];

function Probe() {
  const functions = useQuery({ queryKey: ["functions", "list"], queryFn: () => api.get<typeof FUNCTIONS>("/api/functions") });
  return <p>{functions.data ? `functions: ${functions.data.map((f) => f.name).join(", ")}` : "no functions"}</p>;
}

function renderFrame() {
  return renderPage(
    <Routes>
      <Route element={<Layout />}>
        <Route path="/" element={<Probe />} />
      </Route>
    </Routes>,
  );
}

/** A gateway that knows one key, `good`, and answers 401 to anything else. */
function keyedGateway(me: object = ADMIN): ApiRoutes {
  const guarded = (data: unknown) => (_url: URL, init: RequestInit) => {
    const auth = authorization(init);
    if (auth === "Bearer good") return data;
    return failure(401, auth ? "invalid API key" : "missing API key", "unauthorized");
  };
  return { "/api/me": guarded(me), "/api/functions": guarded(FUNCTIONS) };
}

afterEach(() => {
  cleanup(); // unmount first: signing out must not update a page that is still mounted
  vi.unstubAllGlobals();
  session.signOut();
  sessionStorage.clear();
});

describe("the frame with authentication", () => {
  it("asks for a key on the first 401 in a dialog with a password field", async () => {
    stubFetch(keyedGateway());
    renderFrame();
    const dialog = await screen.findByRole("dialog", { name: "Sign in" });
    expect(within(dialog).getByLabelText("API key")).toHaveAttribute("type", "password");
    expect(within(dialog).getByRole("button", { name: "Sign in" })).toBeInTheDocument();
    expect(await screen.findByText("Not signed in")).toBeInTheDocument();
  });

  it("shows the gateway's 401 message in the dialog for a wrong key and keeps nothing", async () => {
    stubFetch(keyedGateway());
    renderFrame();
    const dialog = await screen.findByRole("dialog", { name: "Sign in" });
    await userEvent.type(within(dialog).getByLabelText("API key"), "s3c_wrong");
    await userEvent.click(within(dialog).getByRole("button", { name: "Sign in" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent("invalid API key");
    expect(sessionStorage.getItem("s3c.apiKey")).toBeNull();
    expect(screen.getByRole("dialog", { name: "Sign in" })).toBeInTheDocument();
  });

  it("signs in with a good key: keeps it for the session, refetches with it and reconnects the socket with it", async () => {
    const { inits, calls } = stubFetch(keyedGateway());
    const { socket } = renderFrame();
    const dialog = await screen.findByRole("dialog", { name: "Sign in" });
    await waitFor(() => expect(socket.urls).toEqual(["ws://ui.test/ws"]));
    await userEvent.type(within(dialog).getByLabelText("API key"), "good");
    await userEvent.click(within(dialog).getByRole("button", { name: "Sign in" }));

    expect(await screen.findByText("functions: adder")).toBeInTheDocument();
    expect(screen.queryByRole("dialog", { name: "Sign in" })).not.toBeInTheDocument();
    expect(await screen.findByText("Signed in as team-a")).toBeInTheDocument();
    expect(sessionStorage.getItem("s3c.apiKey")).toBe("good");
    const lastFunctionsCall = calls.map((u, i) => [u.pathname, inits[i]] as const).filter(([p]) => p === "/api/functions").at(-1);
    expect(authorization(lastFunctionsCall?.[1])).toBe("Bearer good");
    expect(socket.urls).toEqual(["ws://ui.test/ws", "ws://ui.test/ws?token=good"]);
  });

  it("signs out from the header: forgets the key and asks again", async () => {
    stubFetch(keyedGateway());
    session.signIn("good");
    renderFrame();
    expect(await screen.findByText("Signed in as team-a")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Sign out" }));
    expect(sessionStorage.getItem("s3c.apiKey")).toBeNull();
    expect(await screen.findByRole("dialog", { name: "Sign in" })).toBeInTheDocument();
    expect(screen.queryByText("functions: adder")).not.toBeInTheDocument();
  });

  it("changes nothing in local mode: no dialog, no key sent, no Sign out, 'Local mode' in the header", async () => {
    const { inits } = stubFetch({ "/api/me": LOCAL, "/api/functions": FUNCTIONS });
    const { socket } = renderFrame();
    expect(await screen.findByText("functions: adder")).toBeInTheDocument();
    expect(await screen.findByText("Local mode")).toBeInTheDocument();
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Sign out" })).not.toBeInTheDocument();
    expect(inits.map(authorization)).toEqual(inits.map(() => null));
    await waitFor(() => expect(socket.urls).toEqual(["ws://ui.test/ws"]));
  });

  it("links to Keys only when the key has the admin scope", async () => {
    stubFetch({ "/api/me": { ...ADMIN, owner: "team-b", scopes: ["read", "invoke"] }, "/api/functions": FUNCTIONS });
    session.signIn("reader");
    const view = renderFrame();
    expect(await screen.findByText("Signed in as team-b")).toBeInTheDocument();
    const nav = screen.getByRole("navigation");
    expect(within(nav).getByRole("link", { name: "Load test" })).toBeInTheDocument();
    expect(within(nav).queryByRole("link", { name: "Keys" })).not.toBeInTheDocument();
    view.unmount();

    stubFetch({ "/api/me": ADMIN, "/api/functions": FUNCTIONS });
    renderFrame();
    const adminNav = await screen.findByRole("navigation");
    expect(await within(adminNav).findByRole("link", { name: "Keys" })).toHaveAttribute("href", "/keys");
  });
});
