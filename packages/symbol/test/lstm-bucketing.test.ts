// The network of MXNet's example/rnn/bucketing/lstm_bucketing.py: Embedding 200 of a
// 10000-word vocabulary, two LSTMCell(200) layers `lstm_l0_`, `lstm_l1_` unrolled over the bucket
// length with merged outputs, FullyConnected 10000 `pred`, SoftmaxOutput `softmax`; data and
// label (32, T). The cells are made once and reused by every bucket's sym_gen, which
// BucketingModule runs under a fresh NameManager.
import { describe, expect, it } from 'vitest';
import {
  Embedding,
  FullyConnected,
  NameManager,
  Reshape,
  SoftmaxOutput,
  Symbol,
  Variable,
  topoOrder,
  withNameManager,
} from '../src/index.js';
import { LSTMCell, SequentialRNNCell } from '../src/rnn/index.js';

const VOCAB = 10000;
const HIDDEN = 200;
const EMBED = 200;
const BATCH = 32;
const BUCKETS = [10, 20, 30, 40, 50, 60];

const stack = new SequentialRNNCell();
for (let i = 0; i < 2; i++) stack.add(new LSTMCell(HIDDEN, { prefix: `lstm_l${i}_` }));

function symGen(seqLen: number): Symbol {
  return withNameManager(new NameManager(), () => {
    const data = Variable('data');
    const label = Variable('softmax_label');
    const embed = Embedding({ data, inputDim: VOCAB, outputDim: EMBED, name: 'embed' });
    stack.reset();
    const { outputs } = stack.unroll(seqLen, embed, { mergeOutputs: true });
    const pred = FullyConnected({ data: Reshape({ data: outputs, shape: [-1, HIDDEN] }), numHidden: VOCAB, name: 'pred' });
    return SoftmaxOutput({ data: pred, label: Reshape({ data: label, shape: [-1] }), name: 'softmax' });
  });
}

// MXNet's list_arguments() of this symbol (lstm_bucketing.py's network).
const ARGUMENTS = [
  'data',
  'embed_weight',
  'lstm_l0_i2h_weight',
  'lstm_l0_i2h_bias',
  'lstm_l0_h2h_weight',
  'lstm_l0_h2h_bias',
  'lstm_l1_i2h_weight',
  'lstm_l1_i2h_bias',
  'lstm_l1_h2h_weight',
  'lstm_l1_h2h_bias',
  'pred_weight',
  'pred_bias',
  'softmax_label',
];

const PARAM_SHAPES: Record<string, number[]> = {
  embed_weight: [VOCAB, EMBED],
  lstm_l0_i2h_weight: [4 * HIDDEN, EMBED],
  lstm_l0_i2h_bias: [4 * HIDDEN],
  lstm_l0_h2h_weight: [4 * HIDDEN, HIDDEN],
  lstm_l0_h2h_bias: [4 * HIDDEN],
  lstm_l1_i2h_weight: [4 * HIDDEN, HIDDEN],
  lstm_l1_i2h_bias: [4 * HIDDEN],
  lstm_l1_h2h_weight: [4 * HIDDEN, HIDDEN],
  lstm_l1_h2h_bias: [4 * HIDDEN],
  pred_weight: [VOCAB, HIDDEN],
  pred_bias: [VOCAB],
};

describe("lstm_bucketing.py's unrolled LSTM", () => {
  it('lists the arguments in MXNet’s order for every bucket', () => {
    for (const t of BUCKETS) expect(symGen(t).listArguments()).toEqual(ARGUMENTS);
  });

  it('infers every parameter shape from data (32, T) alone', () => {
    for (const t of BUCKETS) {
      const sym = symGen(t);
      const r = sym.inferShapePartial({ data: [BATCH, t] });
      const byName = Object.fromEntries(sym.listArguments().map((n, i) => [n, r.argShapes[i]]));
      for (const [name, shape] of Object.entries(PARAM_SHAPES)) expect(byName[name], `${name}, T=${t}`).toEqual(shape);
      expect(r.outShapes).toEqual([[BATCH * t, VOCAB]]);
    }
  });

  it('infers completely, begin states included, with the label (32, T)', () => {
    const sym = symGen(35);
    const r = sym.inferShape({ data: [BATCH, 35], softmax_label: [BATCH, 35] });
    expect(r.argShapes.slice(1, -1)).toEqual(Object.values(PARAM_SHAPES));
    expect(r.argShapes[12]).toEqual([BATCH, 35]);
    const states = topoOrder(sym.outputs).filter((n) => n.op?.name === '_zeros');
    expect(states.map((n) => n.name)).toEqual([
      'lstm_l0_begin_state_0',
      'lstm_l0_begin_state_1',
      'lstm_l1_begin_state_0',
      'lstm_l1_begin_state_1',
    ]);
  });

  it('shares the weights and names steps from t0 in every bucket', () => {
    const short = symGen(10);
    const long = symGen(60);
    const vars = (s: Symbol): Map<string, unknown> => new Map(s.inputNodes().map((n) => [n.name, n]));
    const a = vars(short);
    const b = vars(long);
    for (const name of Object.keys(PARAM_SHAPES).filter((n) => n.startsWith('lstm_'))) expect(a.get(name)).toBe(b.get(name));
    const steps = (s: Symbol): string[] => topoOrder(s.outputs).flatMap((n) => (n.name.endsWith('_i2h') ? [n.name] : []));
    expect(steps(short).slice(0, 2)).toEqual(['lstm_l0_t0_i2h', 'lstm_l1_t0_i2h']);
    expect(steps(long)).toHaveLength(120);
    expect(steps(long)).toContain('lstm_l1_t59_i2h');
  });

  it('round-trips through symbol JSON', () => {
    const text = symGen(10).toJSON();
    const back = Symbol.fromJSON(text);
    expect(back.toJSON()).toBe(text);
    expect(back.listArguments()).toEqual(ARGUMENTS);
  });
});
