// A GEMM weight B on oneDNN is read from a copy kept in the primitive's preferred (blocked) layout,
// made at its second use since the weight was last written in float32, at its first in bfloat16 (where
// B is converted anyway) (dnnl_matmul.cc, weight_layouts.cc). These
// tests run FullyConnected at the RNN's per-step shape (32 rows) through a Plan, several times per
// write, in both precisions: values against float64, the reorder count per write, and a weight
// changed in place between products.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import * as ndarray from '../src/index.js';
import { fullyConnectedPlan, makeRng, nd, randomValues, relativeError, roundToBFloat16, values } from './helpers.js';

const initial = { backend: ndarray.getGemmBackend(), precision: ndarray.getGemmPrecision() };
beforeAll(() => ndarray.setGemmBackend('onednn'));
afterAll(() => {
  ndarray.setGemmBackend(initial.backend);
  ndarray.setGemmPrecision(initial.precision);
});

const PRECISIONS: ndarray.GemmPrecision[] = ['float32', 'bfloat16'];
const [M, K, N] = [32, 200, 800];

/**
 * FullyConnected forward (x·Wᵀ + b) and its data gradient (g·W) on one Plan, over arrays the test owns,
 * filled from `rng` (or natively, without a float64 copy in JS, when it is omitted).
 */
function fullyConnected(rng: (() => number) | undefined, [m, k, n] = [M, K, N]) {
  const make = (shape: number[]): ndarray.NDArray =>
    rng
      ? nd(
          randomValues(
            rng,
            shape.reduce((p, d) => p * d, 1),
          ),
          shape,
        )
      : ndarray.random.uniform(-1, 1, shape);
  const x = make([m, k]);
  const w = make([n, k]);
  const b = make([n]);
  const g = make([m, n]);
  const out = ndarray.zeros([m, n]);
  const dx = ndarray.zeros([m, k]);
  const dw = ndarray.zeros([n, k]);
  const db = ndarray.zeros([n]);
  const slots = [x, w, b, out, g, dx, dw, db];
  const plan = fullyConnectedPlan(slots, n);
  return {
    x,
    w,
    b,
    g,
    forward: (): Float64Array => {
      plan.run(0, 1, true);
      return values(out);
    },
    dataGradient: (): Float64Array => {
      plan.run(1, 2, true);
      return values(dx);
    },
    dispose: (): void => {
      plan.dispose();
      for (const a of slots) a.dispose();
    },
  };
}

/**
 * The float64 products from the operands' values (rounded to bfloat16 for that precision, as oneDNN's
 * conversions round): what the kernel must give up to float32 accumulation.
 */
function reference(precision: ndarray.GemmPrecision, x: Float64Array, w: Float64Array, b: Float64Array, g: Float64Array) {
  const rounded = (a: Float64Array): Float64Array => (precision === 'bfloat16' ? a.map(roundToBFloat16) : a);
  [x, w, g] = [rounded(x), rounded(w), rounded(g)];
  const forward = new Float64Array(M * N);
  const dataGradient = new Float64Array(M * K);
  for (let i = 0; i < M; i++) {
    for (let n = 0; n < N; n++) {
      let s = b[n]!;
      for (let k = 0; k < K; k++) s += x[i * K + k]! * w[n * K + k]!;
      forward[i * N + n] = s;
    }
    for (let k = 0; k < K; k++) {
      let s = 0;
      for (let n = 0; n < N; n++) s += g[i * N + n]! * w[n * K + k]!;
      dataGradient[i * K + k] = s;
    }
  }
  return { forward, dataGradient };
}

describe.each(PRECISIONS)('weights in the preferred layout (%s)', (precision) => {
  beforeAll(() => ndarray.setGemmPrecision(precision));

  it('forward and data gradient match float64 at every use, the kept layout included', () => {
    const rng = makeRng(21);
    const fc = fullyConnected(rng);
    const want = reference(precision, values(fc.x), values(fc.w), values(fc.b), values(fc.g));
    const before = ndarray.weightLayoutReorders();
    // In float32 the first use reads W as it is; later ones (every one in bfloat16) read the kept copy.
    for (let use = 0; use < 3; use++) {
      expect(relativeError(fc.forward(), want.forward), `forward, use ${use}`).toBeLessThan(1e-5);
      expect(relativeError(fc.dataGradient(), want.dataGradient), `data gradient, use ${use}`).toBeLessThan(1e-5);
    }
    // One copy per layout: W as Bᵀ (forward) and as B (data gradient).
    expect(ndarray.weightLayoutReorders() - before).toBe(2);
    const weightProducts = ndarray.gemmChoices().filter((c) => c.weight && c.m === M && c.precision === precision);
    expect(weightProducts.map((c) => [c.n, c.k, c.backend, c.precision]).sort()).toEqual(
      [
        [N, K, 'onednn', precision],
        [K, N, 'onednn', precision],
      ].sort(),
    );
    fc.dispose();
  });

  it('reorders once per write of the weight, not once per product', () => {
    const rng = makeRng(22);
    const fc = fullyConnected(rng);
    const reordersOver = (uses: number): number => {
      const before = ndarray.weightLayoutReorders();
      for (let i = 0; i < uses; i++) fc.forward();
      return ndarray.weightLayoutReorders() - before;
    };
    // float32 makes the copy at the second use since the write, bfloat16 at the first.
    const [first, second] = precision === 'float32' ? [0, 1] : [1, 0];
    expect(reordersOver(1)).toBe(first);
    expect(reordersOver(1)).toBe(second);
    expect(reordersOver(5)).toBe(0); // later uses without a write reuse it
    nd(randomValues(rng, N * K), [N, K]).copyTo(fc.w);
    expect(reordersOver(6)).toBe(1);
    ndarray.sgdUpdate(fc.w, nd(randomValues(rng, N * K), [N, K]), { lr: 0.1 });
    expect(reordersOver(6)).toBe(1);
    fc.dispose();
  });

  it('picks up a weight changed in place between products', () => {
    const rng = makeRng(23);
    const fc = fullyConnected(rng);
    const [x, b, g] = [values(fc.x), values(fc.b), values(fc.g)];
    fc.forward();
    fc.forward(); // the kept copy now holds the first weight
    const steps: [string, () => void][] = [
      ['copyTo', () => nd(randomValues(rng, N * K), [N, K]).copyTo(fc.w)],
      ['an optimizer update', () => ndarray.sgdUpdate(fc.w, nd(randomValues(rng, N * K), [N, K]), { lr: 0.5 })],
      ['fill', () => fc.w.fill(0.25)],
    ];
    for (const [what, write] of steps) {
      write();
      // Reading W is an eager call too (a write to the runtime): read it before the products that check it.
      const want = reference(precision, x, values(fc.w), b, g);
      for (let use = 0; use < 3; use++) {
        expect(relativeError(fc.forward(), want.forward), `forward after ${what}, use ${use}`).toBeLessThan(1e-5);
      }
    }
    fc.dispose();
  });

  it("frees a weight's kept copies with its storage", () => {
    // 40 MB of float32 weight and its kept copy (20 MB in bfloat16): ten leaked copies would be 200 MB or
    // more. Blocks this large are mapped and unmapped whole by the allocator, so the RSS follows them.
    const dims: [number, number, number] = [32, 4000, 2500];
    const rssMiB = (): number => {
      (globalThis as { gc?: () => void }).gc?.();
      return process.memoryUsage.rss() / 2 ** 20;
    };
    const cycle = (): void => {
      const fc = fullyConnected(undefined, dims);
      const before = ndarray.weightLayoutReorders();
      fc.forward();
      fc.forward();
      expect(ndarray.weightLayoutReorders() - before).toBe(1);
      fc.dispose();
    };
    cycle();
    const start = rssMiB();
    for (let i = 0; i < 10; i++) cycle();
    expect(rssMiB() - start).toBeLessThan(100);
  });
});
