import { render, screen } from "@testing-library/react";
import { describedBy, FormField, wholeNumber } from "./form-field";

function Field({ error, hint, announce }: { error?: string; hint?: string; announce?: boolean }) {
  return (
    <FormField id="f-count" label="Count" hint={hint} error={error} announce={announce}>
      {(control) => <input {...control} {...wholeNumber(1, 200)} defaultValue="5" />}
    </FormField>
  );
}

describe("FormField", () => {
  it("names the control by its visible label and describes it by the hint, then the error", () => {
    render(<Field hint="Up to 200" error="Count must be between 1 and 200." />);
    const input = screen.getByLabelText("Count");
    expect(input).toHaveAccessibleDescription("Up to 200 Count must be between 1 and 200.");
    expect(input).toHaveAttribute("aria-invalid", "true");
  });

  it("leaves a control without an error valid and described by its hint alone", () => {
    render(<Field hint="Up to 200" />);
    const input = screen.getByLabelText("Count");
    expect(input).toHaveAccessibleDescription("Up to 200");
    expect(input).not.toHaveAttribute("aria-invalid");
  });

  it("announces the error when asked to", () => {
    render(<Field error="Name is taken." announce />);
    expect(screen.getByRole("alert")).toHaveTextContent("Name is taken.");
  });

  it("only describes the error otherwise", () => {
    render(<Field error="Count must be a whole number." />);
    expect(screen.queryByRole("alert")).toBeNull();
    expect(screen.getByLabelText("Count")).toHaveAccessibleDescription("Count must be a whole number.");
  });
});

describe("wholeNumber", () => {
  it("asks for a whole number within the bounds", () => {
    render(<Field />);
    const input = screen.getByLabelText("Count");
    expect(input).toHaveAttribute("type", "number");
    expect(input).toHaveAttribute("inputmode", "numeric");
    expect(input).toHaveAttribute("min", "1");
    expect(input).toHaveAttribute("max", "200");
    expect(input).toHaveAttribute("step", "1");
  });
});

describe("describedBy", () => {
  it("lists the given ids that are present, then the error's", () => {
    expect(describedBy("x", "bad", "x-hint", null, "tier")).toBe("x-hint tier x-error");
    expect(describedBy("x", null, "x-hint")).toBe("x-hint");
    expect(describedBy("x", undefined)).toBeUndefined();
  });
});
