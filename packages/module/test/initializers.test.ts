import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as nd from '@bkt/ndarray';
import { Variable } from '@bkt/symbol';
import { FusedRNNCell, LSTMCell } from '@bkt/symbol/rnn';
import { describe, expect, it } from 'vitest';
import {
  Constant,
  createInitializer,
  FusedRNN,
  InitDesc,
  Load,
  LSTMBias,
  Mixed,
  MSRAPrelu,
  Normal,
  One,
  Orthogonal,
  Uniform,
  Xavier,
  Zero,
} from '../src/index.js';

const vals = (a: nd.NDArray): number[] => a.toArray();
const stats = (xs: number[]): { mean: number; std: number; maxAbs: number } => {
  const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
  const std = Math.sqrt(xs.reduce((s, v) => s + (v - mean) ** 2, 0) / xs.length);
  return { mean, std, maxAbs: Math.max(...xs.map(Math.abs)) };
};
const filled = (
  name: string | InitDesc,
  shape: number[],
  init: { init(d: InitDesc | string, a: nd.NDArray): void },
): number[] => {
  const a = nd.full(shape, 42);
  init.init(name, a);
  return vals(a);
};
const allEqual = (xs: number[], v: number): boolean => xs.every((x) => x === v);

describe('MXNet name rules', () => {
  it('dispatches on the name suffix', () => {
    const u = new Uniform(0.1);
    const w = filled('fc1_weight', [20, 30], u);
    expect(w.every((x) => Math.abs(x) <= 0.1)).toBe(true);
    expect(w.some((x) => x !== 0)).toBe(true);
    expect(allEqual(filled('fc1_bias', [5], u), 0)).toBe(true);
    expect(allEqual(filled('bn_gamma', [5], u), 1)).toBe(true);
    expect(allEqual(filled('bn_beta', [5], u), 0)).toBe(true);
    expect(allEqual(filled('bn_moving_mean', [5], u), 0)).toBe(true);
    expect(allEqual(filled('bn_moving_var', [5], u), 1)).toBe(true);
    expect(allEqual(filled('bn_moving_inv_var', [5], u), 1)).toBe(true);
    expect(allEqual(filled('bn_moving_avg', [5], u), 0)).toBe(true);
    expect(allEqual(filled('q_min', [2], u), 0)).toBe(true);
    expect(allEqual(filled('q_max', [2], u), 1)).toBe(true);
    expect(() => filled('mystery', [2], u)).toThrow(nd.ValueError);
    // the weight rule is the initializer's own: Zero zeroes weights but gamma still becomes 1
    expect(allEqual(filled('w_weight', [3], new Zero()), 0)).toBe(true);
    expect(allEqual(filled('bn_gamma', [3], new Zero()), 1)).toBe(true);
  });

  it('lets the __init__ attribute override the name', () => {
    const u = new Uniform(0.1);
    expect(allEqual(filled(new InitDesc('fc_bias', { __init__: '["constant", {"value": 0.5}]' }), [4], u), 0.5)).toBe(true);
    expect(allEqual(filled(new InitDesc('fc_weight', { __init__: '["zero", {}]' }), [2, 2], u), 0)).toBe(true);
    expect(allEqual(filled(new InitDesc('bn_moving_var', { __init__: '["one", {}]' }), [2], u), 1)).toBe(true);
    expect(allEqual(filled(new InitDesc('alpha', { __init__: '["Constant", {"value": 0.25}]' }), [3], u), 0.25)).toBe(true);
    expect(filled(new InitDesc('l0_i2h_bias', { __init__: '["lstmbias", {"forget_bias": 1.0}]' }), [8], u)).toEqual([
      0, 0, 1, 1, 0, 0, 0, 0,
    ]);
    // a uniform init on a bias draws random numbers despite the name
    const b = filled(new InitDesc('odd_bias', { __init__: new Uniform(1).dumps() }), [50], new Zero());
    expect(b.some((x) => x !== 0)).toBe(true);
  });

  it('reads the __init__ that @bkt/symbol writes (LSTMCell forget bias, MXNet test_lstm_forget_bias)', () => {
    const cell = new LSTMCell(100, { prefix: 'l0_', forgetBias: 2.0 });
    const { outputs } = cell.unroll(1, Variable('data'), { mergeOutputs: true });
    const attrs = outputs.attrDict();
    expect(attrs['l0_i2h_bias']!.__init__).toBe('["lstmbias", {"forget_bias": 2.0}]');
    const bias = nd.zeros([400]);
    new Xavier({ factorType: 'in', magnitude: 2.34 }).init(new InitDesc('l0_i2h_bias', attrs['l0_i2h_bias']), bias);
    expect(vals(bias)).toEqual([...Array(100).fill(0), ...Array(100).fill(2), ...Array(200).fill(0)]);
    const v = Variable('w', { init: new Xavier({ magnitude: 2 }) });
    expect(v.attrDict()['w']!.__init__).toBe('["xavier", {"rnd_type": "uniform", "factor_type": "avg", "magnitude": 2}]');
  });
});

describe('random initializers', () => {
  it('Uniform and Normal have the requested statistics and follow seed()', () => {
    nd.seed(1);
    const u = stats(filled('w_weight', [100, 100], new Uniform(0.5)));
    expect(u.maxAbs).toBeLessThanOrEqual(0.5);
    expect(Math.abs(u.mean)).toBeLessThan(0.01);
    expect(u.std).toBeCloseTo(0.5 / Math.sqrt(3), 2);
    const n = stats(filled('w_weight', [100, 100], new Normal(0.2)));
    expect(Math.abs(n.mean)).toBeLessThan(0.01);
    expect(n.std).toBeCloseTo(0.2, 2);
    nd.seed(9);
    const a = filled('w_weight', [7, 5], new Xavier());
    nd.seed(9);
    const b = filled('w_weight', [7, 5], new Xavier());
    expect(a).toEqual(b);
  });

  it('Xavier: uniform bound sqrt(magnitude / factor), fans include the receptive field', () => {
    // (64, 32, 3, 3): fan_in = 288, fan_out = 576
    const shape = [64, 32, 3, 3];
    for (const [factorType, factor] of [
      ['avg', 432],
      ['in', 288],
      ['out', 576],
    ] as const) {
      const x = new Xavier({ factorType, magnitude: 3 });
      const bound = Math.sqrt(3 / factor);
      expect(x.scaleFor(shape)).toBeCloseTo(bound, 12);
      const s = stats(filled('conv_weight', shape, x));
      expect(s.maxAbs).toBeLessThanOrEqual(bound + 1e-7);
      expect(s.maxAbs).toBeGreaterThan(0.99 * bound);
      expect(s.std).toBeCloseTo(bound / Math.sqrt(3), 3);
    }
    const g = stats(filled('fc_weight', [200, 300], new Xavier({ rndType: 'gaussian', factorType: 'in', magnitude: 2.34 })));
    expect(g.std).toBeCloseTo(Math.sqrt(2.34 / 300), 3);
    expect(() => filled('v_weight', [10], new Xavier())).toThrow(nd.ValueError);
    expect(() => new Xavier({ rndType: 'cauchy' as 'uniform' })).toThrow(nd.ValueError);
    expect(() => new Xavier({ factorType: 'both' as 'in' })).toThrow(nd.ValueError);
  });

  it('MSRAPrelu: gaussian with magnitude 2 / (1 + slope²)', () => {
    const m = new MSRAPrelu('in', 0.25);
    expect(m.magnitude).toBeCloseTo(2 / 1.0625, 12);
    expect(m.rndType).toBe('gaussian');
    const s = stats(filled('fc_weight', [300, 400], m));
    expect(s.std).toBeCloseTo(Math.sqrt(2 / 1.0625 / 400), 3);
    expect(m.dumps()).toBe('["msraprelu", {"factor_type": "in", "slope": 0.25}]');
  });

  it('Orthogonal: orthonormal rows (wide) or columns (tall), times scale', () => {
    const gram = (w: number[], r: number, c: number, byRows: boolean): number[][] => {
      const n = byRows ? r : c;
      const at = (i: number, k: number): number => (byRows ? w[i * c + k]! : w[k * c + i]!);
      const len = byRows ? c : r;
      return Array.from({ length: n }, (_, i) =>
        Array.from({ length: n }, (_, j) => {
          let s = 0;
          for (let k = 0; k < len; k++) s += at(i, k) * at(j, k);
          return s;
        }),
      );
    };
    const expectIdentity = (g: number[][], scale: number): void => {
      g.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(i === j ? scale * scale : 0, 5)));
    };
    const wide = filled('w_weight', [4, 10], new Orthogonal(1.5));
    expectIdentity(gram(wide, 4, 10, true), 1.5);
    const tall = filled('w_weight', [10, 4], new Orthogonal(1));
    expectIdentity(gram(tall, 10, 4, false), 1);
    const square = filled('w_weight', [6, 6], new Orthogonal(1, 'normal'));
    expectIdentity(gram(square, 6, 6, true), 1);
    expectIdentity(gram(square, 6, 6, false), 1);
    const conv = filled('c_weight', [3, 2, 2, 2], new Orthogonal()); // (3, 8)
    expectIdentity(gram(conv, 3, 8, true), 1.414);
    expect(() => new Orthogonal(1, 'cauchy' as 'normal')).toThrow(nd.ValueError);
  });
});

describe('constant, mixed, load', () => {
  it('Zero, One, Constant (number or broadcast array)', () => {
    expect(allEqual(filled('a_weight', [2, 3], new Zero()), 0)).toBe(true);
    expect(allEqual(filled('a_weight', [2, 3], new One()), 1)).toBe(true);
    expect(allEqual(filled('a_weight', [2, 3], new Constant(-2.5)), -2.5)).toBe(true);
    expect(filled('a_weight', [2, 3], new Constant(nd.array([1, 2, 3])))).toEqual([1, 2, 3, 1, 2, 3]);
    const f64 = nd.zeros([2], { dtype: 'float64' });
    new Constant(0.1).init('x_weight', f64);
    expect(vals(f64)).toEqual([0.1, 0.1]);
  });

  it('Mixed: the first pattern matching the start of the name', () => {
    const m = new Mixed(['conv.*', 'fc'], [new Constant(3), new One()]);
    expect(allEqual(filled('conv1_weight', [2], m), 3)).toBe(true);
    expect(allEqual(filled('fc1_weight', [2], m), 1)).toBe(true);
    // re.match anchors at the start: 'fc' does not match 'my_fc_weight'
    expect(() => filled('my_fc_weight', [2], m)).toThrow(nd.ValueError);
    expect(() => new Mixed(['a'], [])).toThrow(nd.ValueError);
    // the chosen initializer still applies the name rules: One on a bias gives 0
    expect(allEqual(filled('fc_bias', [2], new Mixed(['.*'], [new One()])), 0)).toBe(true);
  });

  it('Load: from arrays or a .params file, arg:/aux: prefixes dropped, with a default', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bkt-load-'));
    try {
      const file = join(dir, 'm-0001.params');
      nd.save(file, {
        'arg:fc_weight': nd.array([
          [1, 2],
          [3, 4],
        ]),
        'aux:bn_moving_mean': nd.array([5, 6]),
      });
      const l = new Load(file, new Constant(7));
      expect(filled('fc_weight', [2, 2], l)).toEqual([1, 2, 3, 4]);
      expect(filled('bn_moving_mean', [2], l)).toEqual([5, 6]);
      expect(allEqual(filled('other_weight', [3], l), 7)).toBe(true);
      expect(() => filled('fc_weight', [4], l)).toThrow(nd.ShapeError);
      const noDefault = new Load({ w: nd.array([1]) });
      expect(filled('w', [1], noDefault)).toEqual([1]);
      expect(() => filled('v_weight', [1], noDefault)).toThrow(nd.ValueError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('RNN initializers', () => {
  it('LSTMBias: forget slice [H, 2H) set, the rest zero', () => {
    const b = filled('x', [12], { init: (d, a) => new LSTMBias(3).initWeight(typeof d === 'string' ? new InitDesc(d) : d, a) });
    expect(b).toEqual([0, 0, 0, 3, 3, 3, 0, 0, 0, 0, 0, 0]);
    expect(new LSTMBias().dumps()).toBe('["lstmbias", {"forget_bias": 1.0}]');
    expect(() => new LSTMBias().initWeight(new InitDesc('b'), nd.zeros([6]))).toThrow(nd.ValueError);
  });

  it('FusedRNN: per-gate arrays initialized as unfused cells would be (via the global initializer)', () => {
    const h = 3;
    const input = 2;
    const cell = new FusedRNNCell(h, { numLayers: 2, mode: 'lstm', bidirectional: true, prefix: 'lstm_', forgetBias: 1.5 });
    const { outputs } = cell.unroll(2, Variable('data'), { layout: 'TNC', mergeOutputs: true });
    const attrs = outputs.attrDict()['lstm_parameters']!;
    expect(attrs.__init__).toBe(
      '["fusedrnn", {"init": null, "num_hidden": 3, "num_layers": 2, "mode": "lstm", "bidirectional": true, "forget_bias": 1.5}]',
    );
    const size = (input + h + 2) * h * 4 * 2 + 1 * 4 * h * (h + 2 * h + 2) * 2;
    const arr = nd.full([size], 42);
    nd.seed(4);
    const global = new Xavier({ factorType: 'in', magnitude: 2.34 });
    global.init(new InitDesc('lstm_parameters', attrs), arr);
    // unpack with an identically laid out cell and check each piece
    const parts = new FusedRNNCell(h, { numLayers: 2, mode: 'lstm', bidirectional: true, prefix: '' }).unpackWeights({
      parameters: { shape: [size], data: arr.toTypedArray() as Float32Array },
    });
    const names = Object.keys(parts);
    expect(names.length).toBe(2 * 2 * 4 * 4); // layers × directions × gates × (i2h, h2h) × (weight, bias)
    for (const [name, w] of Object.entries(parts)) {
      const xs = Array.from(w.data);
      if (name.endsWith('_f_bias')) expect(allEqual(xs, 1.5)).toBe(true);
      else if (name.endsWith('_bias')) expect(allEqual(xs, 0)).toBe(true);
      else {
        const bound = global.scaleFor(w.shape);
        expect(xs.every((x) => Math.abs(x) <= bound + 1e-7)).toBe(true);
        expect(xs.some((x) => x !== 0)).toBe(true);
      }
    }
    expect(parts['l1_i2h_i_weight']!.shape).toEqual([3, 6]);
  });

  it('FusedRNN with its own inner initializer, and round trips through dumps', () => {
    const f = new FusedRNN(new Constant(0.5), { numHidden: 2, numLayers: 1, mode: 'gru' });
    const size = (1 + 2 + 2) * 2 * 3; // input 1
    const arr = nd.zeros([size]);
    f.init(new InitDesc('gru_parameters', { __init__: f.dumps() }), arr);
    const parts = new FusedRNNCell(2, { mode: 'gru', prefix: '' }).unpackWeights({
      parameters: { shape: [size], data: arr.toTypedArray() as Float32Array },
    });
    for (const [name, w] of Object.entries(parts))
      expect(allEqual(Array.from(w.data), name.endsWith('_bias') ? 0 : 0.5)).toBe(true);
    expect(() => new FusedRNN(null, { numHidden: 2, numLayers: 1, mode: 'gru' }).initWeight(new InitDesc('p'), arr)).toThrow(
      nd.ValueError,
    );
    expect(() => new FusedRNN(null, { numHidden: 2, numLayers: 1, mode: 'elman' as 'gru' })).toThrow(nd.ValueError);
  });
});

describe('create and dumps', () => {
  it('writes and reads the JSON descriptions', () => {
    expect(new Xavier({ factorType: 'in', magnitude: 2.34 }).dumps()).toBe(
      '["xavier", {"rnd_type": "uniform", "factor_type": "in", "magnitude": 2.34}]',
    );
    expect(new Uniform().dumps()).toBe('["uniform", {"scale": 0.07}]');
    expect(new Zero().dumps()).toBe('["zero", {}]');
    const x = createInitializer('["xavier", {"rnd_type": "gaussian", "factor_type": "out", "magnitude": 2}]') as Xavier;
    expect([x.rndType, x.factorType, x.magnitude]).toEqual(['gaussian', 'out', 2]);
    expect(createInitializer('zeros')).toBeInstanceOf(Zero);
    expect(createInitializer('ONES')).toBeInstanceOf(One);
    expect((createInitializer(['normal', { sigma: 0.5 }]) as Normal).sigma).toBe(0.5);
    expect((createInitializer('uniform', { scale: 2 }) as Uniform).scale).toBe(2);
    const o = createInitializer(new Orthogonal(2, 'normal').dumps()) as Orthogonal;
    expect([o.scale, o.randType]).toEqual([2, 'normal']);
    const f = createInitializer(
      new FusedRNN(new Normal(0.3), { numHidden: 4, numLayers: 2, mode: 'rnn_tanh' }).dumps(),
    ) as FusedRNN;
    expect([f.numHidden, f.numLayers, f.mode, (f.initializer as Normal).sigma]).toEqual([4, 2, 'rnn_tanh', 0.3]);
    const u = new Uniform();
    expect(createInitializer(u)).toBe(u);
    expect(() => createInitializer('nope')).toThrow(nd.ValueError);
    expect(() => createInitializer('[not json')).toThrow(nd.ValueError);
  });

  it('logs each initialized array when verbose', () => {
    const lines: string[] = [];
    const init = new One().setVerbosity(true, undefined, (m) => lines.push(m));
    init.init('fc_weight', nd.zeros([4]));
    init.init('fc_bias', nd.zeros([4]));
    expect(lines).toEqual(['Initialized fc_weight as weight: 1', 'Initialized fc_bias as bias: 0']);
  });
});
