import { useState } from "react";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { FunctionRecord } from "@/lib/types";
import { DEFAULTS, validate, type FormErrors, type FormValues } from "../lib/form";
import { LoadTestForm } from "./LoadTestForm";

const fn = (id: string, name: string) => ({ id, _id: id, name, status: "active" }) as FunctionRecord;
const FUNCTIONS = [fn("f1", "add"), fn("f2", "echo")];

function Harness({ running = false, onStart = vi.fn(), onStop = vi.fn() }: { running?: boolean; onStart?: (v: FormValues) => void; onStop?: () => void }) {
  const [values, setValues] = useState<FormValues>({ ...DEFAULTS, functionId: "f1" });
  const [errors, setErrors] = useState<FormErrors>({});
  return (
    <LoadTestForm
      functions={FUNCTIONS}
      values={values}
      errors={errors}
      running={running}
      onChange={setValues}
      onStop={onStop}
      onStart={() => {
        const checked = validate(values);
        if ("errors" in checked) setErrors(checked.errors);
        else onStart(values);
      }}
    />
  );
}

describe("LoadTestForm", () => {
  it("renders every field by its visible label, with the defaults", () => {
    render(<Harness />);
    const select = screen.getByLabelText("Function") as HTMLSelectElement;
    expect(select.tagName).toBe("SELECT");
    expect(select.value).toBe("f1");
    expect(screen.getByRole("option", { name: "echo" })).toBeInTheDocument();
    expect(screen.getByLabelText("Executions")).toHaveValue(50);
    expect(screen.getByLabelText("Executions")).toHaveAttribute("max", "10000");
    expect(screen.getByLabelText("Concurrency")).toHaveValue(5);
    expect(screen.getByLabelText("Concurrency")).toHaveAttribute("max", "200");
    expect(screen.getByLabelText("Input")).toHaveValue("[1, 2]");
    const mode = screen.getByLabelText("Mode") as HTMLSelectElement;
    expect(mode.value).toBe("execute");
    expect([...mode.options].map((o) => o.value)).toEqual(["execute", "invoke"]);
    expect(screen.getByRole("button", { name: "Start" })).toBeEnabled();
    expect(screen.getByRole("button", { name: "Stop" })).toBeDisabled();
  });

  it("starts with what the user typed", async () => {
    const user = userEvent.setup();
    const onStart = vi.fn();
    render(<Harness onStart={onStart} />);
    await user.selectOptions(screen.getByLabelText("Function"), "echo");
    await user.clear(screen.getByLabelText("Executions"));
    await user.type(screen.getByLabelText("Executions"), "120");
    await user.selectOptions(screen.getByLabelText("Mode"), "invoke");
    await user.click(screen.getByRole("button", { name: "Start" }));
    expect(onStart).toHaveBeenCalledWith(expect.objectContaining({ functionId: "f2", executions: "120", mode: "invoke" }));
  });

  it("shows what is wrong next to the field, and does not start", async () => {
    const user = userEvent.setup();
    const onStart = vi.fn();
    render(<Harness onStart={onStart} />);
    await user.clear(screen.getByLabelText("Concurrency"));
    await user.type(screen.getByLabelText("Concurrency"), "500");
    await user.clear(screen.getByLabelText("Input"));
    await user.type(screen.getByLabelText("Input"), "{{1, ");
    await user.click(screen.getByRole("button", { name: "Start" }));
    expect(onStart).not.toHaveBeenCalled();
    expect(screen.getByLabelText("Concurrency")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByLabelText("Concurrency")).toHaveAccessibleDescription(/between 1 and 200/);
    expect(screen.getByLabelText("Input")).toHaveAccessibleDescription(/not valid JSON/);
  });

  it("locks the settings while running and offers Stop", async () => {
    const onStop = vi.fn();
    render(<Harness running onStop={onStop} />);
    expect(screen.getByLabelText("Executions")).toBeDisabled();
    expect(screen.getByRole("button", { name: "Start" })).toBeDisabled();
    await userEvent.click(screen.getByRole("button", { name: "Stop" }));
    expect(onStop).toHaveBeenCalledOnce();
  });
});

describe("validate", () => {
  it("accepts the defaults and parses the input", () => {
    expect(validate({ ...DEFAULTS, functionId: "f1" })).toEqual({
      config: { functionId: "f1", executions: 50, concurrency: 5, input: [1, 2], mode: "execute" },
    });
  });

  it("enforces the limits", () => {
    const checked = validate({ ...DEFAULTS, functionId: "", executions: "10001", concurrency: "0", input: "{" });
    expect("errors" in checked && Object.keys(checked.errors).sort()).toEqual(["concurrency", "executions", "functionId", "input"]);
    expect("config" in validate({ ...DEFAULTS, functionId: "f", executions: "10000", concurrency: "200" })).toBe(true);
    expect("errors" in validate({ ...DEFAULTS, functionId: "f", executions: "2.5" })).toBe(true);
  });
});
