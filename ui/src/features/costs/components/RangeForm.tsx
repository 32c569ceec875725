// The date range the page reports on: "From" and "To" (local time), with a few presets.
import { inputClass, labelClass, secondaryButton } from "@/components/ui";
import type { RangeInputs } from "../lib/range";

interface Props {
  value: RangeInputs;
  onChange: (next: RangeInputs) => void;
  presets: { label: string; value: () => RangeInputs }[];
  error?: { message: string; field: "from" | "to" } | null;
}

export function RangeForm({ value, onChange, presets, error }: Props) {
  const field = (name: "from" | "to", label: string, hint: string) => {
    const id = `costs-range-${name}`;
    const wrong = error?.field === name;
    return (
      <div className="min-w-0 flex-1 sm:max-w-xs">
        <label htmlFor={id} className={labelClass}>
          {label}
        </label>
        <input
          id={id}
          type="datetime-local"
          className={`${inputClass} mt-1`}
          value={value[name]}
          max={name === "from" ? value.to || undefined : undefined}
          min={name === "to" ? value.from || undefined : undefined}
          aria-invalid={wrong || undefined}
          aria-describedby={`${id}-hint${wrong ? ` ${id}-error` : ""}`}
          onChange={(e) => onChange({ ...value, [name]: e.target.value })}
        />
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-600">
          {hint}
        </p>
        {wrong ? (
          <p id={`${id}-error`} className="mt-1 text-xs font-medium text-red-700">
            {error.message}
          </p>
        ) : null}
      </div>
    );
  };
  return (
    <div className="flex flex-col gap-3 sm:flex-row sm:flex-wrap sm:items-start">
      {field("from", "From", "Empty: all time")}
      {field("to", "To", "Empty: now")}
      <div className="flex flex-wrap gap-2 sm:mt-6" role="group" aria-label="Presets">
        {presets.map((preset) => (
          <button key={preset.label} type="button" className={secondaryButton} onClick={() => onChange(preset.value())}>
            {preset.label}
          </button>
        ))}
      </div>
    </div>
  );
}
