// The load-test form: its values as typed, their defaults and limits, and the checks before a run.
export type Mode = "execute" | "invoke";

export const LIMITS = { executions: 10_000, concurrency: 200 } as const;

export interface FormValues {
  functionId: string;
  executions: string;
  concurrency: string;
  input: string;
  mode: Mode;
}

export const DEFAULTS: FormValues = { functionId: "", executions: "50", concurrency: "5", input: "[1, 2]", mode: "execute" };

export type FormErrors = Partial<Record<keyof FormValues, string>>;

export interface RunConfig {
  functionId: string;
  executions: number;
  concurrency: number;
  input: unknown;
  mode: Mode;
}

function whole(text: string, label: string, max: number): number | string {
  const n = Number(text);
  if (text.trim() === "" || !Number.isInteger(n)) return `${label} must be a whole number.`;
  if (n < 1 || n > max) return `${label} must be between 1 and ${max.toLocaleString("en-US")}.`;
  return n;
}

export function validate(values: FormValues): { config: RunConfig } | { errors: FormErrors } {
  const errors: FormErrors = {};
  if (!values.functionId) errors.functionId = "Choose a function.";
  const executions = whole(values.executions, "Executions", LIMITS.executions);
  if (typeof executions === "string") errors.executions = executions;
  const concurrency = whole(values.concurrency, "Concurrency", LIMITS.concurrency);
  if (typeof concurrency === "string") errors.concurrency = concurrency;
  let input: unknown = null;
  try {
    input = JSON.parse(values.input);
  } catch (error) {
    errors.input = `Input is not valid JSON: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (Object.keys(errors).length) return { errors };
  return {
    config: {
      functionId: values.functionId,
      executions: executions as number,
      concurrency: concurrency as number,
      input,
      mode: values.mode,
    },
  };
}
