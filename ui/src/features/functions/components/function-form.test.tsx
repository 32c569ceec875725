import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { ApiError } from "@/lib/api";
import { EMPTY_DRAFT, fieldOf, FunctionForm } from "./function-form";

// jsdom has no layout: give CodeMirror's measuring the empty rectangles it expects.
beforeAll(() => {
  const empty = () => Object.assign([], { item: () => null }) as unknown as DOMRectList;
  Range.prototype.getClientRects ??= empty;
  Range.prototype.getBoundingClientRect ??= () => new DOMRect();
});

function renderForm(error: unknown = null, onSubmit = vi.fn()) {
  render(<FunctionForm initial={EMPTY_DRAFT} submitLabel="Create" pending={false} error={error} onSubmit={onSubmit} />);
  return onSubmit;
}

describe("FunctionForm", () => {
  it("labels every field and submits the draft with the defaults", async () => {
    const user = userEvent.setup();
    const onSubmit = renderForm();
    await user.type(screen.getByLabelText("Name"), "add");
    expect(screen.getByLabelText("Timeout (ms)")).toHaveValue(30000);
    expect(screen.getByLabelText("Retries")).toHaveValue(3);
    expect(screen.getByLabelText("Runtime")).toHaveValue("javascript");
    // The editor is lazy; its contenteditable carries the name "Code".
    expect(await screen.findByRole("textbox", { name: "Code" })).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Create" }));
    expect(onSubmit).toHaveBeenCalledWith({
      name: "add",
      description: "",
      code: EMPTY_DRAFT.code,
      runtime: "javascript",
      config: { timeout: 30000, retryCount: 3 },
    });
  });

  it("shows the compiler's message under Code, tied to the editor", async () => {
    renderForm(new ApiError(400, "code does not compile: SyntaxError: Unexpected token '}'", "code", "invalid"));
    const editor = await screen.findByRole("textbox", { name: "Code" });
    const alert = screen.getByRole("alert");
    expect(alert).toHaveTextContent("SyntaxError: Unexpected token '}'");
    await waitFor(() => expect(editor.getAttribute("aria-describedby")?.split(" ")).toContain(alert.id));
    expect(editor).toHaveAttribute("aria-invalid", "true");
  });

  it("puts a config error under its field", () => {
    renderForm(new ApiError(400, "config.timeout: Input should be greater than or equal to 1", "config.timeout"));
    expect(screen.getByLabelText("Timeout (ms)")).toHaveAccessibleDescription(/greater than or equal to 1/);
    expect(screen.getByLabelText("Retries")).not.toHaveAccessibleDescription(/greater/);
  });

  it("puts an error that names no field at the top of the form", () => {
    renderForm(new ApiError(0, "The gateway cannot be reached."));
    const alert = screen.getByRole("alert");
    expect(alert).toHaveTextContent("The gateway cannot be reached.");
    expect(alert.closest("form")?.firstElementChild).toBe(alert);
    expect(screen.getByLabelText("Name")).not.toHaveAccessibleDescription(/gateway/);
  });

  it("updates the tier hint live from the timeout", async () => {
    const user = userEvent.setup();
    renderForm();
    expect(screen.getByText(/Tier:/)).toHaveTextContent("Tier: basic · $0.0001 per 100 ms");
    const timeout = screen.getByLabelText("Timeout (ms)");
    await user.clear(timeout);
    await user.type(timeout, "130000");
    expect(screen.getByText(/Tier:/)).toHaveTextContent("Tier: enterprise · $0.002 per 100 ms");
  });
});

describe("fieldOf", () => {
  it("maps the API's field names onto the form's fields", () => {
    expect(fieldOf(new ApiError(400, "m", "code"))).toBe("code");
    expect(fieldOf(new ApiError(400, "m", "config.retryCount"))).toBe("retryCount");
    expect(fieldOf(new ApiError(409, "m", "name"))).toBe("name");
    expect(fieldOf(new ApiError(400, "m", "config.memory"))).toBeNull();
    expect(fieldOf(new ApiError(500, "m"))).toBeNull();
    expect(fieldOf(new Error("m"))).toBeNull();
  });
});
