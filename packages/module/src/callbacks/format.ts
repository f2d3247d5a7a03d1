// Log output shared by the callbacks: an injectable logger and Python's %f number formatting.

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
