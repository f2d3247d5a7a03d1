// softmax, log_softmax and SoftmaxActivation through the executor (forward against a float64
// reference, gradients against finite differences), SoftmaxOutput's options against its definition,
// and the regression loss layers, whose gradient is checked against finite differences of the loss
// each one minimises.
import { BindError, DTypeError, type DType, type NDArray, random, seed, ShapeError, ValueError } from '@bkt/ndarray';
import {
  FullyConnected,
  LinearRegressionOutput,
  log_softmax,
  LogisticRegressionOutput,
  MAERegressionOutput,
  softmax,
  SoftmaxActivation,
  SoftmaxOutput,
  type Symbol,
  Variable,
} from '@bkt/symbol';
import { describe, expect, it } from 'vitest';

import { expectAllClose, expectError, makeRng, nd, randomValues, sizeOf, tolerance, values } from '../../ndarray/test/helpers.js';
import { checkNumericGradient, Executor } from '../src/index.js';
import { expectNoAllocations, forwardValues, runKernel } from './plan-harness.js';

const DTYPES: readonly DType[] = ['float32', 'float64'];
const x = Variable('x');
const len = Variable('len');

/** Softmax (or log-softmax) of exp(x / t) along `axis`; with lengths, only the first length[row] of each row count, the rest are 0. */
function softmaxRef(
  data: ArrayLike<number>,
  shape: number[],
  axis: number,
  t: number,
  log: boolean,
  lengths?: ArrayLike<number>,
): Float64Array {
  const a = axis < 0 ? axis + shape.length : axis;
  const n = shape[a]!;
  const inner = sizeOf(shape.slice(a + 1));
  const outer = sizeOf(shape.slice(0, a));
  const out = new Float64Array(sizeOf(shape));
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (j: number): number => (o * n + j) * inner + i;
      const l = lengths ? Math.min(Math.max(Math.trunc(lengths[o * inner + i]!), 0), n) : n;
      let mx = -Infinity;
      for (let j = 0; j < l; j++) mx = Math.max(mx, data[at(j)]!);
      let s = 0;
      for (let j = 0; j < l; j++) s += Math.exp((data[at(j)]! - mx) / t);
      for (let j = 0; j < n; j++) {
        const z = (data[at(j)]! - mx) / t;
        out[at(j)] = j >= l ? 0 : log ? z - Math.log(s) : Math.exp(z) / s;
      }
    }
  }
  return out;
}

const CASES: { shape: number[]; axis: number; temperature: number | null }[] = [
  { shape: [3, 5], axis: -1, temperature: null },
  { shape: [3, 5], axis: 0, temperature: 2 },
  { shape: [2, 4, 3], axis: 1, temperature: 0.5 },
  { shape: [2, 300, 2], axis: 2, temperature: null },
  { shape: [2, 3, 300], axis: 1, temperature: 1.5 },
  { shape: [6], axis: 0, temperature: null },
];

describe('softmax, log_softmax', () => {
  it.each(DTYPES)('match a float64 reference over axes and temperatures (%s)', (dtype) => {
    const rng = makeRng(51);
    for (const c of CASES) {
      const data = nd(randomValues(rng, sizeOf(c.shape), -4, 4), c.shape, dtype);
      for (const [creator, log] of [
        [softmax, false],
        [log_softmax, true],
      ] as const) {
        const [got] = forwardValues(creator({ data: x, axis: c.axis, temperature: c.temperature }), { x: data });
        expectAllClose(got!, softmaxRef(values(data), c.shape, c.axis, c.temperature ?? 1, log), tolerance(dtype));
      }
    }
  });

  it.each(DTYPES)('mask each row to its length with use_length (%s)', (dtype) => {
    const rng = makeRng(52);
    for (const [shape, axis, lens, lenShape] of [
      [[3, 5], 1, [2, 5, 0], [3]],
      [[2, 4, 3], 1, [1, 4, 9, 3, -1, 2], [2, 3]],
      [[5], 0, [3], [1]],
    ] as [number[], number, number[], number[]][]) {
      const data = nd(randomValues(rng, sizeOf(shape), -3, 3), shape, dtype);
      for (const [creator, log] of [
        [softmax, false],
        [log_softmax, true],
      ] as const) {
        const net = creator({ data: x, length: len, axis, useLength: true, temperature: 1.25 });
        const [got] = forwardValues(net, { x: data, len: nd(lens, lenShape, 'int32') });
        expectAllClose(got!, softmaxRef(values(data), shape, axis, 1.25, log, lens), tolerance(dtype));
      }
    }
  });

  it.each(CASES.filter((c) => sizeOf(c.shape) < 100))('pass checkNumericGradient (%o)', (c) => {
    seed(53);
    for (const creator of [softmax, log_softmax]) {
      const net = creator({ data: x, axis: c.axis, temperature: c.temperature });
      checkNumericGradient(net, { x: random.uniform(-2, 2, c.shape, { dtype: 'float64' }) }, { rtol: 1e-5, atol: 1e-8 });
    }
  });

  it('pass checkNumericGradient with use_length and with dtype set (the backward reads the data)', () => {
    seed(54);
    for (const creator of [softmax, log_softmax]) {
      const masked = creator({ data: x, length: len, axis: 1, useLength: true, temperature: 2 });
      checkNumericGradient(
        masked,
        { x: random.uniform(-2, 2, [3, 4], { dtype: 'float64' }), len: nd([1, 4, 2], [3], 'float64') },
        { noGrad: ['len'], rtol: 1e-5, atol: 1e-8 },
      );
      const columns = creator({ data: x, length: len, axis: 1, useLength: true });
      checkNumericGradient(
        columns,
        { x: random.uniform(-2, 2, [2, 3, 2], { dtype: 'float64' }), len: nd([3, 1, 0, 2], [2, 2], 'float64') },
        { noGrad: ['len'], rtol: 1e-5, atol: 1e-8 },
      );
      const typed = creator({ data: x, axis: 0, dtype: 'float64' });
      checkNumericGradient(typed, { x: random.uniform(-2, 2, [3, 2], { dtype: 'float64' }) }, { rtol: 1e-5, atol: 1e-8 });
    }
  });

  it('raise a ShapeError for a bad axis at bind, and a bad temperature or a converting dtype in the kernel', () => {
    expectError(
      () => Executor.simpleBind(softmax({ data: x, axis: 2 }), { shapes: { x: [2, 3] } }),
      ShapeError,
      /axis 2 is out of range/,
    );
    const cold = Executor.simpleBind(softmax({ data: x, temperature: 0 }), { shapes: { x: [2, 3] }, gradReq: 'null' });
    expectError(() => cold.forward(), ValueError, /softmax: temperature must be a positive finite number/);
    cold.dispose();
    const wide = Executor.simpleBind(log_softmax({ data: x, dtype: 'float64' }), {
      shapes: { x: [2, 3] },
      dtypes: { x: 'float32' },
      gradReq: 'null',
    });
    expectError(() => wide.forward(), DTypeError, /log_softmax: the output is float64 but the data is float32/);
    wide.dispose();
    const g = nd([1, 2, 3, 4], [2, 2]);
    expectError(
      () => runKernel('softmax_backward', [g, g, g], [nd([0, 0, 0, 0], [2, 2]), nd([0, 0], [2])], [1, 1, 1]),
      BindError,
      /the plan gives 3 inputs and 2 outputs, the kernel takes 4 inputs and 2 outputs/,
    );
    expectError(
      () => runKernel('softmax', [g, nd([1], [1])], [nd([0, 0, 0, 0], [2, 2])], [1, 1, 1]),
      ShapeError,
      /softmax: length/,
    );
  });
});

interface SoftmaxOutputOpts {
  gradScale?: number;
  ignoreLabel?: number;
  useIgnore?: boolean;
  normalization?: 'null' | 'batch' | 'valid';
  smoothAlpha?: number;
  multiOutput?: boolean;
  preserveShape?: boolean;
  outGrad?: boolean;
}

/**
 * SoftmaxOutput's data gradient from its definition, on data viewed as (outer, classes, inner):
 * (p - smoothed onehot(label)) * grad_scale / normalizer at each position, 0 where the label is
 * ignored, times the head gradient with out_grad. Labels are truncated and clipped into range.
 */
function softmaxOutputGradRef(
  p: ArrayLike<number>,
  labels: ArrayLike<number>,
  [outer, classes, inner]: number[],
  o: SoftmaxOutputOpts,
  head?: ArrayLike<number>,
): Float64Array {
  const alpha = o.smoothAlpha ?? 0;
  const ignored = (l: number): boolean => (o.useIgnore ?? false) && l === (o.ignoreLabel ?? -1);
  const valid = Array.from(labels).filter((l) => !ignored(l)).length;
  const denom = o.normalization === 'batch' ? outer! : o.normalization === 'valid' ? Math.max(valid, 1) : 1;
  const out = new Float64Array(p.length);
  for (let b = 0; b < outer!; b++) {
    for (let j = 0; j < inner!; j++) {
      const l = labels[b * inner! + j]!;
      const y = Math.min(Math.max(Math.trunc(l), 0), classes! - 1);
      for (let k = 0; k < classes!; k++) {
        const i = (b * classes! + k) * inner! + j;
        const target = k === y ? 1 - alpha : classes! > 1 ? alpha / (classes! - 1) : 0;
        const g = ignored(l) ? 0 : ((p[i]! - target) * (o.gradScale ?? 1)) / denom;
        out[i] = head ? g * head[i]! : g;
      }
    }
  }
  return out;
}

describe('SoftmaxOutput', () => {
  // [data shape, label shape, options]; labels are drawn from [-1, classes + 1) in halves, so some
  // are out of range or fractional, and with use_ignore the first two are ignore_label.
  const OUTPUT_CASES: [number[], number[], SoftmaxOutputOpts][] = [
    [[4, 7], [4], {}],
    [[5, 33], [5], { normalization: 'batch', gradScale: 3 }],
    [[6, 17], [6], { useIgnore: true, ignoreLabel: 2, normalization: 'valid', smoothAlpha: 0.1 }],
    [[3, 1], [3], { smoothAlpha: 0.2 }],
    [[2, 5, 3], [2, 3], { multiOutput: true, useIgnore: true, ignoreLabel: -1, normalization: 'valid' }],
    [[2, 3, 6], [2, 3], { preserveShape: true, normalization: 'batch' }],
    [[4, 9], [4], { outGrad: true, useIgnore: true, ignoreLabel: 1 }],
    [[2, 4, 19], [2, 19], { multiOutput: true, outGrad: true, smoothAlpha: 0.05 }],
    // Rows split across threads, with a ragged tail after the vector lanes.
    [[64, 601], [64], { useIgnore: true, ignoreLabel: 0, normalization: 'valid', gradScale: 0.5 }],
  ];

  it.each(DTYPES)('forward is the softmax over the classes and backward follows every option (%s)', (dtype) => {
    const rng = makeRng(56);
    for (const [shape, labelShape, opts] of OUTPUT_CASES) {
      const outer = shape[0]!;
      const classes = opts.preserveShape ? shape.at(-1)! : opts.multiOutput ? shape[1]! : sizeOf(shape.slice(1));
      const inner = sizeOf(shape) / outer / classes;
      const view = opts.preserveShape ? [sizeOf(shape.slice(0, -1)), classes, 1] : [outer, classes, inner];
      const labels = randomValues(rng, sizeOf(labelShape), -1, classes + 1).map((v) => Math.floor(v * 2) / 2);
      if (opts.useIgnore) labels.fill(opts.ignoreLabel ?? -1, 0, 2);
      const exec = Executor.simpleBind(SoftmaxOutput({ data: x, name: 'sm', ...opts }), {
        shapes: { x: shape, sm_label: labelShape },
        dtypes: { x: dtype, sm_label: dtype },
        gradReq: { x: 'write', sm_label: 'null' },
      });
      try {
        const data = nd(randomValues(rng, sizeOf(shape), -4, 4), shape, dtype);
        data.copyTo(exec.argDict.x!);
        nd(labels, labelShape, dtype).copyTo(exec.argDict.sm_label!);
        const [out] = exec.forward({ isTrain: true });
        const p = softmaxRef(values(data), view, 1, 1, false);
        expectAllClose(values(out!), p, tolerance(dtype));
        const head = opts.outGrad ? nd(randomValues(rng, sizeOf(shape), -2, 2), shape, dtype) : undefined;
        exec.backward(head);
        const want = softmaxOutputGradRef(p, labels, view, opts, head && values(head));
        expectAllClose(values(exec.gradDict.x!), want, tolerance(dtype));
      } finally {
        exec.dispose();
      }
    }
  });

  it('gives the same gradient when it is written over out_data (MXNet lets the backward run in place)', () => {
    const rng = makeRng(57);
    for (const [shape, opts] of [
      [[5, 40], { useIgnore: true, ignoreLabel: 3, smoothAlpha: 0.1 }],
      [[3, 6, 300], { multiOutput: true, normalization: 'valid' }],
    ] as [number[], SoftmaxOutputOpts][]) {
      const classes = shape[1]!;
      const view = [shape[0]!, classes, sizeOf(shape.slice(2))];
      const labels = randomValues(rng, view[0]! * view[2]!, 0, classes).map(Math.floor);
      labels[1] = 3;
      const p = softmaxRef(randomValues(rng, sizeOf(shape), -3, 3), view, 1, 1, false);
      const attrs = [
        1,
        opts.ignoreLabel ?? -1,
        opts.multiOutput ? 1 : 0,
        opts.useIgnore ? 1 : 0,
        0,
        opts.normalization === 'valid' ? 2 : 0,
        0,
        opts.smoothAlpha ?? 0,
      ];
      const shared = nd(p, shape, 'float64');
      const dLabel = nd(new Array<number>(labels.length).fill(0), [labels.length], 'float64');
      runKernel('softmax_output_backward', [shared, nd(labels, [labels.length], 'float64')], [shared, dLabel], attrs);
      expectAllClose(values(shared), softmaxOutputGradRef(p, labels, view, opts), tolerance('float64'));
    }
  });

  it('rejects a label of the wrong size and integer data in the backward kernel', () => {
    const attrs = [1, -1, 0, 0, 0, 0, 0, 0];
    const p = nd([0.2, 0.3, 0.5, 0.1, 0.1, 0.8], [2, 3]);
    expectError(
      () =>
        runKernel(
          'softmax_output_backward',
          [p, nd([0, 1, 2], [3])],
          [nd(new Array(6).fill(0), [2, 3]), nd([0, 0, 0], [3])],
          attrs,
        ),
      ShapeError,
      /_backward_SoftmaxOutput: label has shape \(3,\), expected 2 elements/,
    );
    expectError(
      () =>
        runKernel(
          'softmax_output_backward',
          [nd([1, 2], [1, 2], 'int32'), nd([0], [1])],
          [nd([0, 0], [1, 2]), nd([0], [1])],
          attrs,
        ),
      DTypeError,
      /_backward_SoftmaxOutput: .*out_data/,
    );
  });
});

describe('SoftmaxActivation', () => {
  it.each(DTYPES)('is a softmax over the last axis (instance, as MXNet flattens to 2-D) or axis 1 (channel) (%s)', (dtype) => {
    const rng = makeRng(55);
    for (const shape of [
      [4, 6],
      [2, 3, 4],
      [2, 3, 2, 2],
    ]) {
      const data = nd(randomValues(rng, sizeOf(shape), -3, 3), shape, dtype);
      const [inst] = forwardValues(SoftmaxActivation({ data: x }), { x: data });
      expectAllClose(inst!, softmaxRef(values(data), shape, -1, 1, false), tolerance(dtype));
      if (shape.length < 3) continue;
      const [chan] = forwardValues(SoftmaxActivation({ data: x, mode: 'channel' }), { x: data });
      expectAllClose(chan!, softmaxRef(values(data), shape, 1, 1, false), tolerance(dtype));
    }
  });

  it('passes checkNumericGradient in both modes, and channel mode needs 3 dimensions', () => {
    seed(56);
    for (const mode of ['instance', 'channel'] as const) {
      checkNumericGradient(
        SoftmaxActivation({ data: x, mode }),
        { x: random.uniform(-2, 2, [2, 3, 2], { dtype: 'float64' }) },
        { rtol: 1e-5, atol: 1e-8 },
      );
    }
    expectError(
      () => Executor.simpleBind(SoftmaxActivation({ data: x, mode: 'channel' }), { shapes: { x: [2, 3] } }),
      ShapeError,
      /mode channel/,
    );
    expectError(
      () => runKernel('softmax_activation', [nd([1, 2], [2])], [nd([0, 0], [2])], [1]),
      ShapeError,
      /SoftmaxActivation: mode channel needs 3/,
    );
  });
});

type Loss = 'linear' | 'logistic' | 'mae';
const LOSSES: Record<Loss, (args: { data: Symbol; name: string; gradScale: number }) => Symbol> = {
  linear: (a) => LinearRegressionOutput(a),
  logistic: (a) => LogisticRegressionOutput(a),
  mae: (a) => MAERegressionOutput(a),
};
const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/** What each loss layer minimises, per example summed over the batch: grad_scale / m times the loss of each output. */
function lossRef(kind: Loss, pred: Float64Array, label: Float64Array, m: number, gradScale: number): number {
  let l = 0;
  pred.forEach((z, i) => {
    const y = label[i]!;
    if (kind === 'linear') l += 0.5 * (z - y) ** 2;
    else if (kind === 'mae') l += Math.abs(z - y);
    else l -= y * Math.log(sigmoid(z)) + (1 - y) * Math.log(1 - sigmoid(z));
  });
  return (gradScale / m) * l;
}

describe('regression outputs', () => {
  // data (n, k) from a FullyConnected layer; the label is (n,) when k is 1, else (n, k).
  it.each([
    ['linear', 1],
    ['linear', 3],
    ['logistic', 3],
    ['logistic', 1],
    ['mae', 2],
  ] as [Loss, number][])(
    '%s with %i outputs: forward as the formula, backward = d(loss)/d(input) by finite differences',
    (kind, k) => {
      seed(57);
      const n = 4;
      const d = 3;
      const gradScale = 0.7;
      const net = LOSSES[kind]({ data: FullyConnected({ data: x, name: 'fc', numHidden: k }), name: 'reg', gradScale });
      const exec = Executor.simpleBind(net, { shapes: { x: [n, d] }, dtypes: { x: 'float64' } });
      expect(exec.argDict.reg_label!.shape).toEqual(k === 1 ? [n] : [n, k]);
      for (const [name, arr] of Object.entries(exec.argDict)) {
        const v =
          name === 'reg_label' && kind === 'logistic'
            ? random.uniform(0, 1, arr.shape, { dtype: 'float64' })
            : random.uniform(-1, 1, arr.shape, { dtype: 'float64' });
        v.copyTo(arr);
        v.dispose();
      }
      exec.forward({ isTrain: true });
      exec.backward();
      const args = Object.fromEntries(Object.entries(exec.argDict).map(([name, a]) => [name, values(a)]));
      const fc = (): Float64Array => {
        const out = new Float64Array(n * k);
        for (let r = 0; r < n; r++) {
          for (let j = 0; j < k; j++) {
            let s = args.fc_bias![j]!;
            for (let i = 0; i < d; i++) s += args.x![r * d + i]! * args.fc_weight![j * d + i]!;
            out[r * k + j] = s;
          }
        }
        return out;
      };
      const z = fc();
      expectAllClose(values(exec.outputs[0]!), kind === 'logistic' ? z.map(sigmoid) : z, { rtol: 1e-12, atol: 1e-12 });
      const loss = (): number => lossRef(kind, fc(), args.reg_label!, k, gradScale);
      for (const name of ['x', 'fc_weight', 'fc_bias']) {
        const got = values(exec.gradDict[name]!);
        const v = args[name]!;
        for (let i = 0; i < v.length; i++) {
          const orig = v[i]!;
          v[i] = orig + 1e-6;
          const up = loss();
          v[i] = orig - 1e-6;
          const down = loss();
          v[i] = orig;
          expect(got[i]).toBeCloseTo((up - down) / 2e-6, 6);
        }
      }
      expect(Array.from(exec.gradDict.reg_label!.toArray()).every((g) => g === 0)).toBe(true);
      exec.dispose();
    },
  );

  it.each(DTYPES)('ignore the head gradient: backward gives grad_scale / m * f(out - label) (%s)', (dtype) => {
    const data = nd([0.5, -1, 2, 0, 1.5, -0.25], [2, 3], dtype);
    const label = nd([1, -1, 0, 0.5, 1.5, 1], [2, 3], dtype);
    for (const kind of ['linear', 'logistic', 'mae'] as Loss[]) {
      const exec = Executor.bind(LOSSES[kind]({ data: x, name: 'reg', gradScale: 3 }), {
        args: { x: data, reg_label: label },
        gradReq: { x: 'write', reg_label: 'null' },
      });
      exec.forward({ isTrain: true });
      exec.backward();
      const out = values(data).map((v) => (kind === 'logistic' ? sigmoid(v) : v));
      const want = out.map((o, i) => {
        const diff = o - values(label)[i]!;
        return (3 / 3) * (kind === 'mae' ? Math.sign(diff) : diff);
      });
      expectAllClose(values(exec.gradDict.x!), want, tolerance(dtype));
      exec.dispose();
    }
  });

  it('reject a label that does not fit at bind and in the kernel, and allocate nothing per step', () => {
    const net = LinearRegressionOutput({ data: x, name: 'reg' });
    expectError(() => Executor.simpleBind(net, { shapes: { x: [4, 2], reg_label: [3, 2] } }), ShapeError, /does not fit data/);
    expectError(
      () =>
        runKernel(
          'mae_regression_output_backward',
          [nd([1, 2], [2]), nd([1, 2, 3], [3])],
          [nd([0, 0, 0], [3]), nd([0, 0], [2])],
          [1],
        ),
      ShapeError,
      /label/,
    );
    expectError(
      () => runKernel('linear_regression_output', [nd([1, 2], [2]), nd([1, 2], [2])], [nd([0, 0], [2])], []),
      BindError,
      /the plan gives 0 attributes, the kernel takes 1/,
    );
    const exec = Executor.simpleBind(LogisticRegressionOutput({ data: softmax({ data: x }), name: 'reg' }), {
      shapes: { x: [8, 5] },
    });
    random.uniform(-1, 1, [8, 5]).copyTo(exec.argDict.x!);
    expectNoAllocations(exec);
    exec.dispose();
  });
});

// The gradient check rejects a loss layer's gradient, which is not the derivative of its output.
it('checkNumericGradient can fail on a regression output', () => {
  const data: NDArray = random.uniform(-1, 1, [2, 2], { dtype: 'float64' });
  expect(() =>
    checkNumericGradient(
      LinearRegressionOutput({ data: x, name: 'r' }),
      { x: data, r_label: nd([0, 0, 0, 0], [2, 2], 'float64') },
      { noGrad: ['r_label'] },
    ),
  ).toThrow(/checkNumericGradient/);
});
