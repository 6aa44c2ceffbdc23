// Number formatting shared by the pool advice (the bench report and the run-time warnings):
// people read "1,950", "97.5%", "9.81 ms", and the tests parse them back, so there is one way
// to write each.

const INT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 1950 → "1,950". */
export function int(n: number): string {
  return INT.format(Math.round(n));
}

/** Milliseconds with precision that fits the size: 0.123, 9.81, 123.4, 1,234. */
export function ms(n: number): string {
  if (n >= 1000) return int(n);
  if (n >= 100) return n.toFixed(1);
  if (n >= 10) return n.toFixed(2);
  return n.toFixed(3);
}

/** A ratio 0..1 as a percentage with one decimal: 0.975 → "97.5%". */
export function pct(ratio: number): string {
  return `${(Number.isFinite(ratio) ? ratio * 100 : 0).toFixed(1)}%`;
}

/** A pool key as people write a host: "http://127.0.0.1:8080" → "127.0.0.1:8080". */
export function hostLabel(key: string): string {
  return key.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
}
