// dot, batch_dot, softmax, log_softmax, SoftmaxActivation and SoftmaxOutput on bfloat16 arrays through bound executors.
// Forward is checked against the float64 executor on the same bfloat16 inputs, gradients against float64
// central finite differences at those inputs of Σ head·output (SoftmaxOutput: of the cross-entropy loss
// its gradient minimises), with bfloat16 tolerances: the products round once from float32
// accumulation, softmax computes in float32 and rounds on store.
import { DTypeError, type NDArray, ShapeError } from '@bkt/ndarray';
import { batch_dot, dot, log_softmax, softmax, SoftmaxActivation, SoftmaxOutput, type Symbol, Variable } from '@bkt/symbol';
import { describe, expect, it } from 'vitest';

import { expectBFloat16Close, expectError, makeRng, nd, randomValues, sizeOf, values } from '../../ndarray/test/helpers.js';
import { Executor } from '../src/index.js';
import { runKernel } from './plan-harness.js';

const rng = makeRng(15);
const [x, lhs, rhs, len] = ['x', 'lhs', 'rhs', 'len'].map((n) => Variable(n)) as [Symbol, Symbol, Symbol, Symbol];

/** Random bfloat16 values (exactly representable, so float64 sees what the kernels see). */
const bf16 = (shape: number[], lo = -2, hi = 2): NDArray => nd(randomValues(rng, sizeOf(shape), lo, hi), shape, 'bfloat16');

/** The float64 executor's outputs at `args` (float64 copies of the given arrays). */
function forward64(sym: Symbol, args: Record<string, Float64Array>, shapes: Record<string, readonly number[]>): Float64Array[] {
  const exec = Executor.bind(sym, {
    args: Object.fromEntries(Object.entries(args).map(([k, v]) => [k, nd(v, shapes[k]!, 'float64')])),
    gradReq: 'null',
  });
  try {
    return exec.forward().map(values);
  } finally {
    exec.dispose();
  }
}

/** ∂objective/∂args[name] by central differences in float64, `objective` reading the float64 outputs. */
function finiteDifferences(
  sym: Symbol,
  args: Record<string, Float64Array>,
  shapes: Record<string, readonly number[]>,
  name: string,
  objective: (outputs: Float64Array[]) => number,
): Float64Array {
  const eps = 1e-4;
  const point = args[name]!;
  const grad = new Float64Array(point.length);
  for (let i = 0; i < point.length; i++) {
    const at = (v: number): number => {
      const moved = Float64Array.from(point);
      moved[i] = v;
      return objective(forward64(sym, { ...args, [name]: moved }, shapes));
    };
    grad[i] = (at(point[i]! + eps) - at(point[i]! - eps)) / (2 * eps);
  }
  return grad;
}

/** Σ head·output: the objective whose gradient backward(head) computes. */
const projected =
  (head: Float64Array) =>
  ([out]: Float64Array[]): number =>
    out!.reduce((s, v, i) => s + v * head[i]!, 0);

/** A bfloat16 result within `rtol` of a float64 reference, plus `atol` of the reference's largest magnitude. */
function expectNear(got: Float64Array, want: Float64Array, rtol: number, atol: number, what: string): void {
  expect(got.length).toBe(want.length);
  const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  for (let i = 0; i < want.length; i++) {
    const bound = rtol * Math.abs(want[i]!) + atol * scale;
    if (!(Math.abs(got[i]! - want[i]!) <= bound))
      expect.fail(`${what}, element ${i}: got ${got[i]}, expected ${want[i]} within ${bound}`);
  }
}

interface Run {
  outputs: Float64Array[];
  grads: Record<string, Float64Array>;
  args: Record<string, Float64Array>;
  shapes: Record<string, readonly number[]>;
}

/** Binds `sym` over bfloat16 `args`, runs forward and backward(head); every output and gradient is bfloat16. */
function runBFloat16(sym: Symbol, args: Record<string, NDArray>, noGrad: string[] = [], head?: NDArray): Run {
  const exec = Executor.bind(sym, {
    args,
    gradReq: Object.fromEntries(Object.keys(args).map((k) => [k, noGrad.includes(k) ? 'null' : 'write'])),
  });
  try {
    const outputs = exec.forward({ isTrain: true });
    exec.backward(head ? [head] : undefined);
    for (const o of outputs) expect(o.dtype).toBe('bfloat16');
    const grads: Record<string, Float64Array> = {};
    for (const k of Object.keys(args).filter((n) => !noGrad.includes(n))) {
      expect(exec.gradDict[k]!.dtype).toBe('bfloat16');
      grads[k] = values(exec.gradDict[k]!);
    }
    return {
      outputs: outputs.map(values),
      grads,
      args: Object.fromEntries(Object.entries(args).map(([k, v]) => [k, values(v)])),
      shapes: Object.fromEntries(Object.entries(args).map(([k, v]) => [k, v.shape])),
    };
  } finally {
    exec.dispose();
  }
}

/** Forward against the float64 executor and every gradient against finite differences of Σ head·output. */
function checkProjected(
  sym: Symbol,
  args: Record<string, NDArray>,
  outShape: number[],
  forwardTol: number,
  gradTol: number,
  noGrad: string[] = [],
): void {
  const head = bf16(outShape, -1, 1);
  const r = runBFloat16(sym, args, noGrad, head);
  const [want] = forward64(sym, r.args, r.shapes);
  expectNear(r.outputs[0]!, want!, forwardTol, forwardTol / 4, 'forward');
  for (const [name, got] of Object.entries(r.grads)) {
    expectNear(got, finiteDifferences(sym, r.args, r.shapes, name, projected(values(head))), gradTol, gradTol, `d${name}`);
  }
}

const FLAGS: [boolean, boolean][] = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
];

describe('bfloat16 dot and batch_dot', () => {
  it.each(FLAGS)('dot forward and both gradients (transposeA=%s, transposeB=%s)', (ta, tb) => {
    const [m, n, k] = [4, 5, 6];
    const a = bf16(ta ? [k, m] : [m, k]);
    const b = bf16(tb ? [n, k] : [k, n]);
    checkProjected(dot({ lhs, rhs, transposeA: ta, transposeB: tb }), { lhs: a, rhs: b }, [m, n], 2 ** -7, 2 ** -6);
  });

  it.each(FLAGS)('batch_dot forward and both gradients (transposeA=%s, transposeB=%s)', (ta, tb) => {
    const [m, n, k] = [3, 4, 5];
    const a = bf16([2, ...(ta ? [k, m] : [m, k])]);
    const b = bf16([2, ...(tb ? [n, k] : [k, n])]);
    checkProjected(batch_dot({ lhs, rhs, transposeA: ta, transposeB: tb }), { lhs: a, rhs: b }, [2, m, n], 2 ** -7, 2 ** -6);
  });

  it('rejects mixed dtypes in the forward and gradient kernels, naming the op and both dtypes', () => {
    const exec = Executor.simpleBind(dot({ lhs, rhs }), {
      shapes: { lhs: [2, 3], rhs: [3, 2] },
      dtypes: { lhs: 'bfloat16', rhs: 'bfloat16' },
    });
    exec.argDict.lhs!.fill(1);
    exec.argDict.rhs!.fill(1);
    const [out] = exec.forward({ isTrain: true });
    expect(values(out!)).toEqual(Float64Array.from([3, 3, 3, 3]));
    exec.dispose();
    const g = nd([1, 1, 1, 1], [2, 2], 'bfloat16');
    expectError(
      () =>
        runKernel(
          'dot_backward',
          [g, nd([1, 2, 3, 4, 5, 6], [2, 3], 'bfloat16'), nd([1, 2, 3, 4, 5, 6], [3, 2])],
          [nd([0, 0, 0, 0, 0, 0], [2, 3], 'bfloat16'), nd([0, 0, 0, 0, 0, 0], [3, 2], 'bfloat16')],
          [0, 0],
        ),
      DTypeError,
      /_backward_dot: rhs must be bfloat16, got float32/,
    );
    expectError(
      () =>
        runKernel(
          'dot',
          [nd([1, 2, 3, 4], [2, 2], 'bfloat16'), nd([1, 2, 3, 4], [2, 2], 'bfloat16')],
          [nd([0, 0, 0, 0], [2, 2])],
          [0, 0],
        ),
      DTypeError,
      /dot: the output is float32 but the operands are bfloat16/,
    );
  });
});

describe('bfloat16 softmax and log_softmax', () => {
  const CASES: [number[], number, number | null][] = [
    [[3, 5], -1, null],
    [[4, 3], 0, 2],
    [[2, 4, 3], 1, 0.5],
  ];

  it.each(CASES)(
    'forward rounds the float64 reference and backward matches finite differences (%o, axis %i, temperature %o)',
    (shape, axis, temperature) => {
      for (const creator of [softmax, log_softmax]) {
        const sym = creator({ data: x, axis, temperature });
        const data = bf16(shape, -3, 3);
        const head = bf16(shape, -1, 1);
        const r = runBFloat16(sym, { x: data }, [], head);
        expectBFloat16Close(r.outputs[0]!, forward64(sym, r.args, r.shapes)[0]!);
        expectNear(r.grads.x!, finiteDifferences(sym, r.args, r.shapes, 'x', projected(values(head))), 2 ** -6, 2 ** -6, 'dx');
      }
    },
  );

  it('masks rows to their lengths with use_length, forward and backward', () => {
    for (const creator of [softmax, log_softmax]) {
      const sym = creator({ data: x, length: len, axis: 1, useLength: true, temperature: 1.5 });
      const head = bf16([3, 5], -1, 1);
      const r = runBFloat16(sym, { x: bf16([3, 5], -3, 3), len: nd([2, 5, 1], [3], 'bfloat16') }, ['len'], head);
      expectBFloat16Close(r.outputs[0]!, forward64(sym, r.args, r.shapes)[0]!);
      expectNear(r.grads.x!, finiteDifferences(sym, r.args, r.shapes, 'x', projected(values(head))), 2 ** -6, 2 ** -6, 'dx');
    }
  });

  it('SoftmaxActivation in both modes, forward and backward', () => {
    for (const mode of ['instance', 'channel'] as const) {
      const sym = SoftmaxActivation({ data: x, mode });
      const head = bf16([2, 3, 2], -1, 1);
      const r = runBFloat16(sym, { x: bf16([2, 3, 2], -3, 3) }, [], head);
      expectBFloat16Close(r.outputs[0]!, forward64(sym, r.args, r.shapes)[0]!);
      expectNear(r.grads.x!, finiteDifferences(sym, r.args, r.shapes, 'x', projected(values(head))), 2 ** -6, 2 ** -6, 'dx');
    }
  });

  it('rejects a gradient whose dtype differs from the output, naming the op', () => {
    const y = nd([0.25, 0.75], [1, 2], 'bfloat16');
    expectError(
      () => runKernel('softmax_backward', [nd([1, 1], [1, 2]), y], [nd([0, 0], [1, 2], 'bfloat16')], [-1, 1, 0]),
      DTypeError,
      /_backward_softmax: out_grad must be bfloat16, got float32/,
    );
  });
});

describe('bfloat16 SoftmaxOutput', () => {
  /** Σ over rows of -Σ_k target_k log p_k, target the (smoothed) one-hot label: what SoftmaxOutput's gradient minimises. */
  const crossEntropy =
    (labels: Float64Array, classes: number, alpha: number, scale: number) =>
    ([p]: Float64Array[]): number => {
      let loss = 0;
      labels.forEach((l, r) => {
        for (let k = 0; k < classes; k++) {
          const target = k === l ? 1 - alpha : alpha / (classes - 1);
          loss -= target * Math.log(p![r * classes + k]!);
        }
      });
      return loss * scale;
    };

  it.each([
    [{}, 1],
    [{ normalization: 'batch' as const, gradScale: 2, smoothAlpha: 0.1 }, 2 / 4],
  ])('forward is the rounded softmax and backward the gradient of the cross-entropy (%o)', (opts, scale) => {
    const classes = 7;
    const labels = nd([0, 3, 6, 2], [4], 'bfloat16');
    const sym = SoftmaxOutput({ data: x, label: len, ...opts });
    const r = runBFloat16(sym, { x: bf16([4, classes], -3, 3), len: labels }, ['len']);
    const [p64] = forward64(sym, r.args, r.shapes);
    expectBFloat16Close(r.outputs[0]!, p64!);
    const alpha = 'smoothAlpha' in opts ? opts.smoothAlpha : 0;
    const ref = finiteDifferences(sym, r.args, r.shapes, 'x', crossEntropy(values(labels), classes, alpha, scale));
    expectNear(r.grads.x!, ref, 2 ** -7, 2 ** -7, 'dx');
  });

  it('rejects a data gradient or out_grad of another dtype, and half-precision data, naming the op', () => {
    const attrs = [1, -1, 0, 0, 0, 0, 0, 0];
    const p = nd([0.25, 0.75], [1, 2], 'bfloat16');
    expectError(
      () => runKernel('softmax_output_backward', [p, nd([1], [1])], [nd([0, 0], [1, 2]), nd([0], [1])], attrs),
      DTypeError,
      /_backward_SoftmaxOutput: data gradient must be bfloat16, got float32/,
    );
    expectError(
      () =>
        runKernel(
          'softmax_output_backward',
          [nd([0.25, 0.75], [1, 2], 'float16'), nd([1], [1])],
          [nd([0, 0], [1, 2], 'float16'), nd([0], [1])],
          attrs,
        ),
      DTypeError,
      /_backward_SoftmaxOutput: out_data must be float32, float64 or bfloat16, got float16/,
    );
    expectError(
      () => runKernel('softmax_output', [nd([1, 2, 3], [1, 3], 'bfloat16'), nd([1], [1])], [nd([0, 0, 0], [1, 3])], attrs),
      DTypeError,
      /SoftmaxOutput: output must be bfloat16, got float32/,
    );
    expectError(
      () =>
        runKernel(
          'softmax_output_backward',
          [p, nd([1, 0], [2], 'bfloat16')],
          [nd([0, 0], [1, 2], 'bfloat16'), nd([0, 0], [2])],
          attrs,
        ),
      ShapeError,
      /_backward_SoftmaxOutput: label/,
    );
  });
});
