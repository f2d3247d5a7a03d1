import { describe, expect, it } from 'vitest';

import {
  gemmChoices,
  getGemmBackend,
  getGemmPrecision,
  getNumThreads,
  type GemmPrecision,
  setGemmBackend,
  setGemmPrecision,
  setNumThreads,
  ShapeError,
  ValueError,
  weightLayoutReorders,
  zeros,
} from '../src/index.js';
import { Kernel, Plan, type PlanInstruction } from '../src/internal.js';
import { expectAllClose, makeRng, nd, randomValues, relativeError, values } from './helpers.js';

type Mode = 'rnn_relu' | 'rnn_tanh' | 'lstm' | 'gru';
const MODES: Mode[] = ['rnn_relu', 'rnn_tanh', 'lstm', 'gru'];
const GATES: Record<Mode, number> = { rnn_relu: 1, rnn_tanh: 1, lstm: 4, gru: 3 };

interface Cfg {
  mode: Mode;
  T: number;
  N: number;
  I: number;
  H: number;
  L: number;
  D: number;
}

const paramSize = (c: Cfg): number => {
  const gh = GATES[c.mode] * c.H;
  let n = 0;
  for (let l = 0; l < c.L; l++) n += c.D * (gh * (l === 0 ? c.I : c.D * c.H) + gh * c.H + 2 * gh);
  return n;
};
const workspaceSize = (c: Cfg): number => {
  const tn = c.T * c.N;
  const per = c.mode === 'lstm' ? 5 : c.mode === 'gru' ? 7 : 1;
  return c.L * c.D * tn * per * c.H + (c.L - 1) * tn * c.D * c.H + 2 * tn * c.D * c.H + 2 * c.D * c.N * c.H;
};

const sig = (x: number): number => 1 / (1 + Math.exp(-x));

// MXNet's fused RNN written plainly: all weights (per layer, direction: i2h then h2h), then all biases.
function reference(c: Cfg, x: Float64Array, p: Float64Array, h0: Float64Array, c0: Float64Array) {
  const { T, N, H, L, D } = c;
  const G = GATES[c.mode];
  const GH = G * H;
  const inSize = (l: number): number => (l === 0 ? c.I : D * H);
  let w = 0;
  const wOff: number[][] = [];
  for (let l = 0; l < L; l++) {
    wOff.push([]);
    for (let d = 0; d < D; d++) {
      wOff[l]!.push(w);
      w += GH * (inSize(l) + H);
    }
  }
  const bOff = (l: number, d: number): number => w + (l * D + d) * 2 * GH;
  let input = x;
  const hy = new Float64Array(L * D * N * H);
  const cy = new Float64Array(L * D * N * H);
  for (let l = 0; l < L; l++) {
    const out = new Float64Array(T * N * D * H);
    const I = inSize(l);
    for (let d = 0; d < D; d++) {
      const wx = wOff[l]![d]!;
      const wh = wx + GH * I;
      const bx = bOff(l, d);
      const bh = bx + GH;
      const h = h0.slice((l * D + d) * N * H, (l * D + d + 1) * N * H);
      const cs = c0.slice((l * D + d) * N * H, (l * D + d + 1) * N * H);
      for (let s = 0; s < T; s++) {
        const t = d === 0 ? s : T - 1 - s;
        const hn = new Float64Array(N * H);
        for (let n = 0; n < N; n++) {
          const gx = new Float64Array(GH);
          const gh = new Float64Array(GH);
          for (let k = 0; k < GH; k++) {
            let a = p[bx + k]!;
            for (let i = 0; i < I; i++) a += p[wx + k * I + i]! * input[(t * N + n) * I + i]!;
            let b = p[bh + k]!;
            for (let j = 0; j < H; j++) b += p[wh + k * H + j]! * h[n * H + j]!;
            gx[k] = a;
            gh[k] = b;
          }
          for (let j = 0; j < H; j++) {
            let v: number;
            if (c.mode === 'lstm') {
              const i = sig(gx[j]! + gh[j]!);
              const f = sig(gx[H + j]! + gh[H + j]!);
              const g = Math.tanh(gx[2 * H + j]! + gh[2 * H + j]!);
              const o = sig(gx[3 * H + j]! + gh[3 * H + j]!);
              cs[n * H + j] = f * cs[n * H + j]! + i * g;
              v = o * Math.tanh(cs[n * H + j]!);
            } else if (c.mode === 'gru') {
              const r = sig(gx[j]! + gh[j]!);
              const z = sig(gx[H + j]! + gh[H + j]!);
              const cand = Math.tanh(gx[2 * H + j]! + r * gh[2 * H + j]!);
              v = (1 - z) * cand + z * h[n * H + j]!;
            } else {
              const a = gx[j]! + gh[j]!;
              v = c.mode === 'rnn_relu' ? Math.max(a, 0) : Math.tanh(a);
            }
            hn[n * H + j] = v;
            out[(t * N + n) * D * H + d * H + j] = v;
          }
        }
        h.set(hn);
      }
      hy.set(h, (l * D + d) * N * H);
      cy.set(cs, (l * D + d) * N * H);
    }
    input = out;
  }
  return { out: input, hy, cy };
}

const modeCode = (m: Mode): number => MODES.indexOf(m);

interface BackwardOptions {
  /** The gradients reaching hy and cy (zero when absent). */
  dhy?: Float64Array;
  dcy?: Float64Array;
  /** Declare the plan's products first, as a bind does (Plan.prepare). */
  prepare?: boolean;
}

function run(
  c: Cfg,
  xv: Float64Array,
  pv: Float64Array,
  h0v: Float64Array,
  c0v: Float64Array,
  dout?: Float64Array,
  dtype: 'float32' | 'float64' = 'float64',
  opts: BackwardOptions = {},
) {
  const lstm = c.mode === 'lstm';
  const x = nd(xv, [c.T, c.N, c.I], dtype);
  const p = nd(pv, [pv.length], dtype);
  const h0 = nd(h0v, [c.L * c.D, c.N, c.H], dtype);
  const c0 = nd(c0v, [c.L * c.D, c.N, c.H], dtype);
  const out = zeros([c.T, c.N, c.D * c.H], { dtype });
  const hy = zeros([c.L * c.D, c.N, c.H], { dtype });
  const cy = zeros([c.L * c.D, c.N, c.H], { dtype });
  const ws = zeros([workspaceSize(c)], { dtype });
  const dx = zeros([c.T, c.N, c.I], { dtype });
  const dp = zeros([pv.length], { dtype });
  const dh0 = zeros([c.L * c.D, c.N, c.H], { dtype });
  const dc0 = zeros([c.L * c.D, c.N, c.H], { dtype });
  const dy = nd(dout ?? new Float64Array(c.T * c.N * c.D * c.H), [c.T, c.N, c.D * c.H], dtype);
  const slots = lstm ? [x, p, h0, c0, out, hy, cy, ws, dy, dx, dp, dh0, dc0] : [x, p, h0, out, hy, ws, dy, dx, dp, dh0];
  const at = (a: unknown): number => slots.indexOf(a as never);
  const attrs = [modeCode(c.mode), c.H, c.L, c.D === 2 ? 1 : 0, 0, 1];
  const fwdIn = lstm ? [x, p, h0, c0] : [x, p, h0];
  const fwdOut = lstm ? [out, hy, cy, ws] : [out, hy, ws];
  const state = (v: Float64Array | undefined) => (v ? nd(v, hy.shape, dtype) : zeros(hy.shape, { dtype }));
  const bwdIn = lstm ? [x, p, h0, c0, out, ws, dy, state(opts.dhy), state(opts.dcy)] : [x, p, h0, out, ws, dy, state(opts.dhy)];
  for (const extra of bwdIn.slice(lstm ? 7 : 6)) slots.push(extra);
  const code: PlanInstruction[] = [
    { kernel: 'rnn', inputs: fwdIn.map(at), outputs: fwdOut.map(at), attrs, node: 0 },
    {
      kernel: 'rnn_backward',
      inputs: bwdIn.map(at),
      outputs: (lstm ? [dx, dp, dh0, dc0] : [dx, dp, dh0]).map(at),
      attrs,
      node: 1,
    },
  ];
  const plan = new Plan(code, ['rnn', 'rnn_backward'], slots.length);
  slots.forEach((a, i) => plan.setSlot(i, a));
  if (opts.prepare) plan.prepare();
  const prepared = gemmChoices().length;
  plan.run(0, 1, true);
  const fwd = { out: values(out), hy: values(hy), cy: values(cy) };
  if (dout) plan.run(1, 2, true);
  if (opts.prepare) expect(gemmChoices().length, 'every product was prepared at bind (Plan.prepare)').toBe(prepared);
  const grads = { dx: values(dx), dp: values(dp), dh0: values(dh0), dc0: values(dc0) };
  plan.dispose();
  slots.forEach((a) => a.dispose());
  return { ...fwd, ...grads };
}

// With more than one thread the steps run in blocks of batch rows, one per thread (rnn.cc's
// forEachRowBlock): N = 3 splits unevenly, and the tests below also run one thread.
const configs: Cfg[] = MODES.flatMap((mode) => [
  { mode, T: 3, N: 2, I: 3, H: 2, L: 1, D: 1 },
  { mode, T: 4, N: 2, I: 2, H: 3, L: 2, D: 2 },
  { mode, T: 3, N: 3, I: 2, H: 3, L: 2, D: 2 },
]);

// Runs fn with the pool (and the GEMM libraries) at n threads, then restores the count.
function withThreads<R>(n: number, fn: () => R): R {
  const initial = getNumThreads();
  setNumThreads(n);
  try {
    return fn();
  } finally {
    setNumThreads(initial);
  }
}

// Data, parameters (small, which keeps relu pre-activations away from the kink so finite
// differences are valid), initial states and a projection of the output for backward.
function randomInputs(c: Cfg, seed: number) {
  const rng = makeRng(seed);
  const x = randomValues(rng, c.T * c.N * c.I);
  const p = randomValues(rng, paramSize(c), -0.5, 0.5);
  const h0 = randomValues(rng, c.L * c.D * c.N * c.H);
  const c0 = randomValues(rng, c.L * c.D * c.N * c.H);
  const proj = randomValues(rng, c.T * c.N * c.D * c.H);
  return { x, p, h0, c0, proj };
}

// The float64 backward of <out, proj> against central differences of the plain recurrence.
function expectCentralDifferences(
  c: Cfg,
  { x, p, h0, c0 }: { x: Float64Array; p: Float64Array; h0: Float64Array; c0: Float64Array },
  proj: Float64Array,
): void {
  const got = run(c, x, p, h0, c0, proj);
  const f = (xx: Float64Array, pp: Float64Array, hh: Float64Array, cc: Float64Array): number =>
    reference(c, xx, pp, hh, cc).out.reduce((s, v, i) => s + v * proj[i]!, 0);
  const eps = 1e-6;
  const numeric = (arr: Float64Array, which: 0 | 1 | 2 | 3): Float64Array =>
    arr.map((_, i) => {
      const args = [x, p, h0, c0].map((a) => Float64Array.from(a)) as [Float64Array, Float64Array, Float64Array, Float64Array];
      args[which][i] = arr[i]! + eps;
      const up = f(...args);
      args[which][i] = arr[i]! - eps;
      return (up - f(...args)) / (2 * eps);
    });
  expectAllClose(got.dx, numeric(x, 0), { rtol: 1e-5, atol: 1e-8 });
  expectAllClose(got.dp, numeric(p, 1), { rtol: 1e-5, atol: 1e-8 });
  expectAllClose(got.dh0, numeric(h0, 2), { rtol: 1e-5, atol: 1e-8 });
  if (c.mode === 'lstm') expectAllClose(got.dc0, numeric(c0, 3), { rtol: 1e-5, atol: 1e-8 });
}

describe('fused RNN kernel', () => {
  it('has a kernel id', () => expect(Kernel.rnn).toBeGreaterThan(0));

  it.each(configs)('forward equals the plain float64 recurrence: %j', (c) => {
    const { x, p, h0, c0 } = randomInputs(c, 11);
    const got = run(c, x, p, h0, c0);
    const want = reference(c, x, p, h0, c0);
    expectAllClose(got.out, want.out, { rtol: 1e-12, atol: 1e-12 });
    expectAllClose(got.hy, want.hy, { rtol: 1e-12, atol: 1e-12 });
    if (c.mode === 'lstm') expectAllClose(got.cy, want.cy, { rtol: 1e-12, atol: 1e-12 });
  });

  it.each(configs)('backward equals central differences of <out, proj>: %j', (c) => {
    const { x, p, h0, c0, proj } = randomInputs(c, 12);
    expectCentralDifferences(c, { x, p, h0, c0 }, proj);
  });

  // float32 runs the vectorized gate loops (fastExp); H = 37 leaves a remainder after each of them.
  it.each(MODES)('float32 %s matches the float64 kernel, forward and backward', (mode) => {
    const c: Cfg = { mode, T: 3, N: 24, I: 5, H: 37, L: 2, D: 2 };
    const { x, p, h0, c0, proj } = randomInputs(c, 13);
    const want = run(c, x, p, h0, c0, proj);
    const got = run(c, x, p, h0, c0, proj, 'float32');
    const tol = { rtol: 1e-4, atol: 1e-4 };
    expectAllClose(got.out, reference(c, x, p, h0, c0).out, tol);
    for (const k of ['out', 'hy', 'cy', 'dx', 'dp', 'dh0', 'dc0'] as const) expectAllClose(got[k], want[k], tol);
  });

  // The rows of the batch split into one block per thread, which runs every step for its rows with a
  // product of its own: the same results as one thread running all rows, in float64 and float32 alike.
  it.each(MODES)('%s: two threads splitting the batch (5 rows, or 1) agree with one thread', (mode) => {
    for (const N of [5, 1]) {
      const c: Cfg = { mode, T: 4, N, I: 3, H: 9, L: 2, D: 2 };
      const { x, p, h0, c0, proj } = randomInputs(c, 21);
      const want = withThreads(1, () => run(c, x, p, h0, c0, proj));
      const got = withThreads(2, () => run(c, x, p, h0, c0, proj));
      for (const k of ['out', 'hy', 'cy', 'dx', 'dp', 'dh0', 'dc0'] as const) {
        expectAllClose(got[k], want[k], { rtol: 1e-12, atol: 1e-14 });
      }
      const initial = getGemmBackend();
      setGemmBackend('onednn');
      try {
        const want32 = withThreads(1, () => run(c, x, p, h0, c0, proj, 'float32'));
        const got32 = withThreads(2, () => run(c, x, p, h0, c0, proj, 'float32'));
        // One step product per row block: rows (2, 3) on two threads, all 5 on one.
        const stepRows = gemmChoices()
          .filter((g) => g.transposeB && g.n === GATES[mode] * c.H && g.k === c.H && g.weight)
          .map((g) => g.m);
        expect([...new Set(stepRows)].sort()).toEqual(N === 5 ? [2, 3, 5] : [1]);
        for (const k of ['out', 'hy', 'cy', 'dx', 'dp', 'dh0', 'dc0'] as const) {
          expectAllClose(got32[k], want32[k], { rtol: 1e-5, atol: 1e-6 });
        }
      } finally {
        setGemmBackend(initial);
      }
    }
  });

  // At batch 32 on two threads the per-step products (16 × 4H × H per thread) read W_h from the copy kept
  // in oneDNN's preferred layout (from the second use on in float32; weight-layouts.test.ts tests that
  // cache on its own).
  it.each(['float32', 'bfloat16'] as GemmPrecision[])(
    'LSTM at batch 32, W_h in its kept layout, %s products, matches the float64 kernel',
    (precision) => {
      const c: Cfg = { mode: 'lstm', T: 4, N: 32, I: 64, H: 200, L: 1, D: 2 };
      const { x, p, h0, c0, proj } = randomInputs(c, 14);
      const want = run(c, x, p, h0, c0, proj);
      const initial = { backend: getGemmBackend(), precision: getGemmPrecision() };
      setGemmBackend('onednn');
      setGemmPrecision(precision);
      try {
        const before = weightLayoutReorders();
        const got = withThreads(2, () => run(c, x, p, h0, c0, proj, 'float32'));
        // Per direction, W_h once per layout its step products read it in, and W_x's products use it once
        // each, which makes a copy only in bfloat16 (where it is converted anyway). Two directions: the
        // later steps read h with a row stride of 2H, which at 16 rows oneDNN computes with another kernel
        // than the first step's, in another layout of W_h in float32: three copies of W_h per direction.
        expect(weightLayoutReorders() - before).toBe(precision === 'float32' ? 6 : 8);
        const tol = precision === 'float32' ? 1e-5 : 1e-2;
        for (const k of ['out', 'hy', 'cy', 'dx', 'dp', 'dh0', 'dc0'] as const) {
          expect(relativeError(got[k], want[k]), k).toBeLessThan(tol);
        }
      } finally {
        setGemmBackend(initial.backend);
        setGemmPrecision(initial.precision);
      }
    },
  );

  it('rejects a wrong parameter size, unknown modes and dropout with typed errors', () => {
    const c: Cfg = { mode: 'gru', T: 2, N: 1, I: 2, H: 2, L: 1, D: 1 };
    const rng = makeRng(1);
    expect(() =>
      run(c, randomValues(rng, 4), randomValues(rng, paramSize(c) + 1), new Float64Array(2), new Float64Array(2)),
    ).toThrow(ShapeError);
    const x = zeros([2, 1, 2]);
    const plan = new Plan(
      [{ kernel: 'rnn', inputs: [0, 0, 0], outputs: [0, 0], attrs: [7, 2, 1, 0, 0, 0], node: 0 }],
      ['rnn0'],
      1,
    );
    plan.setSlot(0, x);
    expect(() => plan.run(0, 1, true)).toThrow(ValueError);
    expect(() => plan.run(0, 1, true)).toThrow(/rnn0: RNN: unknown mode/);
    plan.dispose();
  });
});

// A bucketed batch pads each sentence after its end, and SoftmaxOutput's ignored labels give those positions
// a zero output gradient: in the forward direction every gradient there is then exactly zero, which the
// backward skips (rnn.cc: skippedPositions, liveProducts). Each batch row n has `len[n]` live steps.
describe('fused RNN backward over padded batches (zero output-gradient tails)', () => {
  const lengthsOf = (c: Cfg, seed: number): number[] => {
    const rng = makeRng(seed);
    // one full row, one row of padding only (when there are 3 rows or more), the others random
    return Array.from({ length: c.N }, (_, n) => (n === 0 ? c.T : n === 2 ? 0 : 1 + Math.floor(rng() * c.T)));
  };
  // proj with its entries at padded positions (t >= len[n]) set to `tail`
  const padded = (c: Cfg, proj: Float64Array, len: number[], tail: number): Float64Array =>
    proj.map((v, i) =>
      Math.floor(i / (c.D * c.H)) % c.N >= 0 && Math.floor(i / (c.N * c.D * c.H)) >= len[Math.floor(i / (c.D * c.H)) % c.N]!
        ? tail
        : v,
    );
  const isPad = (c: Cfg, len: number[], position: number): boolean => Math.floor(position / c.N) >= len[position % c.N]!;
  const biasStart = (c: Cfg): number => paramSize(c) - c.L * c.D * 2 * GATES[c.mode] * c.H;
  const GRADS = ['dx', 'dp', 'dh0', 'dc0'] as const;

  // The runtime-size products (liveProducts) that ran since the previous call: dWx = dGxᵀ·X over live
  // positions of layer 0 (k 0 in gemmChoices, n = the input width).
  const liveCalls = (c: Cfg): number =>
    gemmChoices()
      .filter((g) => g.transposeA && g.k === 0 && g.m === GATES[c.mode] * c.H && g.n === c.I)
      .reduce((s, g) => s + g.calls, 0);

  const padConfigs: Cfg[] = MODES.flatMap((mode) => [
    { mode, T: 7, N: 5, I: 4, H: 9, L: 1, D: 1 },
    { mode, T: 6, N: 5, I: 3, H: 8, L: 2, D: 1 },
    { mode, T: 6, N: 4, I: 3, H: 7, L: 2, D: 2 },
  ]);

  // The reference is the unskipped backward: the same tails holding a tiny nonzero value instead of 0
  // (1e-300, far below every ulp it meets in float64), so nothing is skipped. float64: the gradients agree to
  // summation order, and the bias gradients and dh0, dc0 of rows with a live step bitwise (OpenBLAS sums each
  // row of a step's product in the same order whether the ended rows are gathered out or not). With the state
  // gradients of some rows nonzero those rows are not skipped.
  it.each(padConfigs)('equals the unskipped backward in float64, with and without state gradients: %j', (c) => {
    const { x, p, h0, c0, proj } = randomInputs(c, 31);
    const len = lengthsOf(c, 32);
    const rng = makeRng(33);
    for (const withState of [false, true]) {
      // state gradients on the odd rows (row 1 among them, a padded one unless random lengths fill it)
      const stateGrad = (): Float64Array | undefined => {
        if (!withState) return undefined;
        const v = randomValues(rng, c.L * c.D * c.N * c.H);
        return v.map((e, i) => ((Math.floor(i / c.H) % c.N) % 2 === 1 ? e : 0));
      };
      const opts = { dhy: stateGrad(), dcy: stateGrad() };
      const got = withThreads(2, () => run(c, x, p, h0, c0, padded(c, proj, len, 0), 'float64', opts));
      const want = withThreads(2, () => run(c, x, p, h0, c0, padded(c, proj, len, 1e-300), 'float64', opts));
      for (const k of GRADS) expectAllClose(got[k], want[k], { rtol: 1e-12, atol: 1e-14 });
      // Equal, or 0 where the reference holds only the tails' tiny terms (a relu unit dead at every live step).
      const same = (a: number, b: number): boolean => a === b || (a === 0 && Math.abs(b) < 1e-280);
      const bias = biasStart(c);
      got.dp.subarray(bias).forEach((v, i) => expect(same(v, want.dp[bias + i]!), `bias gradient [${i}]`).toBe(true));
      for (let i = 0; i < got.dh0.length; i++) {
        const row = Math.floor(i / c.H) % c.N;
        if (len[row]! > 0)
          expect(same(got.dh0[i]!, want.dh0[i]!) && same(got.dc0[i]!, want.dc0[i]!), `dh0, dc0 [${i}]`).toBe(true);
      }
      // The data gradient at a skipped position is zero (one direction: the reverse one carries the live steps'
      // gradient into the padding); the reference's is not.
      if (c.D === 1) {
        for (let pos = 0; pos < c.T * c.N; pos++) {
          const skipped = isPad(c, len, pos) && !(withState && (pos % c.N) % 2 === 1);
          const row = got.dx.subarray(pos * c.I, (pos + 1) * c.I);
          if (skipped)
            expect(
              row.every((v) => v === 0),
              `dx at position ${pos}`,
            ).toBe(true);
          if (skipped) expect(want.dx.subarray(pos * c.I, (pos + 1) * c.I).some((v) => v !== 0)).toBe(true);
        }
      }
    }
  });

  // On two threads rows 2 and 3 form the second block, whose steps after both rows end are skipped whole
  // (only their gate-gradient rows zeroed): with both rows all padding, the first step's product dWh += dGhᵀ·h0
  // reads those rows; ending two steps early, few positions in the span are zero and the products run on
  // the whole span in place, reading them too.
  it.each(MODES.flatMap((mode) => [[mode, [30, 30, 0, 0]] as const, [mode, [30, 30, 28, 28]] as const]))(
    '%s, lengths %j: a block of rows skipped whole agrees with the unskipped backward',
    (mode, len) => {
      const c: Cfg = { mode, T: 30, N: 4, I: 3, H: 5, L: 1, D: 1 };
      const { x, p, h0, c0, proj } = randomInputs(c, 39);
      const got = withThreads(2, () => run(c, x, p, h0, c0, padded(c, proj, [...len], 0)));
      const want = withThreads(2, () => run(c, x, p, h0, c0, padded(c, proj, [...len], 1e-300)));
      for (const k of GRADS) expectAllClose(got[k], want[k], { rtol: 1e-12, atol: 1e-14 });
    },
  );

  // float32 arrays on oneDNN, the runtime-size products prepared at bind: the skipping backward against the
  // unskipped one (tails of 1e-30) within float32 summation error, in float32 and in bfloat16 precision (where
  // both see the same bfloat16-rounded operands and differ in the order of their float32 sums only).
  it.each(padConfigs)('float32: runs the live-position products, declared at bind, and agrees: %j', (c) => {
    const { x, p, h0, c0, proj } = randomInputs(c, 34);
    const len = lengthsOf(c, 35);
    const initial = { backend: getGemmBackend(), precision: getGemmPrecision() };
    setGemmBackend('onednn');
    try {
      for (const precision of ['float32', 'bfloat16'] as GemmPrecision[]) {
        setGemmPrecision(precision);
        for (const threads of [1, 2]) {
          const start = liveCalls(c);
          const want = withThreads(threads, () => run(c, x, p, h0, c0, padded(c, proj, len, 1e-30), 'float32'));
          const before = liveCalls(c);
          expect(before, 'the unskipped backward runs no live-position product').toBe(start);
          const dout = padded(c, proj, len, 0);
          const got = withThreads(threads, () => run(c, x, p, h0, c0, dout, 'float32', { prepare: true }));
          expect(liveCalls(c), 'the live-position products ran').toBeGreaterThan(before);
          for (const k of GRADS) expect(relativeError(got[k], want[k]), `${precision} ${k}`).toBeLessThan(1e-5);
          if (c.D === 1) {
            for (let pos = 0; pos < c.T * c.N; pos++) {
              if (isPad(c, len, pos)) expect(got.dx.subarray(pos * c.I, (pos + 1) * c.I).every((v) => v === 0)).toBe(true);
            }
          }
        }
      }
    } finally {
      setGemmBackend(initial.backend);
      setGemmPrecision(initial.precision);
    }
  });

  it.each(padConfigs.filter((c) => c.L === 2))('backward with zero tails equals central differences: %j', (c) => {
    const small: Cfg = { ...c, T: 4, N: 3, H: 3 };
    const { x, p, h0, c0, proj } = randomInputs(small, 36);
    expectCentralDifferences(small, { x, p, h0, c0 }, padded(small, proj, [4, 1, 0], 0));
  });

  // An infinite input at a padded position: its zero gate gradients meet it in dWx = dGxᵀ·X, where 0 · inf
  // is NaN, so nothing is skipped and dWx's column for that input is NaN, as the unskipped backward has it
  // (the gates there stay finite: sigmoid and tanh of ±inf). Everything else equals the backward of a finite
  // input there, which skips. rnn_relu is left out: relu(inf) carries the infinity into later steps.
  it.each(padConfigs.filter((c) => c.L === 1 && c.mode !== 'rnn_relu'))(
    'an infinite input at a skipped position disables the skip: %j',
    (c) => {
      const { x, p, h0, c0, proj } = randomInputs(c, 37);
      const len = lengthsOf(c, 38);
      const dout = padded(c, proj, len, 0);
      const pos = (c.T - 1) * c.N + 2; // row 2 is all padding
      const col = 1;
      const spoilt = Float64Array.from(x);
      spoilt[pos * c.I + col] = Number.POSITIVE_INFINITY;
      const initial = getGemmBackend();
      setGemmBackend('onednn');
      try {
        for (const dtype of ['float64', 'float32'] as const) {
          const finite = run(c, x, p, h0, c0, dout, dtype);
          const before = liveCalls(c);
          const got = run(c, spoilt, p, h0, c0, dout, dtype);
          if (dtype === 'float32') expect(liveCalls(c), 'no live-position product ran').toBe(before);
          const GH = GATES[c.mode] * c.H;
          const nanAt = (i: number): boolean => i < GH * c.I && i % c.I === col; // dWx is the first block of dp
          got.dp.forEach((v, i) => expect(Number.isNaN(v), `dp[${i}]`).toBe(nanAt(i)));
          const tol = dtype === 'float64' ? 1e-12 : 1e-5;
          const rest = (a: Float64Array): Float64Array => a.filter((_, i) => !nanAt(i));
          expect(relativeError(rest(got.dp), rest(finite.dp))).toBeLessThan(tol);
          for (const k of ['dx', 'dh0', 'dc0'] as const) expect(relativeError(got[k], finite[k]), k).toBeLessThan(tol);
        }
      } finally {
        setGemmBackend(initial);
      }
    },
  );
});
