// In inference an RNN whose data is an Embedding's output looks its first layer's gates up in a kept
// table P = E·Wxᵀ + b (@bkt/ndarray's rnn_embedding_fold.h) once the rows it projected at the current
// weights reach the vocabulary size. The reference is the same graph with an identity op between the
// Embedding and the RNN, which the executor does not fold.
import {
  gemmChoices,
  memoryStats,
  multiply,
  type NDArray,
  random,
  seed,
  setGemmBackend,
  ShapeError,
  subtract,
  zeros,
} from '@bkt/ndarray';
import { Embedding, identity, RNN, type RNNMode, type Symbol, Variable } from '@bkt/symbol';
import { afterEach, describe, expect, it } from 'vitest';

import { expectAllClose, expectError, nd, values } from '../../ndarray/test/helpers.js';
import { Executor } from '../src/index.js';
import { restoreGemmSettingsAfterAll, runKernel } from './plan-harness.js';

restoreGemmSettingsAfterAll();

const V = 37; // vocabulary: three forwards of T·N = 12 rows stay below it, the fourth reaches it
const C = 6; // embedding width; differs from H and 2·H, so layer 0's projection is told apart by k
const H = 5;
const T = 4;
const N = 3;
// The gates are sums of C products in another order than the GEMM over T·N rows takes (or the same):
// each differs by a few float32 ulps, and the outputs (in [-1, 1]) by less than this after the steps.
const TOLERANCE = { rtol: 0, atol: 2e-6 };

interface Config {
  mode: RNNMode;
  numLayers: number;
  bidirectional: boolean;
}

function lm(cfg: Config, fold: boolean): Symbol {
  const embed = Embedding({ data: Variable('data'), name: 'embed', inputDim: V, outputDim: C });
  return RNN({ data: fold ? embed : identity({ data: embed }), name: 'rnn', stateSize: H, ...cfg });
}

const gates = (cfg: Config): number => (cfg.mode === 'lstm' ? 4 : cfg.mode === 'gru' ? 3 : 1) * H;

/** Calls of the products that build the table, and of layer 0's projection of T·N rows. */
function projections(cfg: Config): { table: number; rows: number } {
  const calls = (m: number): number =>
    gemmChoices()
      .filter((c) => c.m === m && c.n === gates(cfg) && c.k === C && c.bias && c.precision === 'float32')
      .reduce((s, c) => s + c.calls, 0);
  return { table: calls(V), rows: calls(T * N) };
}

const ids = (): NDArray => random.randint(0, V, [T, N]).astype('float32');

interface Pair {
  folded: Executor;
  reference: Executor;
}

/**
 * Runs `fn` on a folding executor and its unfolded reference over the same arrays (random weights from
 * `seedValue`; gradReq 'write' for training), from an empty GEMM choice table (its counts start at 0).
 */
function withPair(cfg: Config, seedValue: number, fn: (p: Pair) => void, gradReq: 'null' | 'write' = 'null'): void {
  seed(seedValue);
  setGemmBackend('onednn'); // forgets earlier choices and their counts
  const folded = Executor.simpleBind(lm(cfg, true), { shapes: { data: [T, N] }, gradReq });
  for (const name of ['embed_weight', 'rnn_parameters'])
    random.uniform(-1, 1, folded.argDict[name]!.shape).copyTo(folded.argDict[name]!);
  const reference = Executor.bind(lm(cfg, false), { args: { ...folded.argDict }, gradReq });
  try {
    fn({ folded, reference });
  } finally {
    reference.dispose();
    folded.dispose();
  }
}

/** Runs both on `data`; expects the folded outputs close to (or, with `exact`, equal to) the reference's. */
function expectSameForward(p: Pair, data: NDArray, isTrain = false, exact = false): void {
  const got = p.folded.forward({ isTrain, data }).map(values);
  const want = p.reference.forward({ isTrain, data }).map(values);
  got.forEach((g, i) => (exact ? expect(g).toEqual(want[i]) : expectAllClose(g, want[i]!, TOLERANCE)));
}

/** The plan line of the forward RNN instruction (debugStr). */
const rnnLine = (e: Executor): string =>
  e
    .debugStr()
    .split('\n')
    .find((l) => /^fwd\s+\d+ rnn\s/.test(l))!;

const CONFIGS: Config[] = [
  { mode: 'lstm', numLayers: 1, bidirectional: false },
  { mode: 'lstm', numLayers: 2, bidirectional: false },
  { mode: 'gru', numLayers: 2, bidirectional: false },
  { mode: 'rnn_tanh', numLayers: 1, bidirectional: false },
  { mode: 'rnn_relu', numLayers: 1, bidirectional: true },
  { mode: 'lstm', numLayers: 2, bidirectional: true },
  { mode: 'gru', numLayers: 1, bidirectional: true },
];
const name = (c: Config): string => `${c.mode}, ${c.numLayers} layer(s)${c.bidirectional ? ', bidirectional' : ''}`;

afterEach(() => setGemmBackend('auto'));

describe('RNN fed by an Embedding: inference folds the first layer’s projection', () => {
  it.each(CONFIGS.map((c) => [name(c), c] as const))('%s: equals the unfolded graph before and after the fold', (_n, cfg) => {
    withPair(cfg, 3, (p) => {
      // Three forwards (36 rows) stay below V = 37: the projection runs, no table is built.
      for (let i = 0; i < 3; i++) expectSameForward(p, ids());
      const before = projections(cfg);
      expect(before.table).toBe(0);
      // The fourth reaches V: the table is built once and looked up from then on.
      for (let i = 0; i < 4; i++) expectSameForward(p, ids());
      const after = projections(cfg);
      expect(after.table).toBe(cfg.bidirectional ? 2 : 1);
      // Only the reference projected the last four batches.
      expect(after.rows - before.rows).toBe(4 * (cfg.bidirectional ? 2 : 1));
    });
  });

  it('training forwards never fold and give the same bits as the unfolded graph', () => {
    const cfg = CONFIGS[1]!;
    withPair(
      cfg,
      4,
      (p) => {
        for (let i = 0; i < 6; i++) expectSameForward(p, ids(), true, true);
        expect(projections(cfg).table).toBe(0);
      },
      'write',
    );
  });

  it.each([
    ['the embedding weight', 'embed_weight'],
    ['the RNN parameters', 'rnn_parameters'],
  ])('a write of %s between inference calls drops the table; it is rebuilt after V more rows', (_what, arg) => {
    const cfg = CONFIGS[2]!;
    withPair(cfg, 5, (p) => {
      for (let i = 0; i < 4; i++) expectSameForward(p, ids());
      expect(projections(cfg).table).toBe(1);
      const a = p.folded.argDict[arg]!;
      random.uniform(-1, 1, a.shape).copyTo(a); // the reference reads the same array
      for (let i = 0; i < 3; i++) expectSameForward(p, ids());
      expect(projections(cfg).table).toBe(1);
      for (let i = 0; i < 2; i++) expectSameForward(p, ids());
      expect(projections(cfg).table).toBe(2);
    });
  });

  it('a training step between inference calls (the optimizer writes the weights) is followed', () => {
    const cfg = CONFIGS[0]!;
    withPair(
      cfg,
      6,
      (p) => {
        for (let i = 0; i < 4; i++) expectSameForward(p, ids());
        expect(projections(cfg).table).toBe(1);
        p.folded.forward({ isTrain: true, data: ids() });
        p.folded.backward([random.uniform(-1, 1, p.folded.outputs[0]!.shape)]);
        for (const name of ['embed_weight', 'rnn_parameters']) {
          const w = p.folded.argDict[name]!;
          subtract(w, multiply(p.folded.gradDict[name]!, 0.1)).copyTo(w);
        }
        for (let i = 0; i < 4; i++) expectSameForward(p, ids());
        expect(projections(cfg).table).toBe(2);
      },
      'write',
    );
  });

  it('out-of-range, fractional and NaN ids are read as Embedding reads them (clipped, truncated, NaN as 0)', () => {
    const cfg = CONFIGS[5]!;
    withPair(cfg, 7, (p) => {
      const bad = nd([-3, V, V + 100, 2.7, -0.5, Number.NaN, 1e30, -1e30, V - 1, 0, 5.99, 12], [T, N]);
      for (let i = 0; i < 4; i++) expectSameForward(p, bad);
      expect(projections(cfg).table).toBe(2);
      expectSameForward(p, bad);
    });
  });

  it('an Embedding whose output is read through another op, or a float64 graph, is not folded', () => {
    seed(8);
    setGemmBackend('onednn');
    const cfg = CONFIGS[0]!;
    const exec = Executor.simpleBind(lm(cfg, false), { shapes: { data: [T, N] }, gradReq: 'null' });
    const wide = Executor.simpleBind(lm(cfg, true), {
      shapes: { data: [T, N] },
      dtypes: { data: 'float64', embed_weight: 'float64', rnn_parameters: 'float64' },
      gradReq: 'null',
    });
    try {
      for (let i = 0; i < 8; i++) {
        exec.forward({ isTrain: false, data: ids() });
        wide.forward({ isTrain: false, data: ids().astype('float64') });
      }
      expect(projections(cfg).table).toBe(0);
      expect(rnnLine(exec)).not.toMatch(/embed_weight|arg:data/);
    } finally {
      wide.dispose();
      exec.dispose();
    }
  });

  it('the RNN instruction reads the Embedding’s ids and weight; the monitor still names the node’s own inputs', () => {
    seed(9);
    const cfg = CONFIGS[0]!;
    const exec = Executor.simpleBind(lm(cfg, true), { shapes: { data: [T, N] }, gradReq: 'null' });
    try {
      expect(rnnLine(exec)).toMatch(/arg:data.*arg:embed_weight.*\) ->/);
      const seen: string[] = [];
      exec.setMonitorCallback((n) => seen.push(n), true);
      exec.forward({ isTrain: false, data: ids() });
      expect(seen.filter((n) => n.startsWith('rnn_'))).toEqual([
        'rnn_data',
        'rnn_parameters',
        'rnn_parameters',
        'rnn_state',
        'rnn_state',
        'rnn_state_cell',
        'rnn_state_cell',
        'rnn_output',
        'rnn_workspace',
      ]);
    } finally {
      exec.dispose();
    }
  });
  it('the table is an array of the memory account (so V8 hears of it), freed at the first forward after a write', () => {
    const cfg = CONFIGS[5]!;
    withPair(cfg, 10, (p) => {
      const batch = ids();
      const before = memoryStats().liveBytes;
      for (let i = 0; i < 4; i++) p.folded.forward({ isTrain: false, data: batch });
      expect(projections(cfg).table).toBe(2);
      expect(memoryStats().liveBytes - before).toBe(2 * V * gates(cfg) * 4); // (directions, V, 4·H) float32
      const e = p.folded.argDict.embed_weight!;
      const fresh = random.uniform(-1, 1, e.shape);
      fresh.copyTo(e);
      fresh.dispose();
      p.folded.forward({ isTrain: false, data: batch });
      expect(memoryStats().liveBytes).toBe(before);
    });
  });

  it('a hand-built RNN instruction whose Embedding inputs do not fit its data raises, in the declaration and the kernel', () => {
    const z = (...shape: number[]): NDArray => zeros(shape);
    const lstm = [2, 3, 1, 0, 0, 0]; // mode (2: lstm), state_size, num_layers, bidirectional, p, state_outputs
    const states = [z(5, 2, 4), z(108), z(1, 2, 3), z(1, 2, 3)]; // data (T 5, N 2, C 4), parameters, state, cell
    const outputs = (): NDArray[] => [z(5, 2, 3), z(222)]; // out, workspace
    runKernel('rnn', [...states, z(5, 2), z(7, 4)], outputs(), lstm);
    expectError(
      () => runKernel('rnn', [...states, z(5, 2), z(7, 5)], outputs(), lstm),
      ShapeError,
      /RNN: the embedding weight must be \(V, 4\) float32 as the data, got \(7, 5\) float32/,
    );
    expectError(
      () => runKernel('rnn', [...states, z(5, 3), z(7, 4)], outputs(), lstm),
      ShapeError,
      /RNN: embedding ids has shape \(5, 3\), expected 10 elements/,
    );
  });
});
