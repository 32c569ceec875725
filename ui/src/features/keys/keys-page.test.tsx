import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { failure, renderPage, stubFetch } from "@/testing/harness";
import KeysPage from "./index";

const ADMIN = { owner: "admin", scopes: ["admin"], keyId: null, local: false };
const KEYS = [
  { id: "k1", owner: "team-a", scopes: ["deploy", "invoke"], name: "ci-deploy", createdAt: "2025-03-01T10:00:00Z", revoked: false },
  { id: "k0", owner: "team-a", scopes: ["read"], name: "old-dashboard", createdAt: "2025-02-01T10:00:00Z", revoked: true },
];
const SECRET = "s3c_k2_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
const CREATED = { id: "k2", key: SECRET, owner: "team-b", scopes: ["read"], name: "team-b-reader", createdAt: "2025-03-02T10:00:00Z" };

function row(name: string) {
  const found = screen.getAllByRole("row").find((r) => r.querySelector("td")?.textContent?.startsWith(name));
  if (!found) throw new Error(`no row for ${name}`);
  return found;
}

const table = () => screen.findByRole("table", { name: "API keys" });

afterEach(() => vi.unstubAllGlobals());

describe("KeysPage", () => {
  it("lists every key with name, owner, scopes, created and status; only an active key can be revoked", async () => {
    stubFetch({ "/api/me": ADMIN, "/api/keys": KEYS });
    renderPage(<KeysPage />, "/keys");
    await table();
    const headers = screen.getAllByRole("columnheader").map((h) => h.textContent);
    expect(headers).toEqual(["Name", "Owner", "Scopes", "Created", "Status", "Actions"]);
    const active = row("ci-deploy");
    expect(active).toHaveTextContent("team-a");
    expect(active).toHaveTextContent("deploy, invoke");
    expect(within(active).getByText("active")).toBeInTheDocument();
    expect(within(active).getByRole("button", { name: /^Revoke/ })).toBeInTheDocument();
    const revoked = row("old-dashboard");
    expect(within(revoked).getByText("revoked")).toBeInTheDocument();
    expect(within(revoked).queryByRole("button", { name: /^Revoke/ })).not.toBeInTheDocument();
  });

  it("creates a key from the form and shows its secret once, with Copy and a warning", async () => {
    const posted: unknown[] = [];
    stubFetch({
      "/api/me": ADMIN,
      "/api/keys": (_url: URL, init: RequestInit) => {
        if (init.method !== "POST") return KEYS; // the read model has not caught up yet
        posted.push(JSON.parse(String(init.body)));
        return CREATED;
      },
    });
    const writeText = vi.fn().mockResolvedValue(undefined);
    vi.stubGlobal("navigator", { ...navigator, clipboard: { writeText } });
    renderPage(<KeysPage />, "/keys");
    const form = await screen.findByRole("form", { name: "Create key" });
    await userEvent.type(within(form).getByLabelText("Name"), "team-b-reader");
    await userEvent.type(within(form).getByLabelText("Owner"), "team-b");
    expect(within(form).getByRole("checkbox", { name: "read" })).toBeChecked();
    for (const scope of ["admin", "deploy", "invoke"]) expect(within(form).getByRole("checkbox", { name: scope })).not.toBeChecked();
    await userEvent.click(within(form).getByRole("button", { name: "Create key" }));

    const dialog = await screen.findByRole("dialog", { name: "Key created" });
    expect(posted).toEqual([{ name: "team-b-reader", owner: "team-b", scopes: ["read"] }]);
    expect(within(dialog).getByLabelText("Secret")).toHaveValue(SECRET);
    expect(dialog).toHaveTextContent("will not be shown again");
    await userEvent.click(within(dialog).getByRole("button", { name: "Copy" }));
    expect(writeText).toHaveBeenCalledWith(SECRET);
    expect(await within(dialog).findByText("Copied to the clipboard.")).toBeInTheDocument();

    await userEvent.click(within(dialog).getByRole("button", { name: "Done" }));
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(document.body).not.toHaveTextContent(SECRET);
    // The answer to the create is on record even before the list catches up.
    expect(row("team-b-reader")).toHaveTextContent("team-b");
    expect(within(row("team-b-reader")).getByText("active")).toBeInTheDocument();
    expect(within(screen.getByRole("form", { name: "Create key" })).getByLabelText("Name")).toHaveValue("");
  });

  it("asks before revoking, then shows the key revoked", async () => {
    const deletes: string[] = [];
    stubFetch({
      "/api/me": ADMIN,
      "/api/keys": KEYS,
      "/api/keys/k1": (_url: URL, init: RequestInit) => {
        deletes.push(String(init.method));
        return { id: "k1", revoked: true };
      },
    });
    renderPage(<KeysPage />, "/keys");
    await table();
    await userEvent.click(within(row("ci-deploy")).getByRole("button", { name: /^Revoke/ }));
    const dialog = screen.getByRole("dialog", { name: "Revoke ci-deploy?" });
    expect(deletes).toEqual([]);
    await userEvent.click(within(dialog).getByRole("button", { name: "Revoke" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(deletes).toEqual(["DELETE"]);
    expect(within(row("ci-deploy")).getByText("revoked")).toBeInTheDocument();
    expect(within(row("ci-deploy")).queryByRole("button", { name: /^Revoke/ })).not.toBeInTheDocument();
  });

  it("cancelling the confirmation revokes nothing", async () => {
    const deletes: string[] = [];
    stubFetch({ "/api/me": ADMIN, "/api/keys": KEYS, "/api/keys/k1": () => deletes.push("DELETE") });
    renderPage(<KeysPage />, "/keys");
    await table();
    await userEvent.click(within(row("ci-deploy")).getByRole("button", { name: /^Revoke/ }));
    await userEvent.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(deletes).toEqual([]);
    expect(within(row("ci-deploy")).getByText("active")).toBeInTheDocument();
  });

  it("shows a 403 as what the key cannot do and the scope it lacks", async () => {
    stubFetch({
      "/api/me": ADMIN,
      "/api/keys": (_url: URL, init: RequestInit) =>
        init.method === "POST" ? failure(403, "This key cannot create keys: it lacks the admin scope", "forbidden") : KEYS,
    });
    renderPage(<KeysPage />, "/keys");
    const form = await screen.findByRole("form", { name: "Create key" });
    await userEvent.click(within(form).getByRole("button", { name: "Create key" }));
    expect(await within(form).findByRole("alert")).toHaveTextContent("This key cannot create keys: it lacks the admin scope");
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
  });

  it("asks for a scope and a well-formed owner before sending anything", async () => {
    const { calls } = stubFetch({ "/api/me": ADMIN, "/api/keys": KEYS });
    renderPage(<KeysPage />, "/keys");
    const form = await screen.findByRole("form", { name: "Create key" });
    await userEvent.click(within(form).getByRole("checkbox", { name: "read" }));
    await userEvent.type(within(form).getByLabelText("Owner"), "team b!");
    await userEvent.click(within(form).getByRole("button", { name: "Create key" }));
    expect(within(form).getByText("Pick at least one scope.")).toBeInTheDocument();
    expect(within(form).getByLabelText("Owner")).toHaveAccessibleDescription(/Letters, digits, _ and - only/);
    expect(calls.filter((u) => u.pathname === "/api/keys")).toHaveLength(1); // the list, no create
  });

  it("offers no create form to a key without the admin scope", async () => {
    stubFetch({ "/api/me": { owner: "team-a", scopes: ["read"], keyId: "k1", local: false }, "/api/keys": [KEYS[0]] });
    renderPage(<KeysPage />, "/keys");
    await table();
    expect(await screen.findByText(/Only an admin key can create keys/)).toBeInTheDocument();
    expect(screen.queryByRole("form", { name: "Create key" })).not.toBeInTheDocument();
  });
});
