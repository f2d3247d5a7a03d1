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

function run(
  c: Cfg,
  xv: Float64Array,
  pv: Float64Array,
  h0v: Float64Array,
  c0v: Float64Array,
  dout?: Float64Array,
  dtype: 'float32' | 'float64' = 'float64',
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
  const bwdIn = lstm
    ? [x, p, h0, c0, out, ws, dy, zeros(hy.shape, { dtype }), zeros(cy.shape, { dtype })]
    : [x, p, h0, out, ws, dy, zeros(hy.shape, { dtype })];
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
  plan.run(0, 1, true);
  const fwd = { out: values(out), hy: values(hy), cy: values(cy) };
  if (dout) plan.run(1, 2, true);
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
