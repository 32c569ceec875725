// Keep the previous rows when a refetch produced equal ones, so a memoised chart skips its redraw
// (during a burst only the current minute changes, and often only in one chart's fields).
import { useRef } from "react";

function sameRows<T extends object>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as Record<string, unknown>;
    const y = b[i] as Record<string, unknown>;
    const keys = Object.keys(x);
    if (keys.length !== Object.keys(y).length) return false;
    for (const k of keys) if (!Object.is(x[k], y[k])) return false;
  }
  return true;
}

export function useStableRows<T extends object>(rows: T[]): T[] {
  const ref = useRef(rows);
  if (ref.current !== rows && !sameRows(ref.current, rows)) ref.current = rows;
  return ref.current;
}
