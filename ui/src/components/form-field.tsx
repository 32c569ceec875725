// One labelled form field: the visible label tied to its control, a hint and the error under it,
// both read out as the control's description. The control itself comes from the caller.
import type { ReactNode } from "react";
import { inputClass, labelClass } from "./ui";

/** What a field's control spreads onto itself (`className` may be extended). */
export interface ControlProps {
  id: string;
  className: string;
  "aria-invalid": true | undefined;
  "aria-describedby": string | undefined;
}

export const hintId = (controlId: string) => `${controlId}-hint`;
export const errorId = (controlId: string) => `${controlId}-error`;

/** The ids a control is described by: what `more` names (present ones only), then its error's. */
export function describedBy(controlId: string, error: string | null | undefined, ...more: (string | null | undefined)[]): string | undefined {
  return [...more, error ? errorId(controlId) : null].filter(Boolean).join(" ") || undefined;
}

/** The attributes of an input for a whole number from `min` to `max` (a numeric keypad on phones). */
export function wholeNumber(min: number, max: number) {
  return { type: "number", inputMode: "numeric", min, max, step: 1 } as const;
}

interface FieldErrorProps {
  controlId: string;
  message?: string | null;
  /**
   * Say it as soon as it appears. For a message that comes back from the server after the user
   * acted; checks made on submit mark several fields at once and are only described.
   */
  announce?: boolean;
}

export function FieldError({ controlId, message, announce = false }: FieldErrorProps) {
  return message ? (
    <p id={errorId(controlId)} role={announce ? "alert" : undefined} className="mt-1 text-sm break-words whitespace-pre-wrap text-red-700">
      {message}
    </p>
  ) : null;
}

interface FormFieldProps extends Omit<FieldErrorProps, "controlId" | "message"> {
  /** The control's id; its hint and error take ids made from it. */
  id: string;
  label: string;
  hint?: ReactNode;
  error?: string | null;
  children: (control: ControlProps) => ReactNode;
}

export function FormField({ id, label, hint, error, announce, children }: FormFieldProps) {
  const control: ControlProps = {
    id,
    className: `${inputClass} mt-1`,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": describedBy(id, error, hint ? hintId(id) : null),
  };
  return (
    <div className="min-w-0">
      <label htmlFor={id} className={labelClass}>
        {label}
      </label>
      {children(control)}
      {hint ? (
        <p id={hintId(id)} className="mt-1 text-xs text-slate-600">
          {hint}
        </p>
      ) : null}
      <FieldError controlId={id} message={error} announce={announce} />
    </div>
  );
}
