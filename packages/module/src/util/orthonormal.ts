// An orthonormal factor of a random matrix, for the Orthogonal initializer. For an (m, n) matrix
// with m >= n: Q (m, n) of its QR decomposition, signs fixed so that R has a positive diagonal; for
// m < n: the same for the transpose, returned transposed (orthonormal rows). The result has the
// input's shape with orthonormal columns (tall) or rows (wide) — the shapes MXNet takes from numpy's
// SVD (U or Vᵀ). For Gaussian draws both factors are Haar-distributed; QR (Householder, float64)
// costs a fraction of an SVD.

/** `a` is row-major (rows, cols); returns the orthonormal factor, row-major, same shape. */
export function orthonormalFactor(a: Float64Array, rows: number, cols: number): Float64Array {
  const tall = rows >= cols;
  const m = tall ? rows : cols; // the long side
  const n = tall ? cols : rows;
  // columns of the tall matrix: columns of `a`, or rows of `a` when it is wide
  const c: Float64Array[] = Array.from({ length: n }, (_, j) => {
    const col = new Float64Array(m);
    for (let i = 0; i < m; i++) col[i] = tall ? a[i * cols + j]! : a[j * cols + i]!;
    return col;
  });
  // Householder reflections H_k = I − 2 v vᵀ / (vᵀv) acting on rows k…m-1
  const vs: (Float64Array | null)[] = [];
  const vvs = new Float64Array(n);
  const rdiag = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const x = c[k]!;
    let norm2 = 0;
    for (let i = k; i < m; i++) norm2 += x[i]! * x[i]!;
    const alpha = -(x[k]! >= 0 ? 1 : -1) * Math.sqrt(norm2);
    const v = x.slice(k);
    v[0] = v[0]! - alpha;
    let vv = 0;
    for (const e of v) vv += e * e;
    rdiag[k] = alpha;
    if (vv === 0) {
      vs.push(null);
      continue;
    }
    vs.push(v);
    vvs[k] = vv;
    for (let j = k; j < n; j++) reflect(c[j]!, v, vv, k, m);
  }
  // Q = H_0 H_1 … H_{n-1} applied to the first n columns of the identity
  const out = new Float64Array(rows * cols);
  for (let j = 0; j < n; j++) {
    const q = new Float64Array(m);
    q[j] = 1;
    for (let k = Math.min(j, n - 1); k >= 0; k--) {
      const v = vs[k];
      if (v) reflect(q, v, vvs[k]!, k, m);
    }
    // make R's diagonal positive: flip column j when it is negative
    const s = rdiag[j]! < 0 ? -1 : 1;
    for (let i = 0; i < m; i++) {
      if (tall) out[i * cols + j] = s * q[i]!;
      else out[j * cols + i] = s * q[i]!;
    }
  }
  return out;
}

// y[k…m) ← y[k…m) − 2 v (vᵀ y[k…m)) / vv
function reflect(y: Float64Array, v: Float64Array, vv: number, k: number, m: number): void {
  let d = 0;
  for (let i = k; i < m; i++) d += v[i - k]! * y[i]!;
  const f = (2 * d) / vv;
  if (f === 0) return;
  for (let i = k; i < m; i++) y[i] = y[i]! - f * v[i - k]!;
}
