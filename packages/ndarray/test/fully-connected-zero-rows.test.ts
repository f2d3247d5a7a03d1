// FullyConnected's backward runs its two GEMMs on the rows of out_grad that are not all zero
// (fully_connected.cc): in place on the span from the first to the last such row, or, when a tenth or
// more of that span is zero rows, on the leading run of them in place and on gathered copies of the
// rest (a second product pair, d_weight's accumulating). These tests check each case against
// the full computation in float64 and against float64 finite differences, and tell which products ran
// from the dispatch's record: the live-row products are the ones declared with a runtime row count
// (m = 0 for the data gradient, k = 0 for the weight gradient in gemmChoices).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import * as ndarray from '../src/index.js';
import { fullyConnectedPlan, makeRng, nd, randomValues, relativeError, roundToBFloat16, values } from './helpers.js';

const initial = { backend: ndarray.getGemmBackend(), precision: ndarray.getGemmPrecision() };
afterAll(() => {
  ndarray.setGemmBackend(initial.backend);
  ndarray.setGemmPrecision(initial.precision);
});

// Enough rows that a gather is split over the pool (fully_connected.cc: kGatherGrain rows per task).
const [R, K, N] = [160, 24, 96]; // rows of data and out_grad, input width, hidden units

// live: one pair of live-row products over the span in place; split: a pair over the leading run in place
// and a pair over the gathered rest; full: the full products; none: no product.
type Placement = { name: string; zero: (rng: () => number) => boolean[]; path: 'live' | 'split' | 'full' | 'none' };
const rowsWhere = (f: (r: number) => boolean): boolean[] => Array.from({ length: R }, (_, r) => f(r));
const PLACEMENTS: Placement[] = [
  { name: 'random rows (30%)', zero: (rng) => rowsWhere(() => rng() < 0.3), path: 'split' },
  // as a time-major batch of sentences: every row live until the shortest sentence ends
  { name: 'a long leading run, then a third of the rows', zero: () => rowsWhere((r) => r >= 70 && r % 3 === 1), path: 'split' },
  // a leading run of one row: row 1 is zero
  { name: 'every other row', zero: () => rowsWhere((r) => r % 2 === 1), path: 'split' },
  { name: 'every row', zero: () => rowsWhere(() => true), path: 'none' },
  { name: 'no row', zero: () => rowsWhere(() => false), path: 'full' },
  { name: 'a leading run', zero: () => rowsWhere((r) => r < 5), path: 'live' },
  { name: 'a trailing run', zero: () => rowsWhere((r) => r >= R - 3), path: 'live' },
  { name: 'both ends', zero: () => rowsWhere((r) => r < 2 || r >= R - 9), path: 'live' },
  // scattered and under a tenth of the rows: gathering would cost more than it saves
  { name: 'a few scattered rows', zero: () => rowsWhere((r) => r % 16 === 3), path: 'full' },
  // the trailing run is skipped in place, the few zero rows before it go through the products
  { name: 'a trailing run and a few scattered rows', zero: () => rowsWhere((r) => r >= R - 8 || r % 20 === 5), path: 'live' },
];

/** FullyConnected (with bias) forward and backward on one Plan, over arrays the test fills. */
function fullyConnected(dtype: 'float32' | 'float64', x: Float64Array, w: Float64Array, b: Float64Array, g: Float64Array) {
  const slots = [
    nd(x, [R, K], dtype),
    nd(w, [N, K], dtype),
    nd(b, [N], dtype),
    ndarray.zeros([R, N], { dtype }),
    nd(g, [R, N], dtype),
    ndarray.zeros([R, K], { dtype }),
    ndarray.zeros([N, K], { dtype }),
    ndarray.zeros([N], { dtype }),
  ];
  const plan = fullyConnectedPlan(slots, N);
  plan.prepare();
  return {
    /** Σ out · g, the loss whose gradients the backward gives (out_grad = g). */
    loss: (): number => {
      plan.run(0, 1, true);
      const out = values(slots[3]!);
      return out.reduce((s, o, i) => s + o * g[i]!, 0);
    },
    backward: () => {
      plan.run(1, 2, true);
      return { dx: values(slots[5]!), dw: values(slots[6]!), db: values(slots[7]!) };
    },
    setInput: (slot: 0 | 1 | 2, v: Float64Array): void => {
      const moved = nd(v, slots[slot]!.shape, dtype);
      moved.copyTo(slots[slot]!);
      moved.dispose();
    },
    dispose: (): void => {
      plan.dispose();
      for (const a of slots) a.dispose();
    },
  };
}

/** The full backward in float64: dx = g·W, dw = gᵀ·x, db = Σ_rows g. */
function reference(x: Float64Array, w: Float64Array, g: Float64Array) {
  const dx = new Float64Array(R * K);
  const dw = new Float64Array(N * K);
  const db = new Float64Array(N);
  for (let r = 0; r < R; r++) {
    for (let n = 0; n < N; n++) {
      const gv = g[r * N + n]!;
      db[n]! += gv;
      for (let k = 0; k < K; k++) {
        dx[r * K + k]! += gv * w[n * K + k]!;
        dw[n * K + k]! += gv * x[r * K + k]!;
      }
    }
  }
  return { dx, dw, db };
}

const roundAll = (a: Float64Array): Float64Array => a.map(roundToBFloat16);
const absAll = (a: Float64Array): Float64Array => a.map(Math.abs);

/**
 * Whether `got` is a float32 sum of the `terms` products of each element of `exact`: a product of two
 * bfloat16 values (8 significant bits each) is exact in float32, so any float32 summation order —
 * oneDNN's full product's, the skipping one's — lies within (terms + 1)·2^-24 of Σ|products|
 * (`magnitude`: the float64 product of the operands' magnitudes) of the exact sum.
 */
function withinFloat32Sums(got: Float64Array, exact: Float64Array, magnitude: Float64Array, terms: number): boolean {
  return got.every((v, i) => Math.abs(v - exact[i]!) <= (terms + 1) * 2 ** -24 * magnitude[i]!);
}

function operands(rng: () => number, zero: boolean[]) {
  const g = randomValues(rng, R * N);
  zero.forEach((z, r) => z && g.fill(0, r * N, (r + 1) * N));
  // a zero-starting row that is not all zero must not be taken for a zero row
  if (!zero[1]) g[1 * N] = 0;
  return { x: randomValues(rng, R * K), w: randomValues(rng, N * K), b: randomValues(rng, N), g };
}

/** Calls of the live-row products (runtime row count) and of the full ones, since the previous read. */
function productCalls(precision: ndarray.GemmPrecision = 'float32') {
  const count = (pick: (c: ndarray.GemmChoice) => boolean): number =>
    ndarray
      .gemmChoices()
      .filter((c) => c.n === K && c.precision === precision && pick(c))
      .reduce((s, c) => s + c.calls, 0);
  return {
    live: count((c) => (!c.transposeA && c.m === 0 && c.k === N) || (c.transposeA && c.m === N && c.k === 0)),
    full: count((c) => (!c.transposeA && c.m === R && c.k === N) || (c.transposeA && c.m === N && c.k === R)),
  };
}

/** The backward's products count in gemmChoices' flops the live rows they ran on (gathered here). */
function expectLiveRowFlops(precision: ndarray.GemmPrecision, seed: number): void {
  const work = (): number =>
    ndarray
      .gemmChoices()
      .filter((c) => c.n === K && c.precision === precision)
      .reduce((s, c) => s + c.flops, 0);
  const rng = makeRng(seed);
  const zero = rowsWhere((r) => r % 4 === 1 || r >= R - 6); // gathered: a quarter of the span is zero rows
  const live = zero.filter((z) => !z).length;
  const o = operands(rng, zero);
  const fc = fullyConnected('float32', o.x, o.w, o.b, o.g);
  const before = work();
  fc.backward();
  expect(work() - before).toBe(2 * (2 * live * N * K));
  fc.dispose();
}

type Gradients = { dx: Float64Array; dw: Float64Array; db: Float64Array };

/**
 * fc's backward, checked to run the products of `path` (both live-row ones, both full ones, or none) on
 * shapes all prepared at bind, and to give zero rows of dx where out_grad's rows are zero.
 */
function backwardRunning(
  fc: ReturnType<typeof fullyConnected>,
  precision: ndarray.GemmPrecision,
  zero: boolean[],
  path: Placement['path'],
): Gradients {
  const before = productCalls(precision);
  const prepared = ndarray.gemmChoices().length;
  const got = fc.backward();
  const after = productCalls(precision);
  expect(ndarray.gemmChoices().length, 'every product was prepared at bind (Plan.prepare)').toBe(prepared);
  zero.forEach((z, r) => z && expect(got.dx.subarray(r * K, (r + 1) * K).every((v) => v === 0)).toBe(true));
  expect(after.live - before.live).toBe({ live: 2, split: 4, full: 0, none: 0 }[path]);
  expect(after.full - before.full).toBe(path === 'full' ? 2 : 0);
  return got;
}

/**
 * Every third row of out_grad zero and `spoil` making a value the products see as not finite (row 3
 * of data is a zero row's): nothing is skipped, the full products run and `poisoned` holds of the result.
 */
function expectFullProducts(
  precision: ndarray.GemmPrecision,
  seed: number,
  spoil: (o: ReturnType<typeof operands>) => void,
  poisoned: (got: Gradients) => boolean,
): void {
  const o = operands(
    makeRng(seed),
    rowsWhere((r) => r % 3 === 0),
  );
  spoil(o);
  const fc = fullyConnected('float32', o.x, o.w, o.b, o.g);
  const before = productCalls(precision);
  const got = fc.backward();
  expect(productCalls(precision).full - before.full).toBe(2);
  expect(poisoned(got)).toBe(true);
  fc.dispose();
}

const nanColumn7 = ({ dx }: Gradients): boolean => Array.from({ length: R }, (_, r) => dx[r * K + 7]).every(Number.isNaN);

describe.each(['onednn', 'openblas'] as const)('FullyConnected backward over zero rows (%s)', (backend) => {
  beforeAll(() => {
    ndarray.setGemmBackend(backend);
    ndarray.setGemmPrecision('float32');
  });

  it.each(PLACEMENTS)('zero rows at $name: equals the full backward, runs the expected products', ({ zero, path }) => {
    const rng = makeRng(31);
    const o = operands(rng, zero(rng));
    const fc = fullyConnected('float32', o.x, o.w, o.b, o.g);
    const want = reference(o.x, o.w, o.g);
    const got = backwardRunning(fc, 'float32', zero(makeRng(31)), path);
    expect(relativeError(got.dx, want.dx)).toBeLessThan(1e-5);
    expect(relativeError(got.dw, want.dw)).toBeLessThan(1e-5);
    expect(relativeError(got.db, want.db)).toBeLessThan(1e-5);
    fc.dispose();
  });

  it("counts in gemmChoices' flops the rows the products ran on, not the declared sizes", () =>
    expectLiveRowFlops('float32', 34));

  it('skips nothing when a skipped row of data is not finite (0 · inf is NaN in the full product)', () =>
    expectFullProducts(
      'float32',
      32,
      (o) => (o.x[3 * K + 5] = Number.POSITIVE_INFINITY),
      ({ dw }) => dw.some(Number.isNaN),
    ));

  // W[0, 7] reaches column 7 of every row of dx, the zero rows' included
  it('skips nothing when the weight is not finite', () =>
    expectFullProducts('float32', 33, (o) => (o.w[7] = Number.NaN), nanColumn7));
});

describe('FullyConnected backward over zero rows in float64', () => {
  it.each(PLACEMENTS)('zero rows at $name: equals the full backward and finite differences', ({ zero }) => {
    const rng = makeRng(41);
    const o = operands(rng, zero(rng));
    const fc = fullyConnected('float64', o.x, o.w, o.b, o.g);
    const want = reference(o.x, o.w, o.g);
    const got = fc.backward();
    expect(relativeError(got.dx, want.dx)).toBeLessThan(1e-12);
    expect(relativeError(got.dw, want.dw)).toBeLessThan(1e-12);
    expect(relativeError(got.db, want.db)).toBeLessThan(1e-12);
    // central differences of Σ out · g at a sample of each input's elements (the loss is linear in each)
    const eps = 1e-4;
    const inputs: [0 | 1 | 2, Float64Array, Float64Array][] = [
      [0, o.x, got.dx],
      [1, o.w, got.dw],
      [2, o.b, got.db],
    ];
    for (const [slot, v, grad] of inputs) {
      for (let s = 0; s < 12; s++) {
        const i = Math.floor(rng() * v.length);
        const at = (delta: number): number => {
          const moved = Float64Array.from(v);
          moved[i]! += delta;
          fc.setInput(slot, moved);
          return fc.loss();
        };
        const numeric = (at(eps) - at(-eps)) / (2 * eps);
        expect(Math.abs(numeric - grad[i]!)).toBeLessThan(1e-7 * Math.max(1, Math.abs(numeric)));
      }
      fc.setInput(slot, v);
    }
    fc.dispose();
  });
});

describe('FullyConnected backward over zero rows in bfloat16 precision', () => {
  beforeAll(() => {
    ndarray.setGemmBackend('onednn');
    ndarray.setGemmPrecision('bfloat16');
  });
  afterAll(() => ndarray.setGemmPrecision('float32'));

  it.each(PLACEMENTS)(
    'zero rows at $name: a float32 sum of the bfloat16 products, runs the expected products',
    ({ zero, path }) => {
      const rng = makeRng(51);
      const o = operands(rng, zero(rng));
      const fc = fullyConnected('float32', o.x, o.w, o.b, o.g);
      const [x16, w16, g16] = [roundAll(o.x), roundAll(o.w), roundAll(o.g)];
      const want = reference(x16, w16, g16);
      const magnitude = reference(absAll(x16), absAll(w16), absAll(g16));
      const got = backwardRunning(fc, 'bfloat16', zero(makeRng(51)), path);
      expect(withinFloat32Sums(got.dx, want.dx, magnitude.dx, N)).toBe(true);
      expect(withinFloat32Sums(got.dw, want.dw, magnitude.dw, R)).toBe(true);
      // the bias gradient is a float32 column sum of the float32 out_grad
      expect(relativeError(got.db, reference(o.x, o.w, o.g).db)).toBeLessThan(1e-5);
      if (path !== 'none') {
        // the products multiplied bfloat16 roundings, not the float32 operands themselves
        const unrounded = reference(o.x, o.w, o.g);
        const magnitude32 = reference(absAll(o.x), absAll(o.w), absAll(o.g));
        expect(withinFloat32Sums(got.dw, unrounded.dw, magnitude32.dw, R)).toBe(false);
      }
      fc.dispose();
    },
  );

  it("counts in gemmChoices' flops the rows the products ran on, not the declared sizes", () =>
    expectLiveRowFlops('bfloat16', 54));

  // 3.4e38 is below float32's largest 3.40282e38 and above 3.39627e38, bfloat16's midpoint to infinity
  it('skips nothing when a skipped row of data is finite in float32 but infinite in bfloat16', () =>
    expectFullProducts(
      'bfloat16',
      52,
      (o) => (o.x[3 * K + 5] = 3.4e38),
      ({ dw }) => dw.some(Number.isNaN),
    ));

  it('skips nothing when the weight is not finite', () =>
    expectFullProducts('bfloat16', 53, (o) => (o.w[7] = Number.NaN), nanColumn7));
});
