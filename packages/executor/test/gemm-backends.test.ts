// Every GEMM-backed op (FullyConnected, dot, batch_dot, the fused RNN) under each float32 backend:
// forward outputs and every gradient against the same graph in float64, whose gradients the op's own
// test files check by finite differences (float64 products always run on OpenBLAS). gemmChoices()
// proves that the forced backend ran each product.
import {
  type DType,
  fromTypedArray,
  type GemmBackend,
  gemmChoices,
  getGemmPrecision,
  random,
  seed,
  setGemmBackend,
  setGemmPrecision,
} from '@bkt/ndarray';
import { batch_dot, dot, FullyConnected, RNN, type Symbol, Variable } from '@bkt/symbol';
import { describe, expect, it } from 'vitest';

import { expectAllClose, relativeError } from '../../ndarray/test/helpers.js';
import { Executor } from '../src/index.js';
import { restoreGemmSettingsAfterAll } from './plan-harness.js';

restoreGemmSettingsAfterAll();

/** Outputs then the gradients of every argument, after a training forward and a backward with `heads`. */
function run(
  sym: Symbol,
  shapes: Record<string, number[]>,
  dtype: DType,
  values: Record<string, Float32Array>,
  heads: Float32Array[],
): Float64Array[] {
  const names = sym.listArguments();
  const exec = Executor.simpleBind(sym, { shapes, dtypes: Object.fromEntries(names.map((n) => [n, dtype])), gradReq: 'write' });
  const typed = (v: Float32Array): Float32Array | Float64Array => (dtype === 'float32' ? v : Float64Array.from(v));
  for (const n of names) fromTypedArray(typed(values[n]!), exec.argDict[n]!.shape).copyTo(exec.argDict[n]!);
  const outs = exec.forward({ isTrain: true }).map((o) => Float64Array.from(o.toArray()));
  exec.backward(exec.outputs.map((o, i) => fromTypedArray(typed(heads[i]!), o.shape)));
  const grads = names.map((n) => Float64Array.from(exec.gradDict[n]!.toArray()));
  exec.dispose();
  return [...outs, ...grads];
}

/**
 * The float32 run under `backend` against the float64 run, on the same float32-representable values:
 * element-wise within `tol`, or with `maxRelativeError` as a whole array (for bfloat16).
 */
function expectMatchesFloat64(
  backend: GemmBackend,
  sym: Symbol,
  shapes: Record<string, number[]>,
  check: { rtol: number; atol: number } | { maxRelativeError: number } = { rtol: 1e-4, atol: 1e-4 },
): void {
  const { argShapes, outShapes } = sym.inferShape(shapes);
  const values = Object.fromEntries(
    sym.listArguments().map((n, i) => [n, Float32Array.from(random.uniform(-1, 1, argShapes[i]!).toArray())]),
  );
  const heads = outShapes.map((s) => Float32Array.from(random.uniform(-1, 1, s).toArray()));
  setGemmBackend(backend);
  const got = run(sym, shapes, 'float32', values, heads);
  const want = run(sym, shapes, 'float64', values, heads);
  got.forEach((g, i) => {
    if ('maxRelativeError' in check) {
      expect(g.every(Number.isFinite)).toBe(true);
      expect(relativeError(g, want[i]!)).toBeLessThan(check.maxRelativeError);
    } else {
      expectAllClose(g, want[i]!, check);
    }
  });
  const used = new Set(gemmChoices().map((c) => c.backend));
  expect([...used]).toEqual([backend]);
}

const data = Variable('data');
const CASES: [string, () => Symbol, Record<string, number[]>][] = [
  ['FullyConnected with bias', () => FullyConnected({ data, numHidden: 37, name: 'fc' }), { data: [23, 3, 5] }],
  [
    'FullyConnected, no bias, flatten false',
    () => FullyConnected({ data, numHidden: 19, noBias: true, flatten: false, name: 'fc' }),
    { data: [4, 6, 11] },
  ],
  ['dot', () => dot({ lhs: Variable('lhs'), rhs: Variable('rhs') }), { lhs: [17, 29], rhs: [29, 13] }],
  [
    'dot, both transposed',
    () => dot({ lhs: Variable('lhs'), rhs: Variable('rhs'), transposeA: true, transposeB: true }),
    { lhs: [29, 17], rhs: [13, 29] },
  ],
  [
    'batch_dot, transposeB',
    () => batch_dot({ lhs: Variable('lhs'), rhs: Variable('rhs'), transposeB: true }),
    { lhs: [3, 9, 14], rhs: [3, 8, 14] },
  ],
  [
    'batch_dot, transposeA',
    () => batch_dot({ lhs: Variable('lhs'), rhs: Variable('rhs'), transposeA: true }),
    { lhs: [3, 14, 9], rhs: [3, 14, 8] },
  ],
  ...(['lstm', 'gru', 'rnn_tanh'] as const).map((mode): [string, () => Symbol, Record<string, number[]>] => [
    `fused RNN ${mode}, 2 layers, bidirectional`,
    () => RNN({ data, mode, stateSize: 7, numLayers: 2, bidirectional: true, stateOutputs: true, name: 'rnn' }),
    { data: [5, 3, 4] },
  ]),
];

describe.each(['openblas', 'onednn'] as const)('float32 GEMM-backed ops on %s', (backend) => {
  it.each(CASES)('%s: outputs and gradients match float64', (_name, make, shapes) => {
    seed(31);
    expectMatchesFloat64(backend, make(), shapes);
  });
});

// bfloat16 keeps 8 significant bits: each operand is rounded by up to 2^-9 relative, so with float32
// accumulation a result array is off by a few 2^-9 of its norm (float32 alone: ~1e-7); the fused
// RNN's gradients go through several such products in a row (up to ~1e-2 measured, hence 3e-2).
describe('bfloat16 precision on oneDNN', () => {
  it.each(CASES)('%s: outputs and gradients match float64 to bfloat16 precision', (_name, make, shapes) => {
    seed(31);
    setGemmPrecision('bfloat16');
    try {
      expectMatchesFloat64('onednn', make(), shapes, { maxRelativeError: 3e-2 });
    } finally {
      setGemmPrecision('float32');
    }
  });

  it('is really bfloat16: a product of values bfloat16 cannot hold differs from float32', () => {
    setGemmBackend('onednn');
    // (2, 1) x (1, 2): a GEMM (a 1 x 1 result would take the dot-product path).
    const lhs = fromTypedArray(Float32Array.from([1 + 2 ** -10, 1]), [2, 1]);
    const rhs = fromTypedArray(Float32Array.from([1, 1]), [1, 2]);
    const sym = dot({ lhs: Variable('lhs'), rhs: Variable('rhs') });
    const product = (): number => {
      const exec = Executor.simpleBind(sym, { shapes: { lhs: [2, 1], rhs: [1, 2] }, gradReq: 'null' });
      lhs.copyTo(exec.argDict.lhs!);
      rhs.copyTo(exec.argDict.rhs!);
      const v = exec.forward()[0]!.toArray()[0]!;
      exec.dispose();
      return v;
    };
    expect(product()).toBe(1 + 2 ** -10);
    setGemmPrecision('bfloat16');
    try {
      expect(product()).toBe(1);
    } finally {
      setGemmPrecision('float32');
    }
  });
});

describe('an executor bound with amp: bfloat16', () => {
  it('runs its products in bfloat16 and leaves the precision of other executors alone', () => {
    setGemmBackend('auto');
    seed(41);
    const sym = FullyConnected({ data, numHidden: 300, name: 'fc' });
    const bind = (amp?: 'bfloat16'): Executor =>
      Executor.simpleBind(sym, { shapes: { data: [64, 120] }, gradReq: 'write', ...(amp ? { amp } : {}) });
    const plain = bind();
    const amp = bind('bfloat16');
    for (const name of ['data', 'fc_weight', 'fc_bias'])
      random.uniform(-1, 1, plain.argDict[name]!.shape).copyTo(plain.argDict[name]!);
    for (const name of ['data', 'fc_weight', 'fc_bias']) plain.argDict[name]!.copyTo(amp.argDict[name]!);
    const want = Float64Array.from(plain.forward({ isTrain: true })[0]!.toArray());
    const got = Float64Array.from(amp.forward({ isTrain: true })[0]!.toArray());
    expect(getGemmPrecision()).toBe('float32');
    expect(relativeError(got, want)).toBeGreaterThan(1e-5);
    expect(relativeError(got, want)).toBeLessThan(1e-2);
    const head = random.uniform(-1, 1, [64, 300]);
    amp.backward([head]);
    plain.backward([head]);
    expect(
      relativeError(Float64Array.from(amp.gradDict.fc_weight!.toArray()), Float64Array.from(plain.gradDict.fc_weight!.toArray())),
    ).toBeLessThan(1e-2);
    const precisions = new Set(
      gemmChoices()
        .filter((c) => c.backend === 'onednn')
        .map((c) => c.precision),
    );
    expect([...precisions].sort()).toEqual(['bfloat16', 'float32']);
    // The precision goes with the executor through reshape (bucketing).
    const reshaped = amp.reshape({ data: [32, 120] });
    reshaped.forward({ isTrain: false });
    expect(gemmChoices().some((c) => c.m === 32 && c.precision === 'bfloat16')).toBe(true);
    for (const e of [plain, amp, reshaped]) e.dispose();
  });

  it('rejects another amp with a ValueError', () => {
    const sym = FullyConnected({ data, numHidden: 3, name: 'fc' });
    expect(() => Executor.simpleBind(sym, { shapes: { data: [2, 2] }, amp: 'float16' as 'bfloat16' })).toThrow(
      /amp must be 'bfloat16'/,
    );
  });
});

describe('the auto backend', () => {
  it('runs the LM output layer on oneDNN and a tiny product on OpenBLAS, choosing once per shape', () => {
    setGemmBackend('auto');
    const sym = FullyConnected({ data, numHidden: 1000, name: 'fc' });
    const exec = Executor.simpleBind(sym, { shapes: { data: [64, 200] }, gradReq: 'write' });
    exec.forward({ isTrain: true });
    exec.backward([random.uniform(-1, 1, [64, 1000])]);
    const tiny = Executor.simpleBind(dot({ lhs: Variable('lhs'), rhs: Variable('rhs') }), {
      shapes: { lhs: [4, 4], rhs: [4, 4] },
    });
    tiny.forward();
    const byShape = new Map(gemmChoices().map((c) => [`${c.m}x${c.n}x${c.k}`, c.backend]));
    expect(byShape.get('64x1000x200')).toBe('onednn'); // forward
    expect(byShape.get('1000x200x64')).toBe('onednn'); // weight gradient
    expect(byShape.get('4x4x4')).toBe('openblas');
    const count = gemmChoices().length;
    exec.forward({ isTrain: true });
    expect(gemmChoices().length).toBe(count);
    exec.dispose();
    tiny.dispose();
  });
});

describe("FullyConnected's bias", () => {
  it.each(['openblas', 'onednn'] as const)(
    'is part of the forward product on %s (no copy into the output first), and only with a bias',
    (backend) => {
      setGemmBackend(backend);
      const withBias = (numHidden: number, noBias: boolean): boolean | undefined => {
        const exec = Executor.simpleBind(FullyConnected({ data, numHidden, noBias, name: 'fc' }), {
          shapes: { data: [48, 40] },
          gradReq: 'null',
        });
        exec.forward();
        exec.dispose();
        return gemmChoices().find((c) => c.m === 48 && c.n === numHidden && c.k === 40)?.bias;
      };
      expect(withBias(300, false)).toBe(true);
      expect(withBias(301, true)).toBe(false);
    },
  );
});
