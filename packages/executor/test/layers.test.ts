// Plan kernels of the layer operators (LeakyReLU, Dropout, BatchNorm, LayerNorm), run through the
// executor: forward against plain float64 references, backward by finite differences, the random
// ops by the relation between output and mask, and the errors.
import {
  BindError,
  type DType,
  fromTypedArray,
  memoryStats,
  type NDArray,
  seed,
  ShapeError,
  ValueError,
  zeros,
} from '@bkt/ndarray';
import { Plan } from '@bkt/ndarray/internal';
import { BatchNorm, Dropout, FullyConnected, LayerNorm, LeakyReLU, type Symbol, Variable } from '@bkt/symbol';
import { describe, expect, it } from 'vitest';

import {
  erfReference,
  expectAllClose,
  expectError,
  makeRng,
  randomValues,
  sizeOf,
  tolerance,
  values,
} from '../../ndarray/test/helpers.js';
import { checkNumericGradient, Executor } from '../src/index.js';

const DTYPES: readonly DType[] = ['float32', 'float64'];

// Values as the dtype stores them, so float32 references start from the same inputs.
function rounded(v: Float64Array, dtype: DType): Float64Array {
  return dtype === 'float32' ? Float64Array.from(Float32Array.from(v)) : v;
}

interface Bound {
  exec: Executor;
  inputs: Record<string, Float64Array>;
}

// Binds `sym` to seeded random arguments (and given aux states) of `dtype`.
function bindRandom(
  sym: Symbol,
  shapes: Record<string, readonly number[]>,
  dtype: DType,
  seedValue: number,
  opts: { aux?: Record<string, Float64Array>; gradReq?: 'write' | 'null'; fill?: Record<string, Float64Array> } = {},
): Bound {
  const rng = makeRng(seedValue);
  const inferred = sym.inferShape(shapes);
  const inputs: Record<string, Float64Array> = {};
  const args = Object.fromEntries(
    sym.listArguments().map((n, i) => {
      const shape = inferred.argShapes[i]!;
      const v = rounded(opts.fill?.[n] ?? randomValues(rng, sizeOf(shape)), dtype);
      inputs[n] = v;
      return [n, fromTypedArray(v, shape, { dtype })];
    }),
  );
  const auxStates = Object.fromEntries(
    sym.listAuxiliaryStates().map((n, i) => {
      const shape = inferred.auxShapes[i]!;
      const v = rounded(opts.aux?.[n] ?? new Float64Array(sizeOf(shape)), dtype);
      inputs[n] = v;
      return [n, fromTypedArray(v, shape, { dtype })];
    }),
  );
  return { exec: Executor.bind(sym, { args, auxStates, gradReq: opts.gradReq ?? 'null' }), inputs };
}

function dispose(b: Bound): void {
  const arrays = [...b.exec.argArrays, ...b.exec.auxArrays];
  b.exec.dispose();
  arrays.forEach((a) => a.dispose());
}

function f64Array(v: ArrayLike<number>, shape: readonly number[]): NDArray {
  return fromTypedArray(Float64Array.from(v), shape, { dtype: 'float64' });
}

// (outer, n, inner) around an axis, as the kernels see it.
function layout(shape: readonly number[], axis: number): { outer: number; n: number; inner: number } {
  const a = axis < 0 ? axis + shape.length : axis;
  return { outer: sizeOf(shape.slice(0, a)), n: shape[a]!, inner: sizeOf(shape.slice(a + 1)) };
}

const SELU_LAMBDA = 1.0507009873554805;
const SELU_ALPHA = 1.6732632423543772;

function leakyReference(actType: string, x: number, slope: number): number {
  switch (actType) {
    case 'leaky':
      return x > 0 ? x : slope * x;
    case 'elu':
      return x > 0 ? x : slope * Math.expm1(x);
    case 'selu':
      return SELU_LAMBDA * (x > 0 ? x : SELU_ALPHA * Math.expm1(x));
    case 'gelu':
      return 0.5 * x * (1 + erfReference(x / Math.SQRT2));
    default:
      throw new Error(actType);
  }
}

describe('LeakyReLU', () => {
  const shapes = [[7], [3, 4], [2, 3, 5], [1, 1]];

  it.each(DTYPES)('computes leaky, elu, selu and gelu like the float64 reference (%s)', (dtype) => {
    let k = 0;
    for (const actType of ['leaky', 'elu', 'selu', 'gelu'] as const) {
      for (const slope of [0.25, 0.1, 1.5]) {
        for (const shape of shapes) {
          const b = bindRandom(LeakyReLU({ data: Variable('x'), actType, slope }), { x: shape }, dtype, ++k, {
            fill: { x: randomValues(makeRng(k), sizeOf(shape), -3, 3) },
          });
          const [out] = b.exec.forward();
          expectAllClose(
            values(out!),
            b.inputs.x!.map((v) => leakyReference(actType, v, slope)),
            tolerance(dtype),
          );
          dispose(b);
        }
      }
    }
  });

  it.each(DTYPES)('prelu scales the negative part by one slope per channel (axis 1), or one shared slope (%s)', (dtype) => {
    for (const [shape, gammaShape] of [
      [[3, 4], [4]],
      [[2, 3, 2, 2], [3]],
      [[2, 3, 5], [1]],
      [[4, 1], [1]],
    ] as const) {
      const sym = LeakyReLU({ data: Variable('x'), gamma: Variable('g'), actType: 'prelu' });
      const b = bindRandom(sym, { x: shape, g: gammaShape }, dtype, 11);
      const [out] = b.exec.forward();
      const { n, inner } = layout(shape, 1);
      const g = b.inputs.g!;
      const want = b.inputs.x!.map((v, i) => (v > 0 ? v : v * g[g.length === 1 ? 0 : Math.floor(i / inner) % n]!));
      expectAllClose(values(out!), want, tolerance(dtype));
      dispose(b);
    }
  });

  it('rrelu uses the mean slope in inference and a drawn slope in [lower, upper) per element while training', () => {
    const sym = LeakyReLU({ data: Variable('x'), actType: 'rrelu', lowerBound: 0.1, upperBound: 0.4 });
    const b = bindRandom(sym, { x: [50, 40] }, 'float64', 12, { gradReq: 'write' });
    const x = b.inputs.x!;
    expectAllClose(
      values(b.exec.forward()[0]!),
      x.map((v) => (v > 0 ? v : 0.25 * v)),
      tolerance('float64'),
    );

    seed(3);
    const out = values(b.exec.forward({ isTrain: true })[0]!);
    const slopes = Array.from(x).flatMap((v, i) => (v < 0 ? [out[i]! / v] : []));
    expect(Math.min(...slopes)).toBeGreaterThanOrEqual(0.1);
    expect(Math.max(...slopes)).toBeLessThan(0.4);
    expect(new Set(slopes.map((s) => s.toFixed(12))).size).toBe(slopes.length);
    x.forEach((v, i) => v > 0 && expect(out[i]).toBe(v));
    // The gradient multiplies by the slope the forward pass drew (1 above zero).
    const head = f64Array(randomValues(makeRng(5), x.length), [50, 40]);
    b.exec.backward(head);
    const h = values(head);
    expectAllClose(
      values(b.exec.gradDict.x!),
      x.map((v, i) => (v > 0 ? h[i]! : (h[i]! * out[i]!) / v)),
      { rtol: 1e-12, atol: 1e-12 },
    );
    seed(3);
    expect(values(b.exec.forward({ isTrain: true })[0]!)).toEqual(out);
    head.dispose();
    dispose(b);
  });

  it('passes checkNumericGradient for every deterministic act_type, prelu slopes included', () => {
    seed(13);
    const rng = makeRng(13);
    // Inputs kept away from the kink at 0, where finite differences straddle two slopes.
    const away = (n: number): Float64Array => randomValues(rng, n, 0.05, 1.5).map((v) => (rng() < 0.5 ? -v : v));
    for (const actType of ['leaky', 'elu', 'selu', 'gelu'] as const) {
      checkNumericGradient(
        LeakyReLU({ data: Variable('x'), actType, slope: 0.3 }),
        { x: f64Array(away(24), [4, 6]) },
        { rtol: 1e-6, atol: 1e-9 },
      );
    }
    for (const g of [[0.2, -0.5, 1.3], [0.7]]) {
      const sym = LeakyReLU({ data: Variable('x'), gamma: Variable('g'), actType: 'prelu' });
      checkNumericGradient(sym, { x: f64Array(away(24), [2, 3, 4]), g: f64Array(g, [g.length]) }, { rtol: 1e-6, atol: 1e-9 });
    }
  });

  it('rejects a gamma that fits neither the channels nor (1,), and an unknown act_type', () => {
    const sym = LeakyReLU({ data: Variable('x'), gamma: Variable('g'), actType: 'prelu' });
    expectError(() => Executor.simpleBind(sym, { shapes: { x: [2, 3], g: [2] } }), ShapeError, /LeakyReLU.*gamma/);
    expectError(() => LeakyReLU({ data: Variable('x'), actType: 'swish' as 'elu' }), ValueError, /LeakyReLU.*actType/);
  });
});

describe('Dropout', () => {
  // The mask the forward pass drew, read back as backward's gradient for a head gradient of ones.
  function maskOf(exec: Executor): Float64Array {
    const ones = exec.outputs.map((o) => fromTypedArray(new Float64Array(o.size).fill(1), o.shape, { dtype: o.dtype }));
    exec.backward(ones);
    ones.forEach((o) => o.dispose());
    return values(exec.gradDict.x!);
  }

  it.each(DTYPES)(
    'is the identity in inference with mode training, and drops and rescales by 1/(1-p) while training (%s)',
    (dtype) => {
      const b = bindRandom(Dropout({ data: Variable('x'), p: 0.3 }), { x: [100, 100] }, dtype, 21, { gradReq: 'write' });
      const x = b.inputs.x!;
      expect(values(b.exec.forward()[0]!)).toEqual(x);
      seed(1);
      const out = values(b.exec.forward({ isTrain: true })[0]!);
      const mask = maskOf(b.exec);
      const scale = dtype === 'float32' ? Math.fround(1 / 0.7) : 1 / 0.7;
      expect(new Set(mask)).toEqual(new Set([0, scale]));
      expectAllClose(
        out,
        x.map((v, i) => v * mask[i]!),
        tolerance(dtype),
      );
      const dropped = mask.filter((m) => m === 0).length / mask.length;
      expect(dropped).toBeGreaterThan(0.28);
      expect(dropped).toBeLessThan(0.32);
      // seed() reproduces the draw.
      seed(1);
      expect(values(b.exec.forward({ isTrain: true })[0]!)).toEqual(out);
      dispose(b);
    },
  );

  it('with mode always drops in inference too; p = 0 keeps everything and p = 1 drops everything', () => {
    const always = bindRandom(Dropout({ data: Variable('x'), p: 0.5, mode: 'always' }), { x: [400] }, 'float64', 22);
    const out = values(always.exec.forward()[0]!);
    const x = always.inputs.x!;
    out.forEach((v, i) => expect([0, 2 * x[i]!]).toContain(v));
    expect(out.filter((v) => v === 0).length).toBeGreaterThan(150);
    dispose(always);
    for (const [p, want] of [
      [0, (v: number) => v],
      [1, () => 0],
    ] as const) {
      const b = bindRandom(Dropout({ data: Variable('x'), p }), { x: [3, 7] }, 'float64', 23, { gradReq: 'write' });
      expectAllClose(values(b.exec.forward({ isTrain: true })[0]!), b.inputs.x!.map(want), { rtol: 0, atol: 0 });
      expect(maskOf(b.exec)).toEqual(new Float64Array(21).fill(p === 0 ? 1 : 0));
      dispose(b);
    }
  });

  it.each([[[1]], [[0, 2]], [[-1]], [[0, 1, 2]]])('shares one draw along axes %j', (axes) => {
    const shape = [6, 5, 4];
    const b = bindRandom(Dropout({ data: Variable('x'), p: 0.5, axes }), { x: shape }, 'float64', 24, { gradReq: 'write' });
    seed(2);
    const out = values(b.exec.forward({ isTrain: true })[0]!);
    const mask = maskOf(b.exec);
    const x = b.inputs.x!;
    expectAllClose(
      out,
      x.map((v, i) => v * mask[i]!),
      tolerance('float64'),
    );
    // The mask is constant along the shared axes and takes both values elsewhere.
    const shared = axes.map((a) => (a < 0 ? a + 3 : a));
    const key = (i: number): string => {
      const idx = [Math.floor(i / 20), Math.floor(i / 4) % 5, i % 4];
      return idx.map((v, d) => (shared.includes(d) ? 0 : v)).join(',');
    };
    const byKey = new Map<string, number>();
    mask.forEach((m, i) => {
      const k = key(i);
      if (byKey.has(k)) expect(m).toBe(byKey.get(k));
      else byKey.set(k, m);
    });
    // Along every axis that is not shared, some neighbours drew differently.
    for (let d = 0; d < 3; d++) {
      if (shared.includes(d)) continue;
      const step = [20, 4, 1][d]!;
      const differs = mask.some((m, i) => Math.floor(i / step) % shape[d]! > 0 && m !== mask[i - step]);
      expect(differs).toBe(true);
    }
    expect(new Set(mask).size).toBe(shared.length === 3 ? 1 : 2);
    dispose(b);
  });

  it('backward multiplies the head gradient by the mask (checked against the output), and passes checkNumericGradient at p = 0', () => {
    const b = bindRandom(Dropout({ data: Variable('x'), p: 0.4, axes: [0] }), { x: [3, 50] }, 'float64', 25, {
      gradReq: 'write',
    });
    seed(4);
    const out = values(b.exec.forward({ isTrain: true })[0]!);
    const head = f64Array(randomValues(makeRng(26), 150), [3, 50]);
    b.exec.backward(head);
    const x = b.inputs.x!;
    const h = values(head);
    expectAllClose(
      values(b.exec.gradDict.x!),
      x.map((v, i) => (h[i]! * out[i]!) / v),
      { rtol: 1e-12, atol: 1e-12 },
    );
    head.dispose();
    dispose(b);
    checkNumericGradient(Dropout({ data: Variable('x'), p: 0 }), { x: f64Array(randomValues(makeRng(27), 12), [3, 4]) });
  });

  it('rejects p outside [0, 1] and axes out of range', () => {
    expectError(() => Dropout({ data: Variable('x'), p: 1.5 }), ValueError, /p/);
    expectError(
      () => Executor.simpleBind(Dropout({ data: Variable('x'), axes: [3] }), { shapes: { x: [2, 3] } }),
      ShapeError,
      /Dropout/,
    );
  });
});

interface BnCase {
  shape: number[];
  axis: number;
  fixGamma: boolean;
}

// BatchNorm with the batch statistics (training) or the given moving statistics.
function batchNormReference(
  x: Float64Array,
  shape: readonly number[],
  axis: number,
  gamma: Float64Array,
  beta: Float64Array,
  stats: { mean: Float64Array; variance: Float64Array } | null,
  eps: number,
): { out: Float64Array; mean: Float64Array; variance: Float64Array } {
  const { outer, n, inner } = layout(shape, axis);
  const count = outer * inner;
  const each = (c: number, f: (i: number) => void): void => {
    for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) f((o * n + c) * inner + i);
  };
  const mean = new Float64Array(n);
  const variance = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    if (stats) {
      mean[c] = stats.mean[c]!;
      variance[c] = stats.variance[c]!;
      continue;
    }
    let s = 0;
    each(c, (i) => (s += x[i]!));
    mean[c] = s / count;
    let q = 0;
    each(c, (i) => (q += (x[i]! - mean[c]!) ** 2));
    variance[c] = q / count;
  }
  const out = new Float64Array(x.length);
  for (let c = 0; c < n; c++)
    each(c, (i) => (out[i] = ((x[i]! - mean[c]!) / Math.sqrt(variance[c]! + eps)) * gamma[c]! + beta[c]!));
  return { out, mean, variance };
}

describe('BatchNorm', () => {
  const cases: BnCase[] = [
    { shape: [8, 3], axis: 1, fixGamma: false },
    { shape: [4, 3, 2, 5], axis: 1, fixGamma: false },
    { shape: [4, 3, 2, 5], axis: 1, fixGamma: true },
    { shape: [2, 5, 3], axis: -1, fixGamma: false },
    { shape: [3, 4, 2], axis: 0, fixGamma: false },
  ];
  const positive = (n: number, k: number): Float64Array => randomValues(makeRng(k), n, 0.5, 2);

  it.each(DTYPES)(
    'training: normalizes by the batch statistics, outputs mean and inverse std, and updates the moving statistics in place (%s)',
    (dtype) => {
      cases.forEach(({ shape, axis, fixGamma }, k) => {
        const eps = 1e-3;
        const momentum = 0.8;
        const sym = BatchNorm({ data: Variable('x'), name: 'bn', axis, fixGamma, eps, momentum, outputMeanVar: true });
        const c = shape[axis < 0 ? axis + shape.length : axis]!;
        const mm = randomValues(makeRng(100 + k), c);
        const mv = positive(c, 200 + k);
        const b = bindRandom(sym, { x: shape }, dtype, 30 + k, { aux: { bn_moving_mean: mm, bn_moving_var: mv } });
        const { x, bn_gamma: gamma, bn_beta: beta } = b.inputs;
        const outs = b.exec.forward({ isTrain: true });
        const ref = batchNormReference(x!, shape, axis, fixGamma ? new Float64Array(c).fill(1) : gamma!, beta!, null, eps);
        const tol = dtype === 'float64' ? { rtol: 1e-10, atol: 1e-10 } : { rtol: 1e-4, atol: 1e-5 };
        expectAllClose(values(outs[0]!), ref.out, tol);
        expectAllClose(values(outs[1]!), ref.mean, tol);
        expectAllClose(
          values(outs[2]!),
          ref.variance.map((v) => 1 / Math.sqrt(v + eps)),
          tol,
        );
        const { bn_moving_mean: newMean, bn_moving_var: newVar } = b.exec.auxDict;
        expectAllClose(
          values(newMean!),
          rounded(mm, dtype).map((m, i) => m * momentum + ref.mean[i]! * (1 - momentum)),
          tol,
        );
        expectAllClose(
          values(newVar!),
          rounded(mv, dtype).map((v, i) => v * momentum + ref.variance[i]! * (1 - momentum)),
          tol,
        );
        // As MXNet, fix_gamma leaves gamma at 1.
        if (fixGamma) expect(values(b.exec.argDict.bn_gamma!)).toEqual(new Float64Array(c).fill(1));
        dispose(b);
      });
    },
  );

  it.each(DTYPES)(
    'inference (and use_global_stats while training) normalizes by the moving statistics and leaves them alone (%s)',
    (dtype) => {
      cases.forEach(({ shape, axis, fixGamma }, k) => {
        for (const [isTrain, useGlobalStats] of [
          [false, false],
          [true, true],
        ] as const) {
          const sym = BatchNorm({ data: Variable('x'), name: 'bn', axis, fixGamma, useGlobalStats, outputMeanVar: true });
          const c = shape[axis < 0 ? axis + shape.length : axis]!;
          const mm = rounded(randomValues(makeRng(300 + k), c), dtype);
          const mv = rounded(positive(c, 400 + k), dtype);
          const b = bindRandom(sym, { x: shape }, dtype, 40 + k, { aux: { bn_moving_mean: mm, bn_moving_var: mv } });
          const outs = b.exec.forward({ isTrain });
          const { x, bn_gamma: gamma, bn_beta: beta } = b.inputs;
          const ref = batchNormReference(
            x!,
            shape,
            axis,
            fixGamma ? new Float64Array(c).fill(1) : gamma!,
            beta!,
            { mean: mm, variance: mv },
            1e-3,
          );
          const tol = dtype === 'float64' ? { rtol: 1e-10, atol: 1e-10 } : { rtol: 1e-4, atol: 1e-5 };
          expectAllClose(values(outs[0]!), ref.out, tol);
          expectAllClose(values(outs[1]!), mm, tol);
          expectAllClose(
            values(outs[2]!),
            mv.map((v) => 1 / Math.sqrt(v + 1e-3)),
            tol,
          );
          expect(values(b.exec.auxDict.bn_moving_mean!)).toEqual(mm);
          expect(values(b.exec.auxDict.bn_moving_var!)).toEqual(mv);
          dispose(b);
        }
      });
    },
  );

  it('converges the moving statistics to the data statistics over repeated training steps', () => {
    const sym = BatchNorm({ data: Variable('x'), name: 'bn', momentum: 0.5 });
    const b = bindRandom(sym, { x: [16, 2] }, 'float64', 50, { aux: { bn_moving_var: new Float64Array([1, 1]) } });
    for (let i = 0; i < 60; i++) b.exec.forward({ isTrain: true });
    const ref = batchNormReference(b.inputs.x!, [16, 2], 1, new Float64Array([1, 1]), new Float64Array(2), null, 0);
    expectAllClose(values(b.exec.auxDict.bn_moving_mean!), ref.mean, { rtol: 1e-12, atol: 1e-12 });
    expectAllClose(values(b.exec.auxDict.bn_moving_var!), ref.variance, { rtol: 1e-12, atol: 1e-12 });
    dispose(b);
  });

  it('passes checkNumericGradient in training and with use_global_stats; fix_gamma gives gamma no gradient', () => {
    seed(51);
    cases.forEach(({ shape, axis, fixGamma }, k) => {
      for (const useGlobalStats of [false, true]) {
        const sym = BatchNorm({ data: Variable('x'), name: 'bn', axis, fixGamma, useGlobalStats });
        const inferred = sym.inferShape({ x: shape });
        const rng = makeRng(500 + k);
        const location = Object.fromEntries(
          sym
            .listArguments()
            .map((n, i) => [n, f64Array(randomValues(rng, sizeOf(inferred.argShapes[i]!)), inferred.argShapes[i]!)]),
        );
        const c = inferred.auxShapes[0]!;
        const auxStates = {
          bn_moving_mean: f64Array(randomValues(rng, c[0]!), c),
          bn_moving_var: f64Array(positive(c[0]!, 600 + k), c),
        };
        checkNumericGradient(sym, location, { rtol: 1e-5, atol: 1e-8, auxStates });
      }
    });
    const b = bindRandom(BatchNorm({ data: Variable('x'), name: 'bn' }), { x: [4, 3] }, 'float64', 52, { gradReq: 'write' });
    b.exec.forward({ isTrain: true });
    b.exec.backward(f64Array(randomValues(makeRng(53), 12), [4, 3]));
    expect(values(b.exec.gradDict.bn_gamma!)).toEqual(new Float64Array(3));
    expect(values(b.exec.gradDict.bn_beta!).some((v) => v !== 0)).toBe(true);
    dispose(b);
  });

  it('rejects a gamma that does not match the channels, an axis out of range, and a malformed plan', () => {
    const sym = BatchNorm({ data: Variable('x'), gamma: Variable('g'), name: 'bn' });
    expectError(() => Executor.simpleBind(sym, { shapes: { x: [2, 3], g: [4] } }), ShapeError, /BatchNorm/);
    expectError(
      () => Executor.simpleBind(BatchNorm({ data: Variable('x'), axis: 2 }), { shapes: { x: [2, 3] } }),
      ShapeError,
      /axis/,
    );
    // Native guard: a plan that hands the kernel a moving_var of the wrong size.
    const plan = new Plan(
      [{ kernel: 'batch_norm', inputs: [0, 1, 2, 3, 4], outputs: [5, 6, 7], attrs: [1, 1e-3, 0.9, 0, 0], node: 0 }],
      ["BatchNorm 'bn'"],
      8,
    );
    const arrays = [[2, 3], [3], [3], [3], [2], [2, 3], [3], [3]].map((s) => zeros(s));
    arrays.forEach((a, i) => plan.setSlot(i, a));
    expectError(() => plan.run(0, 1, true), ShapeError, /BatchNorm.*moving_var/);
    const short = new Plan(
      [{ kernel: 'batch_norm', inputs: [0, 1, 2, 3, 4], outputs: [5, 6, 7], attrs: [1, 1e-3], node: 0 }],
      ['bn'],
      8,
    );
    arrays.forEach((a, i) => short.setSlot(i, a));
    expectError(() => short.run(0, 1, true), BindError, /BatchNorm.*attributes/);
    plan.dispose();
    short.dispose();
    arrays.forEach((a) => a.dispose());
  });
});

function layerNormReference(
  x: Float64Array,
  shape: readonly number[],
  axis: number,
  gamma: Float64Array,
  beta: Float64Array,
  eps: number,
) {
  const { outer, n, inner } = layout(shape, axis);
  const out = new Float64Array(x.length);
  const mean = new Float64Array(outer * inner);
  const std = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (j: number): number => (o * n + j) * inner + i;
      let s = 0;
      for (let j = 0; j < n; j++) s += x[at(j)]!;
      const m = s / n;
      let q = 0;
      for (let j = 0; j < n; j++) q += (x[at(j)]! - m) ** 2;
      const sd = Math.sqrt(q / n + eps);
      mean[o * inner + i] = m;
      std[o * inner + i] = sd;
      for (let j = 0; j < n; j++) out[at(j)] = ((x[at(j)]! - m) / sd) * gamma[j]! + beta[j]!;
    }
  }
  return { out, mean, std };
}

describe('LayerNorm', () => {
  const cases = [
    { shape: [4, 6], axis: -1 },
    { shape: [2, 3, 5], axis: -1 },
    { shape: [2, 3, 5], axis: 1 },
    { shape: [3, 2, 4], axis: 0 },
    { shape: [2, 300], axis: -1 },
  ];

  it.each(DTYPES)('normalizes along the axis and outputs the mean and std (%s)', (dtype) => {
    cases.forEach(({ shape, axis }, k) => {
      for (const eps of [1e-5, 0.1]) {
        const sym = LayerNorm({ data: Variable('x'), name: 'ln', axis, eps, outputMeanVar: true });
        const b = bindRandom(sym, { x: shape }, dtype, 60 + k);
        const outs = b.exec.forward();
        const ref = layerNormReference(b.inputs.x!, shape, axis, b.inputs.ln_gamma!, b.inputs.ln_beta!, eps);
        const tol = dtype === 'float64' ? { rtol: 1e-10, atol: 1e-10 } : { rtol: 1e-4, atol: 1e-5 };
        expectAllClose(values(outs[0]!), ref.out, tol);
        expectAllClose(values(outs[1]!), ref.mean, tol);
        expectAllClose(values(outs[2]!), ref.std, tol);
        expect(outs[1]!.shape).toEqual(shape.map((d, i) => (i === (axis < 0 ? axis + shape.length : axis) ? 1 : d)));
        dispose(b);
      }
    });
  });

  it('passes checkNumericGradient for data, gamma and beta along every axis', () => {
    seed(61);
    cases.slice(0, 4).forEach(({ shape, axis }, k) => {
      const sym = LayerNorm({ data: Variable('x'), name: 'ln', axis });
      const inferred = sym.inferShape({ x: shape });
      const rng = makeRng(700 + k);
      const location = Object.fromEntries(
        sym
          .listArguments()
          .map((n, i) => [n, f64Array(randomValues(rng, sizeOf(inferred.argShapes[i]!)), inferred.argShapes[i]!)]),
      );
      checkNumericGradient(sym, location, { rtol: 1e-5, atol: 1e-8 });
    });
  });

  it('rejects a gamma that does not match the axis and an axis out of range', () => {
    const sym = LayerNorm({ data: Variable('x'), gamma: Variable('g'), name: 'ln' });
    expectError(() => Executor.simpleBind(sym, { shapes: { x: [2, 3], g: [2] } }), ShapeError, /LayerNorm/);
    expectError(
      () => Executor.simpleBind(LayerNorm({ data: Variable('x'), axis: -3 }), { shapes: { x: [2, 3] } }),
      ShapeError,
      /axis/,
    );
  });
});

describe('layer kernels in one network', () => {
  it('run forward and backward repeatedly without allocating, and pass checkNumericGradient together', () => {
    let net: Symbol = FullyConnected({ data: Variable('x'), name: 'fc', numHidden: 6 });
    net = BatchNorm({ data: net, name: 'bn', fixGamma: false });
    net = LeakyReLU({ data: net, name: 'act', actType: 'prelu' });
    net = LayerNorm({ data: net, name: 'ln' });
    const exec = Executor.simpleBind(Dropout({ data: net, name: 'drop', p: 0.2, axes: [1] }), { shapes: { x: [5, 4] } });
    const before = memoryStats();
    for (let i = 0; i < 20; i++) {
      exec.forward({ isTrain: true });
      exec.backward();
      exec.forward();
    }
    const after = memoryStats();
    expect(after.totalAllocations).toBe(before.totalAllocations);
    exec.dispose();

    seed(70);
    const sym = LayerNorm({
      data: LeakyReLU({ data: BatchNorm({ data: Variable('x'), name: 'bn', fixGamma: false }), name: 'act', actType: 'elu' }),
      name: 'ln',
    });
    const inferred = sym.inferShape({ x: [6, 4] });
    const rng = makeRng(71);
    const location = Object.fromEntries(
      sym.listArguments().map((n, i) => [n, f64Array(randomValues(rng, sizeOf(inferred.argShapes[i]!)), inferred.argShapes[i]!)]),
    );
    checkNumericGradient(sym, location, {
      rtol: 1e-5,
      atol: 1e-8,
      auxStates: { bn_moving_mean: zeros([4], { dtype: 'float64' }), bn_moving_var: zeros([4], { dtype: 'float64' }) },
    });
  });
});
