// Dense Gaussian elimination with partial pivoting, for the grammar's few dozen states.

import { ValueError } from '@bkt/ndarray';

/** Solves A x = b for square A given as rows; throws if A is (numerically) singular. */
export function solveLinear(a: readonly Float64Array[], b: Float64Array): Float64Array {
  const n = b.length;
  if (a.length !== n || a.some((row) => row.length !== n)) throw new ValueError(`solveLinear: A must be ${n}x${n} to match b`);
  const m = a.map((row) => Float64Array.from(row));
  const x = Float64Array.from(b);
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[piv]![col]!)) piv = r;
    if (!(Math.abs(m[piv]![col]!) > 1e-12))
      throw new ValueError(`solveLinear: the matrix is singular (no pivot in column ${col})`);
    [m[col], m[piv]] = [m[piv]!, m[col]!];
    [x[col], x[piv]] = [x[piv]!, x[col]!];
    const pr = m[col]!;
    for (let r = col + 1; r < n; r++) {
      const row = m[r]!;
      const f = row[col]! / pr[col]!;
      if (f === 0) continue;
      for (let c = col; c < n; c++) row[c]! -= f * pr[c]!;
      x[r]! -= f * x[col]!;
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    const row = m[r]!;
    let s = x[r]!;
    for (let c = r + 1; c < n; c++) s -= row[c]! * x[c]!;
    x[r] = s / row[r]!;
  }
  return x;
}
