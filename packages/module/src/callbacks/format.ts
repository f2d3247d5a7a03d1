// Log output shared by the callbacks and the monitor: an injectable logger and Python's number formatting.

/** Receives one log line. */
export type Logger = (message: string) => void;

export const defaultLogger: Logger = (message) => console.info(message);

/** Python's `%.<digits>f`: `nan`, `inf` and `-inf` for the non-finite values. */
export function pyFixed(x: number, digits = 6): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return x.toFixed(digits);
}

/** `\tname=value` for every metric value, as MXNet's Speedometer appends them. */
export function nameValues(pairs: readonly (readonly [string, number])[]): string {
  return pairs.map(([n, v]) => `\t${n}=${pyFixed(v)}`).join('');
}

/** NumPy's `str()` of a float32: the shortest digits that read back as the same float32 ('0.35', '1e-05', '2.0'). */
export function float32Str(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const f = Math.fround(x);
  let digits = 1;
  while (digits < 9 && Math.fround(Number(f.toPrecision(digits))) !== f) digits++;
  const shortest = Number(f.toPrecision(digits));
  const mag = Math.abs(shortest);
  if (mag !== 0 && (mag >= 1e16 || mag < 1e-4)) {
    const [mantissa, exp] = shortest.toExponential().split('e') as [string, string];
    const sign = exp.startsWith('-') ? '-' : '+';
    return `${mantissa}e${sign}${exp.replace(/^[-+]/, '').padStart(2, '0')}`;
  }
  const s = Object.is(shortest, -0) ? '-0' : String(shortest);
  return Number.isInteger(shortest) ? `${s}.0` : s;
}
