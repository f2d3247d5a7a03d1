// Every operator mapping, one small graph each: exported and run in onnxruntime-node against bkt's
// forward pass, then imported back and run in bkt again.

import { seed } from '@bkt/ndarray';
import { Group, type Symbol, Variable, createSymbol, getOp } from '@bkt/symbol';
import { describe, expect, it } from 'vitest';
import { exportONNX, importONNX } from '../src/index.js';
import { bktForward, ortForward, randomParams, relativeError, uniformFeed } from './helpers.js';

const op = (name: string, args: Record<string, unknown>): Symbol => createSymbol(getOp(name), name, args);
const data = Variable('data');
const SHAPE = [2, 3, 4];

interface Case {
  name: string;
  sym: () => Symbol;
  shape?: number[];
  /** Input range (positive for log, sqrt, power). */
  low?: number;
}

const unary = [
  'negative',
  'exp',
  'log',
  'sqrt',
  'abs',
  'sign',
  'reciprocal',
  'relu',
  'sigmoid',
  'tanh',
  'softsign',
  'square',
  '_copy',
  'BlockGrad',
];
const binary = ['elemwise_add', 'elemwise_sub', 'elemwise_mul', 'elemwise_div', '_maximum', '_minimum', '_power'];
const broadcast = [
  'broadcast_add',
  'broadcast_sub',
  'broadcast_mul',
  'broadcast_div',
  'broadcast_maximum',
  'broadcast_minimum',
  'broadcast_power',
];
const scalar = [
  '_plus_scalar',
  '_minus_scalar',
  '_rminus_scalar',
  '_mul_scalar',
  '_div_scalar',
  '_rdiv_scalar',
  '_power_scalar',
  '_rpower_scalar',
  '_maximum_scalar',
  '_minimum_scalar',
];
const rnn = (mode: string, bidirectional: boolean) => (): Symbol =>
  op('RNN', {
    data,
    parameters: Variable('p'),
    state: op('_zeros', { shape: [bidirectional ? 4 : 2, 0, 5] }),
    ...(mode === 'lstm' ? { state_cell: op('_zeros', { shape: [bidirectional ? 4 : 2, 0, 5] }) } : {}),
    stateSize: 5,
    numLayers: 2,
    mode,
    bidirectional,
  });

const CASES: Case[] = [
  ...unary.map((name) => ({ name, sym: () => op(name, { data }), low: 0.2 })),
  { name: 'Dropout (identity at inference)', sym: () => op('Dropout', { data, p: 0.5 }) },
  ...binary.map((name) => ({ name, sym: () => op(name, { lhs: data, rhs: Variable('w') }), low: 0.2 })),
  ...broadcast.map((name) => ({ name, sym: () => op(name, { lhs: data, rhs: Variable('w', { shape: [1, 3, 1] }) }), low: 0.2 })),
  ...scalar.map((name) => ({ name, sym: () => op(name, { data, scalar: 1.5 }), low: 0.2 })),
  { name: 'add_n', sym: () => op('add_n', { args: [data, op('_mul_scalar', { data, scalar: 2 }), Variable('w')] }) },
  { name: 'softmax with temperature', sym: () => op('softmax', { data, axis: 1, temperature: 2 }) },
  { name: 'log_softmax', sym: () => op('log_softmax', { data, axis: -1 }) },
  { name: 'SoftmaxOutput multi_output', sym: () => op('SoftmaxOutput', { data, multiOutput: true }) },
  { name: 'SoftmaxOutput preserve_shape', sym: () => op('SoftmaxOutput', { data, preserveShape: true }) },
  { name: 'SoftmaxOutput on 3-D data (flattened)', sym: () => op('SoftmaxOutput', { data }) },
  { name: 'transpose', sym: () => op('transpose', { data, axes: [2, 0, 1] }) },
  { name: 'transpose (reversed)', sym: () => op('transpose', { data }) },
  { name: 'Reshape -3, -2', sym: () => op('Reshape', { data, shape: [-3, -2] }) },
  { name: 'Reshape -4 (split an axis), 0', sym: () => op('Reshape', { data, shape: [0, -4, 1, 3, -2] }) },
  { name: 'Reshape reverse', sym: () => op('Reshape', { data, shape: [-1, 0], reverse: true }) },
  { name: 'Concat', sym: () => op('Concat', { data: [data, op('exp', { data })], dim: 2 }) },
  {
    name: 'SliceChannel without squeeze',
    sym: () => Group([0, 1].map((i) => op('SliceChannel', { data, numOutputs: 2, axis: 2 }).at(i))),
  },
  {
    name: 'Activation softrelu, softsign',
    sym: () => op('Activation', { data: op('Activation', { data, actType: 'softrelu' }), actType: 'softsign' }),
  },
  {
    name: 'Pooling global max',
    sym: () => op('Pooling', { data, globalPool: true, poolType: 'max', kernel: [1, 1] }),
    shape: [2, 3, 5, 5],
  },
  {
    name: 'Pooling global avg',
    sym: () => op('Pooling', { data, globalPool: true, poolType: 'avg', kernel: [1, 1] }),
    shape: [2, 3, 5, 5],
  },
  {
    name: "Pooling max, 'full' convention",
    sym: () => op('Pooling', { data, poolType: 'max', kernel: [2, 2], stride: [2, 2], poolingConvention: 'full' }),
    shape: [2, 3, 5, 5],
  },
  {
    name: 'Pooling avg with padding',
    sym: () => op('Pooling', { data, poolType: 'avg', kernel: [3, 3], pad: [1, 1] }),
    shape: [2, 3, 5, 5],
  },
  {
    name: 'Convolution strided, dilated, grouped',
    sym: () => op('Convolution', { data, kernel: [2, 2], stride: [2, 1], dilate: [1, 2], numFilter: 4, numGroup: 2 }),
    shape: [2, 4, 6, 6],
  },
  { name: 'RNN rnn_tanh', sym: rnn('rnn_tanh', false) },
  { name: 'RNN rnn_relu', sym: rnn('rnn_relu', false) },
  { name: 'RNN lstm bidirectional', sym: rnn('lstm', true) },
  { name: 'RNN gru bidirectional', sym: rnn('gru', true) },
];

describe.each(CASES)('$name', ({ sym: build, shape = SHAPE, low = -1 }) => {
  it('exports (onnxruntime gives bkt’s outputs) and imports back (bkt gives the same again)', async () => {
    seed(20);
    const sym = build();
    const params = randomParams(sym, { data: shape });
    const feeds = { data: uniformFeed(shape, low, 2) };
    const want = bktForward(sym, params.argParams, params.auxParams, feeds);
    const model = exportONNX(sym, params.argParams, params.auxParams, { inputShapes: { data: shape } });
    const got = await ortForward(model, feeds);
    expect(got.length).toBe(want.length);
    got.forEach((g, i) => expect(relativeError(g.data, want[i]!)).toBeLessThanOrEqual(1e-5));
    const imported = importONNX(model);
    const again = bktForward(imported.symbol, imported.argParams, imported.auxParams, feeds);
    again.forEach((g, i) => expect(relativeError(g, want[i]!)).toBeLessThanOrEqual(1e-5));
  });
});
