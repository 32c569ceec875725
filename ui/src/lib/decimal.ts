// Exact money arithmetic on the API's canonical decimal strings ("0.000100005859375"): sums and
// comparisons in BigInt, so a total shown here equals the sum of its parts to the last digit.

interface Scaled {
  units: bigint;
  scale: number;
}

const PLAIN = /^(-)?(\d+)(?:\.(\d+))?$/;

function parse(value: string | number | null | undefined): Scaled {
  let text = typeof value === "number" ? value.toFixed(15) : (value ?? "0").trim();
  if (!PLAIN.test(text)) {
    // Not canonical (an exponent, say): go through a number; the API never sends this.
    const n = Number(text);
    text = Number.isFinite(n) ? n.toFixed(15) : "0";
  }
  const [, sign, whole, fraction = ""] = PLAIN.exec(text)!;
  const units = BigInt(whole + fraction) * (sign ? -1n : 1n);
  return { units, scale: fraction.length };
}

function rescale(a: Scaled, scale: number): bigint {
  return a.units * 10n ** BigInt(scale - a.scale);
}

function render({ units, scale }: Scaled): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale);
  const fraction = scale ? digits.slice(digits.length - scale).replace(/0+$/, "") : "";
  const text = fraction ? `${whole}.${fraction}` : whole;
  return negative && text !== "0" ? `-${text}` : text;
}

/** The exact sum of decimal strings, as a canonical decimal string ("0" for nothing). */
export function addExact(values: Iterable<string | number | null | undefined>): string {
  let sum: Scaled = { units: 0n, scale: 0 };
  for (const value of values) {
    const next = parse(value);
    const scale = Math.max(sum.scale, next.scale);
    sum = { units: rescale(sum, scale) + rescale(next, scale), scale };
  }
  return render(sum);
}

/** -1, 0 or 1, comparing two decimal strings exactly. */
export function compareExact(a: string | number | null | undefined, b: string | number | null | undefined): number {
  const x = parse(a);
  const y = parse(b);
  const scale = Math.max(x.scale, y.scale);
  const d = rescale(x, scale) - rescale(y, scale);
  return d === 0n ? 0 : d < 0n ? -1 : 1;
}

/** Dollars with at least `minDigits` decimals and every exact digit kept: "$0.000100005859375". */
export function dollars(value: string | number | null | undefined, minDigits = 6): string {
  if (value === null || value === undefined || value === "") return "—";
  const text = render(parse(value));
  const negative = text.startsWith("-");
  const [whole, fraction = ""] = (negative ? text.slice(1) : text).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${negative ? "-" : ""}$${grouped}.${fraction.padEnd(minDigits, "0")}`;
}
