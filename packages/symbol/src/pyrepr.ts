// MXNet's Python front end turns every operator argument into a string with Python's `str()`
// before it reaches the C API, and symbol JSON stores those strings verbatim. These helpers
// produce the same text from JS values so that files written by bkt read like MXNet's.

/**
 * Python's `repr(float)`: the shortest digits that round-trip, fixed notation when the decimal
 * exponent is in [-4, 16), scientific otherwise (`1e-05`, `1.5e+16`), and always a `.0` on
 * integral values in fixed notation (`1.0`).
 */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  // toExponential() without an argument gives the shortest round-trip digits, like Python's repr.
  const [mant, expText] = Math.abs(x).toExponential().split('e') as [string, string];
  const exp = Number(expText);
  const digits = mant.replace('.', '');
  if (exp >= -4 && exp < 16) {
    let text: string;
    if (exp < 0) {
      text = `0.${'0'.repeat(-exp - 1)}${digits}`;
    } else if (digits.length <= exp + 1) {
      text = `${digits}${'0'.repeat(exp + 1 - digits.length)}.0`;
    } else {
      text = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
    }
    return sign + text;
  }
  const expPart = `${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return `${sign}${mant}e${expPart}`;
}

/**
 * A JS number as a Python user would most likely have written it: integral values as ints
 * (`128`, `1`), everything else as Python floats (`0.5`, `1e-05`). JS cannot tell `1` from `1.0`;
 * both parse back to the same value in MXNet.
 */
export function pyNumber(x: number): string {
  if (Number.isSafeInteger(x) && !Object.is(x, -0)) return String(x);
  return pyFloat(x);
}

/** Python's `str(bool)`. */
export function pyBool(b: boolean): string {
  return b ? 'True' : 'False';
}

/** Python's `str(tuple_of_ints)`: `()`, `(5,)`, `(3, 3)`. */
export function pyTuple(values: readonly number[]): string {
  if (values.length === 1) return `(${pyNumber(values[0]!)},)`;
  return `(${values.map(pyNumber).join(', ')})`;
}

/** camelCase -> snake_case (`numHidden` -> `num_hidden`). */
export function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
