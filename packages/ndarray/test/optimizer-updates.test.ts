import { describe, expect, it } from 'vitest';

import {
  adadeltaUpdate,
  adagradUpdate,
  adamaxUpdate,
  adamUpdate,
  type DType,
  DTypeError,
  ftmlUpdate,
  ftrlUpdate,
  lambUpdate,
  nadamUpdate,
  nagMomUpdate,
  type NDArray,
  random,
  rmspropalexUpdate,
  rmspropUpdate,
  seed,
  sgdMomUpdate,
  sgdUpdate,
  sgldUpdate,
  ShapeError,
  signsgdUpdate,
  signumUpdate,
  StateError,
  ValueError,
  zeros,
} from '../src/index.js';
import { type NativeHandle, native } from '../src/native.js';
import { expectAllClose, expectError, makeRng, nd, randomShape, randomValues, sizeOf, tolerance, values } from './helpers.js';

const FLOATS: DType[] = ['float32', 'float64'];
const STEPS = 3;

type Params = Record<string, number>;

// rescale then clip when clip >= 0: the gradient preparation every fused update starts with.
const clipTo = (x: number, c: number): number => (c >= 0 ? Math.min(c, Math.max(-c, x)) : x);
const prep = (g: number, p: Params): number => clipTo((p.rescaleGrad ?? 1) * g, p.clipGradient ?? -1);
const sign = (x: number): number => (x > 0 ? 1 : x < 0 ? -1 : 0);

/**
 * One optimizer kernel: how to call it, and a plain float64 reference that updates whole arrays (w and
 * the states in place) so that norm-based updates (LAMB) fit the same shape as element-wise ones.
 */
interface KernelCase {
  name: string;
  states: number;
  settings: Params[];
  call(w: NDArray, g: NDArray, s: NDArray[], p: Params, weight32?: NDArray): void;
  ref(w: Float64Array, g: Float64Array, s: Float64Array[], p: Params): void;
}

function elementwise(step: (w: number, g: number, s: Float64Array[], i: number, p: Params) => number) {
  return (w: Float64Array, g: Float64Array, s: Float64Array[], p: Params): void => {
    for (let i = 0; i < w.length; i++) w[i] = step(w[i]!, g[i]!, s, i, p);
  };
}

// Settings mix wd, rescale and clip (on, off and zero) so every branch of the preparation runs.
const COMMON: Params[] = [
  { lr: 0.1 },
  { lr: 0.05, wd: 0.01, rescaleGrad: 0.5 },
  { lr: 0.2, wd: 0.1, rescaleGrad: 2, clipGradient: 0.3 },
  { lr: 0.1, clipGradient: 0 },
];

const CASES: KernelCase[] = [
  {
    name: 'sgdUpdate',
    states: 0,
    settings: COMMON,
    call: (w, g, _s, p, weight32) => sgdUpdate(w, g, { ...p, lr: p.lr!, weight32 }),
    ref: elementwise((w, g, _s, _i, p) => (1 - p.lr! * (p.wd ?? 0)) * w - p.lr! * prep(g, p)),
  },
  {
    name: 'sgdMomUpdate',
    states: 1,
    settings: COMMON.map((p, i) => ({ ...p, momentum: [0.9, 0.5, 0, 0.99][i]! })),
    call: (w, g, s, p, weight32) => sgdMomUpdate(w, g, s[0]!, { ...p, lr: p.lr!, weight32 }),
    ref: elementwise((w, g, s, i, p) => {
      const m = s[0]!;
      m[i] = p.momentum! * m[i]! - (p.wd ?? 0) * w - prep(g, p);
      return w + p.lr! * m[i]!;
    }),
  },
  {
    name: 'nagMomUpdate',
    states: 1,
    settings: COMMON.map((p, i) => ({ ...p, momentum: [0.9, 0.5, 0, 0.99][i]! })),
    call: (w, g, s, p, weight32) => nagMomUpdate(w, g, s[0]!, { ...p, lr: p.lr!, weight32 }),
    ref: elementwise((w, g, s, i, p) => {
      const m = s[0]!;
      const t = prep(g, p) + (p.wd ?? 0) * w;
      m[i] = p.momentum! * m[i]! - p.lr! * t;
      return w + p.momentum! * m[i]! - p.lr! * t;
    }),
  },
  {
    name: 'adamUpdate',
    states: 2,
    settings: COMMON.map((p, i) => ({
      ...p,
      beta1: [0.9, 0.8, 0.5, 0.9][i]!,
      beta2: [0.999, 0.9, 0.99, 0.999][i]!,
      epsilon: 1e-8,
    })),
    call: (w, g, s, p, weight32) => adamUpdate(w, g, s[0]!, s[1]!, { ...p, lr: p.lr!, weight32 }),
    ref: elementwise((w, g, s, i, p) => {
      const [m, v] = s as [Float64Array, Float64Array];
      const r = clipTo((p.rescaleGrad ?? 1) * g + (p.wd ?? 0) * w, p.clipGradient ?? -1);
      m[i] = p.beta1! * m[i]! + (1 - p.beta1!) * r;
      v[i] = p.beta2! * v[i]! + (1 - p.beta2!) * r * r;
      return w - (p.lr! * m[i]!) / (Math.sqrt(v[i]!) + p.epsilon!);
    }),
  },
  {
    name: 'rmspropUpdate',
    states: 1,
    settings: COMMON.map((p, i) => ({ ...p, gamma1: 0.9, epsilon: 1e-8, clipWeights: [-1, 0.4, -1, 1][i]! })),
    call: (w, g, s, p, weight32) => rmspropUpdate(w, g, s[0]!, { ...p, lr: p.lr!, weight32 }),
    ref: elementwise((w, g, s, i, p) => {
      const n = s[0]!;
      const r = clipTo((p.rescaleGrad ?? 1) * g + (p.wd ?? 0) * w, p.clipGradient ?? -1);
      n[i] = (1 - p.gamma1!) * r * r + p.gamma1! * n[i]!;
      return clipTo(w - p.lr! * (r / Math.sqrt(n[i]! + p.epsilon!)), p.clipWeights!);
    }),
  },
  {
    name: 'rmspropalexUpdate',
    states: 3,
    settings: COMMON.map((p, i) => ({ ...p, gamma1: 0.95, gamma2: 0.9, epsilon: 1e-4, clipWeights: [-1, -1, 0.5, -1][i]! })),
    call: (w, g, s, p, weight32) => rmspropalexUpdate(w, g, s[0]!, s[1]!, s[2]!, { ...p, lr: p.lr!, weight32 }),
    ref: elementwise((w, g, s, i, p) => {
      const [n, a, d] = s as [Float64Array, Float64Array, Float64Array];
      const r = clipTo((p.rescaleGrad ?? 1) * g + (p.wd ?? 0) * w, p.clipGradient ?? -1);
      n[i] = (1 - p.gamma1!) * r * r + p.gamma1! * n[i]!;
      a[i] = (1 - p.gamma1!) * r + p.gamma1! * a[i]!;
      d[i] = p.gamma2! * d[i]! - (p.lr! * r) / Math.sqrt(n[i]! - a[i]! * a[i]! + p.epsilon!);
      return clipTo(w + d[i]!, p.clipWeights!);
    }),
  },
  {
    name: 'ftrlUpdate',
    states: 2,
    settings: COMMON.map((p, i) => ({ ...p, lamda1: [0.01, 0.001, 0.05, 0][i]!, beta: [1, 0.5, 2, 1][i]! })),
    call: (w, g, s, p, weight32) => ftrlUpdate(w, g, s[0]!, s[1]!, { ...p, lr: p.lr!, weight32 }),
    ref: elementwise((w, g, s, i, p) => {
      const [z, n] = s as [Float64Array, Float64Array];
      const r = prep(g, p);
      z[i] = z[i]! + r - ((Math.sqrt(n[i]! + r * r) - Math.sqrt(n[i]!)) * w) / p.lr!;
      n[i] = n[i]! + r * r;
      const active = Math.abs(z[i]!) > p.lamda1! ? 1 : 0;
      return ((sign(z[i]!) * p.lamda1! - z[i]!) / ((p.beta! + Math.sqrt(n[i]!)) / p.lr! + (p.wd ?? 0))) * active;
    }),
  },
  {
    name: 'ftmlUpdate',
    states: 3,
    settings: COMMON.map((p) => ({ ...p, beta1: 0.6, beta2: 0.999, epsilon: 1e-8 })),
    call: (w, g, s, p, weight32) => ftmlUpdate(w, g, s[0]!, s[1]!, s[2]!, { ...p, lr: p.lr!, t: p.t!, weight32 }),
    ref: elementwise((w, g, s, i, p) => {
      const [d, v, z] = s as [Float64Array, Float64Array, Float64Array];
      const r = clipTo((p.rescaleGrad ?? 1) * g + (p.wd ?? 0) * w, p.clipGradient ?? -1);
      v[i] = p.beta2! * v[i]! + (1 - p.beta2!) * r * r;
      const dt = ((1 - p.beta1! ** p.t!) / p.lr!) * (Math.sqrt(v[i]! / (1 - p.beta2! ** p.t!)) + p.epsilon!);
      z[i] = p.beta1! * z[i]! + (1 - p.beta1!) * r - (dt - p.beta1! * d[i]!) * w;
      d[i] = dt;
      return -z[i]! / dt;
    }),
  },
  {
    name: 'signsgdUpdate',
    states: 0,
    settings: COMMON,
    call: (w, g, _s, p, weight32) => signsgdUpdate(w, g, { ...p, lr: p.lr!, weight32 }),
    ref: elementwise((w, g, _s, _i, p) => (1 - p.lr! * (p.wd ?? 0)) * w - p.lr! * sign(g)),
  },
  {
    name: 'signumUpdate',
    states: 1,
    settings: COMMON.map((p, i) => ({ ...p, momentum: [0.9, 0.5, 0, 0.9][i]!, wdLh: [0, 0.01, 0.1, 0][i]! })),
    call: (w, g, s, p, weight32) => signumUpdate(w, g, s[0]!, { ...p, lr: p.lr!, weight32 }),
    ref: elementwise((w, g, s, i, p) => {
      const m = s[0]!;
      m[i] = p.momentum! * m[i]! - (1 - p.momentum!) * (p.wd ?? 0) * w - (1 - p.momentum!) * prep(g, p);
      return (1 - p.lr! * p.wdLh!) * w + p.lr! * sign(m[i]!);
    }),
  },
  {
    name: 'adagradUpdate',
    states: 1,
    settings: COMMON.map((p) => ({ ...p, epsilon: 1e-7 })),
    call: (w, g, s, p, weight32) => adagradUpdate(w, g, s[0]!, { ...p, lr: p.lr!, weight32 }),
    ref: elementwise((w, g, s, i, p) => {
      const h = s[0]!;
      const r = prep(g, p);
      h[i] = h[i]! + r * r;
      return w - p.lr! * (r / Math.sqrt(h[i]! + p.epsilon!) + (p.wd ?? 0) * w);
    }),
  },
  {
    name: 'adadeltaUpdate',
    states: 2,
    settings: COMMON.map((p, i) => ({ ...p, rho: [0.9, 0.95, 0.5, 0.9][i]!, epsilon: 1e-5 })),
    call: (w, g, s, p, weight32) => adadeltaUpdate(w, g, s[0]!, s[1]!, { ...p, weight32 }),
    ref: elementwise((w, g, s, i, p) => {
      const [ag, ad] = s as [Float64Array, Float64Array];
      const r = prep(g, p);
      ag[i] = p.rho! * ag[i]! + (1 - p.rho!) * r * r;
      const delta = (Math.sqrt(ad[i]! + p.epsilon!) / Math.sqrt(ag[i]! + p.epsilon!)) * r;
      ad[i] = p.rho! * ad[i]! + (1 - p.rho!) * delta * delta;
      return w - (delta + (p.wd ?? 0) * w);
    }),
  },
  {
    name: 'adamaxUpdate',
    states: 2,
    settings: COMMON.map((p) => ({ ...p, beta1: 0.9, beta2: 0.999 })),
    call: (w, g, s, p, weight32) => adamaxUpdate(w, g, s[0]!, s[1]!, { ...p, lr: p.lr!, weight32 }),
    ref: elementwise((w, g, s, i, p) => {
      const [m, u] = s as [Float64Array, Float64Array];
      const r = clipTo((p.rescaleGrad ?? 1) * g + (p.wd ?? 0) * w, p.clipGradient ?? -1);
      m[i] = p.beta1! * m[i]! + (1 - p.beta1!) * r;
      u[i] = Math.max(p.beta2! * u[i]!, Math.abs(r));
      return w - (p.lr! * m[i]!) / u[i]!;
    }),
  },
  {
    name: 'nadamUpdate',
    states: 2,
    settings: COMMON.map((p) => ({
      ...p,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-8,
      momentumT: 0.45,
      momentumT1: 0.46,
      mSchedule: 0.4,
      mScheduleNext: 0.184,
      beta2PowT: 0.998,
    })),
    call: (w, g, s, p, weight32) =>
      nadamUpdate(w, g, s[0]!, s[1]!, {
        ...p,
        lr: p.lr!,
        momentumT: p.momentumT!,
        momentumT1: p.momentumT1!,
        mSchedule: p.mSchedule!,
        mScheduleNext: p.mScheduleNext!,
        beta2PowT: p.beta2PowT!,
        weight32,
      }),
    ref: elementwise((w, g, s, i, p) => {
      const [m, v] = s as [Float64Array, Float64Array];
      const r = clipTo((p.rescaleGrad ?? 1) * g + (p.wd ?? 0) * w, p.clipGradient ?? -1);
      m[i] = p.beta1! * m[i]! + (1 - p.beta1!) * r;
      v[i] = p.beta2! * v[i]! + (1 - p.beta2!) * r * r;
      const mBar = (1 - p.momentumT!) * (r / (1 - p.mSchedule!)) + p.momentumT1! * (m[i]! / (1 - p.mScheduleNext!));
      return w - (p.lr! * mBar) / (Math.sqrt(v[i]! / (1 - p.beta2PowT!)) + p.epsilon!);
    }),
  },
  {
    name: 'lambUpdate',
    states: 2,
    settings: COMMON.map((p, i) => ({
      ...p,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-6,
      biasCorrection: i === 3 ? 0 : 1,
      lowerBound: [-1, 0.5, -1, -1][i]!,
      upperBound: [-1, -1, 0.1, -1][i]!,
    })),
    call: (w, g, s, p, weight32) =>
      lambUpdate(w, g, s[0]!, s[1]!, { ...p, lr: p.lr!, t: p.t!, biasCorrection: p.biasCorrection === 1, weight32 }),
    ref: (w, g, s, p) => {
      const [m, v] = s as [Float64Array, Float64Array];
      const dir = new Float64Array(w.length);
      for (let i = 0; i < w.length; i++) {
        const r = prep(g[i]!, p);
        m[i] = p.beta1! * m[i]! + (1 - p.beta1!) * r;
        v[i] = p.beta2! * v[i]! + (1 - p.beta2!) * r * r;
        const mh = p.biasCorrection ? m[i]! / (1 - p.beta1! ** p.t!) : m[i]!;
        const vh = p.biasCorrection ? v[i]! / (1 - p.beta2! ** p.t!) : v[i]!;
        dir[i] = mh / (Math.sqrt(vh) + p.epsilon!) + (p.wd ?? 0) * w[i]!;
      }
      let r1 = Math.hypot(...w);
      const r2 = Math.hypot(...dir);
      if (p.lowerBound! >= 0) r1 = Math.max(r1, p.lowerBound!);
      if (p.upperBound! >= 0) r1 = Math.min(r1, p.upperBound!);
      const lr = r1 !== 0 && r2 !== 0 ? (p.lr! * r1) / r2 : p.lr!;
      for (let i = 0; i < w.length; i++) w[i] = w[i]! - lr * dir[i]!;
    },
  },
];

/** Runs STEPS updates of `c` on fresh arrays and the reference in float64; returns both results. */
function runSteps(c: KernelCase, p: Params, shape: number[], dtype: DType, seedValue: number) {
  const rng = makeRng(seedValue);
  const n = sizeOf(shape);
  const w0 = randomValues(rng, n);
  const weight = nd(w0, shape, dtype);
  const states = Array.from({ length: c.states }, () => zeros(shape, { dtype }));
  const refW = Float64Array.from(w0);
  const refS = Array.from({ length: c.states }, () => new Float64Array(n));
  for (let t = 1; t <= STEPS; t++) {
    const g0 = randomValues(rng, n, -2, 2);
    const grad = nd(g0, shape, dtype);
    c.call(weight, grad, states, { ...p, t });
    c.ref(refW, g0, refS, { ...p, t });
    grad.dispose();
  }
  return { weight, states, refW, refS };
}

describe('fused optimizer updates against float64 references', () => {
  for (const c of CASES) {
    for (const dtype of FLOATS) {
      it(`${c.name} ${dtype}`, () => {
        const rng = makeRng(c.name.length * 7 + (dtype === 'float64' ? 1 : 0));
        const shapes = [[5, 4], randomShape(rng, 3, 4, 1), [0, 3], [7]];
        c.settings.forEach((p, k) => {
          const { weight, states, refW, refS } = runSteps(c, p, shapes[k % shapes.length]!, dtype, 100 + k);
          const tol = tolerance(dtype);
          expectAllClose(values(weight), refW, { rtol: tol.rtol * 10, atol: tol.atol * 10 });
          states.forEach((s, i) => expectAllClose(values(s), refS[i]!, { rtol: tol.rtol * 10, atol: tol.atol * 10 }));
          [weight, ...states].forEach((a) => a.dispose());
        });
      });
    }
  }

  // Above 2 × the parallel grain: the work is split across the pool (and LAMB sums its norms in blocks).
  for (const name of ['adamUpdate', 'lambUpdate', 'sgdMomUpdate']) {
    it(`${name} on a large float32 array (parallel path)`, () => {
      const c = CASES.find((k) => k.name === name)!;
      const { weight, states, refW, refS } = runSteps(c, c.settings[1]!, [300, 257], 'float32', 9);
      expectAllClose(values(weight), refW, { rtol: 1e-4, atol: 1e-5 });
      states.forEach((s, i) => expectAllClose(values(s), refS[i]!, { rtol: 1e-4, atol: 1e-5 }));
      [weight, ...states].forEach((a) => a.dispose());
    });
  }
});

describe.each(['float16', 'bfloat16'] as const)('multi-precision (%s weight, float32 master copy)', (low) => {
  for (const c of CASES) {
    it(`${c.name} updates weight32 in float32 and writes the rounded weight`, () => {
      const rng = makeRng(3);
      const shape = [4, 6];
      const n = sizeOf(shape);
      const p = c.settings[1]!;
      const weight = nd(randomValues(rng, n), shape, low);
      const weight32 = weight.astype('float32');
      const refW = values(weight32);
      const states = Array.from({ length: c.states }, () => zeros(shape));
      const refS = Array.from({ length: c.states }, () => new Float64Array(n));
      for (let t = 1; t <= STEPS; t++) {
        const g0 = randomValues(rng, n);
        const grad = nd(g0, shape, low);
        const g16 = values(grad);
        c.call(weight, grad, states, { ...p, t }, weight32);
        c.ref(refW, g16, refS, { ...p, t });
        grad.dispose();
      }
      expectAllClose(values(weight32), refW, { rtol: 1e-4, atol: 1e-5 });
      const rounded = weight32.astype(low);
      expect(values(weight)).toEqual(values(rounded));
      [weight, weight32, rounded, ...states].forEach((a) => a.dispose());
    });
  }

  it('also accepts a float32 weight with a float32 master copy', () => {
    const weight = nd([1, 2, 3], [3]);
    const weight32 = nd([1.5, 2.5, 3.5], [3]);
    const grad = nd([1, 1, 1], [3]);
    sgdUpdate(weight, grad, { lr: 0.5, weight32 });
    expect(values(weight32)).toEqual(Float64Array.from([1, 2, 3]));
    expect(values(weight)).toEqual(Float64Array.from([1, 2, 3]));
  });
});

describe('sgldUpdate', () => {
  for (const dtype of FLOATS) {
    it(`adds N(0, sqrt(lr)) noise from the seeded generator (${dtype})`, () => {
      const rng = makeRng(21);
      const shape = [3, 5];
      const n = sizeOf(shape);
      const p = { lr: 0.04, wd: 0.1, rescaleGrad: 0.5, clipGradient: 0.2 };
      const w0 = randomValues(rng, n);
      const g0 = randomValues(rng, n);
      seed(77);
      const noise = random.normal(0, Math.sqrt(p.lr), shape, { dtype });
      const eta = values(noise);
      const expected = w0.map((w, i) => w + (-p.lr / 2) * (prep(g0[i]!, p) + p.wd * w) + eta[i]!);
      seed(77);
      const weight = nd(w0, shape, dtype);
      sgldUpdate(weight, nd(g0, shape, dtype), p);
      expectAllClose(values(weight), expected, tolerance(dtype));
      seed(77);
      const again = nd(w0, shape, dtype);
      sgldUpdate(again, nd(g0, shape, dtype), p);
      expect(values(again)).toEqual(values(weight));
    });
  }
});

describe('errors', () => {
  const w = (): NDArray => nd([1, 2, 3, 4, 5, 6], [2, 3]);

  it('a grad or state whose shape differs from the weight is a ShapeError naming the op and argument', () => {
    expectError(
      () => sgdUpdate(w(), nd([1, 2, 3, 4, 5, 6], [3, 2]), { lr: 1 }),
      ShapeError,
      /sgdUpdate: grad has shape \(3, 2\)/,
    );
    expectError(
      () => adamUpdate(w(), w(), zeros([2, 3]), zeros([6]), { lr: 1 }),
      ShapeError,
      /adamUpdate: var has shape \(6,\) but weight has shape \(2, 3\)/,
    );
    expectError(
      () => sgdMomUpdate(w(), w(), zeros([2, 3]), { lr: 1, weight32: zeros([2, 2]) }),
      ShapeError,
      /sgdMomUpdate: weight32 has shape \(2, 2\)/,
    );
  });

  it('dtype mismatches and non-float weights are DTypeErrors naming the op', () => {
    expectError(() => sgdUpdate(w(), nd([1, 2, 3, 4, 5, 6], [2, 3], 'float64'), { lr: 1 }), DTypeError, /sgdUpdate: grad is/);
    expectError(
      () => sgdMomUpdate(w(), w(), zeros([2, 3], { dtype: 'float64' }), { lr: 1 }),
      DTypeError,
      /sgdMomUpdate: mom must be float32/,
    );
    expectError(
      () => sgdUpdate(nd([1, 2], [2], 'int32'), nd([1, 2], [2], 'int32'), { lr: 1 }),
      DTypeError,
      /sgdUpdate: weight must be float32 or float64/,
    );
    const half = nd([1, 2], [2], 'float16');
    expectError(
      () => sgdUpdate(half, nd([1, 2], [2], 'float16'), { lr: 1 }),
      DTypeError,
      /sgdUpdate: a float16 weight .* needs a float32 master copy/,
    );
    const bf = nd([1, 2], [2], 'bfloat16');
    expectError(
      () => sgdMomUpdate(bf, nd([1, 2], [2], 'bfloat16'), zeros([2]), { lr: 1 }),
      DTypeError,
      /sgdMomUpdate: a bfloat16 weight \(2,\) needs a float32 master copy/,
    );
    expectError(
      () => sgdUpdate(bf, nd([1, 2], [2], 'float16'), { lr: 1, weight32: zeros([2]) }),
      DTypeError,
      /sgdUpdate: grad is \(2,\) float16 but weight is \(2,\) bfloat16/,
    );
    expectError(
      () => sgdUpdate(half, nd([1, 2], [2], 'float16'), { lr: 1, weight32: zeros([2], { dtype: 'float64' }) }),
      DTypeError,
      /sgdUpdate: weight32 must be float32/,
    );
    for (const low of [half, bf]) {
      expectError(
        () =>
          adamUpdate(low, low.copy(), zeros([2], { dtype: low.dtype }), zeros([2]), {
            lr: 1,
            weight32: zeros([2]),
          }),
        DTypeError,
        /adamUpdate: mean must be float32/,
      );
    }
    expectError(
      () => sgdUpdate(nd([1, 2], [2], 'float64'), nd([1, 2], [2], 'float64'), { lr: 1, weight32: zeros([2]) }),
      DTypeError,
      /sgdUpdate: with a float32 master copy/,
    );
  });

  it('an update count below 1 is a ValueError; a disposed array is a StateError', () => {
    expectError(
      () => ftmlUpdate(w(), w(), zeros([2, 3]), zeros([2, 3]), zeros([2, 3]), { lr: 1, t: 0 }),
      ValueError,
      /ftmlUpdate: t/,
    );
    expectError(() => lambUpdate(w(), w(), zeros([2, 3]), zeros([2, 3]), { lr: 1, t: 1.5 }), ValueError, /lambUpdate: t/);
    expectError(() => sgldUpdate(w(), w(), { lr: -1 }), ValueError, /sgldUpdate: lr must be >= 0/);
    const gone = w();
    gone.dispose();
    expectError(() => sgdUpdate(w(), gone, { lr: 1 }), StateError, /sgdUpdate: grad was disposed/);
  });

  it('a NaN, infinite or non-number scalar option is a ValueError naming the op and option, and leaves the weight alone', () => {
    const a = w();
    expectError(() => sgdUpdate(a, w(), { lr: NaN }), ValueError, /^sgdUpdate: lr must be a finite number, got NaN/);
    expectError(
      () => sgdUpdate(a, w(), { lr: 1, rescaleGrad: NaN }),
      ValueError,
      /^sgdUpdate: rescaleGrad must be a finite number/,
    );
    expectError(
      () => adamUpdate(a, w(), zeros([2, 3]), zeros([2, 3]), { lr: Infinity }),
      ValueError,
      /^adamUpdate: lr must be a finite number, got Infinity/,
    );
    expectError(
      () => sgdMomUpdate(a, w(), zeros([2, 3]), { lr: 1, momentum: 'abc' as never }),
      ValueError,
      /^sgdMomUpdate: momentum must be a finite number, got 'abc'/,
    );
    expect(a.toArray()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('the native side validates arguments even when the TS layer is bypassed', () => {
    const raw = native as unknown as { sgdMomUpdate(...args: unknown[]): void; adamUpdate(...args: unknown[]): void };
    const a = w();
    expectError(
      () => raw.sgdMomUpdate(a.handle, a.handle, 12345 as unknown as NativeHandle, null, 1, 0, 0, 1, -1),
      StateError,
      /sgdMomUpdate: mom/,
    );
    expectError(
      () => raw.sgdMomUpdate(a.handle, a.handle, a.handle, null, 'x', 0, 0, 1, -1),
      ValueError,
      /sgdMomUpdate: lr must be a number/,
    );
    expectError(
      () => raw.adamUpdate(a.handle, a.handle, a.handle, a.handle, null, 1, 0.9),
      ValueError,
      /adamUpdate: beta2 must be a number/,
    );
  });
});
