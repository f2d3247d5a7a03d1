import { DataBatch, Module } from '@bkt/module';
import * as nd from '@bkt/ndarray';
import { describe, expect, it } from 'vitest';
import { paddingComparison } from '../src/seq2seq/data.js';
import { type AttentionType, keyOf, type Seq2SeqConfig, seq2seqSymGen } from '../src/seq2seq/model.js';

const B = 3;
const base: Seq2SeqConfig = {
  sourceVocabSize: 11,
  targetVocabSize: 9,
  numEmbed: 6,
  numHidden: 8,
  numLayers: 2,
  bidirectional: true,
  attention: 'dot',
  tieWeights: false,
  labelSmoothing: 0.1,
};
// Real sentences: source lengths 4, 2, 3 (ids from 1), target inputs BOS (1) + 3 tokens.
const SOURCES = [
  [3, 4, 5, 6],
  [7, 8],
  [9, 10, 2],
];
const TARGETS = [
  [1, 4, 5, 6],
  [1, 2, 3, 7],
  [1, 8, 8, 2],
];

function params(cfg: Seq2SeqConfig): Record<string, nd.NDArray> {
  const sym = seq2seqSymGen(cfg)([6, 6])[0];
  const { argShapes } = sym.inferShape({ source: [B, 6], source_length: [B], target: [B, 6], target_label: [B, 6] });
  nd.random.seed(3);
  const out: Record<string, nd.NDArray> = {};
  sym.listArguments().forEach((n, i) => {
    if (!['source', 'source_length', 'target', 'target_label'].includes(n)) out[n] = nd.random.uniform(-0.5, 0.5, argShapes[i]!);
  });
  return out;
}

/** Output probabilities (B, T, V) of bucket [S, T], padding with `fill` past each sentence. */
function run(cfg: Seq2SeqConfig, p: Record<string, nd.NDArray>, S: number, T: number, targets = TARGETS, fill = 0): Float32Array {
  const sym = seq2seqSymGen(cfg)([S, T])[0];
  const src = new Float64Array(B * S).fill(fill);
  const tgt = new Float64Array(B * T).fill(fill);
  SOURCES.forEach((s, i) => src.set(s, i * S));
  targets.forEach((t, i) => tgt.set(t, i * T));
  const mod = new Module(sym, {
    dataNames: ['source', 'source_length', 'target'],
    labelNames: ['target_label'],
    logger: () => undefined,
  });
  mod.bind(
    [
      ['source', [B, S]],
      ['source_length', [B]],
      ['target', [B, T]],
    ],
    [['target_label', [B, T]]],
    { forTraining: false },
  );
  mod.initParams({ initializer: null, argParams: p });
  const inputs = [
    nd.array(src, { shape: [B, S] }),
    nd.array(
      SOURCES.map((s) => s.length),
      { shape: [B] },
    ),
    nd.array(tgt, { shape: [B, T] }),
  ];
  const label = nd.zeros([B, T]);
  try {
    mod.forward(new DataBatch(inputs, [label]), { isTrain: false });
    return (mod.getOutputs() as nd.NDArray[])[0]!.toTypedArray() as Float32Array;
  } finally {
    mod.dispose();
    for (const a of [...inputs, label]) a.dispose();
  }
}

const at = (probs: Float32Array, T: number, V: number, b: number, t: number): number[] =>
  Array.from(probs.slice((b * T + t) * V, (b * T + t + 1) * V));

const variants: [string, Partial<Seq2SeqConfig>][] = [
  ...(['dot', 'bilinear', 'mlp'] as AttentionType[]).map((attention): [string, Partial<Seq2SeqConfig>] => [
    `${attention} attention`,
    { attention },
  ]),
  ['unidirectional encoder', { bidirectional: false }],
  ['tied output layer', { tieWeights: true, numEmbed: 8 }],
];

describe('the seq2seq symbol', () => {
  for (const [name, change] of variants) {
    const cfg = { ...base, ...change };
    const p = params(cfg);
    it(`${name}: source padding changes no output (reversal and attention masked by source_length)`, () => {
      const V = cfg.targetVocabSize;
      const small = run(cfg, p, 4, 4);
      const large = run(cfg, p, 7, 6, TARGETS, 5);
      for (let b = 0; b < B; b++)
        for (let t = 0; t < 4; t++) {
          const x = at(small, 4, V, b, t);
          const y = at(large, 6, V, b, t);
          x.forEach((v, k) => expect(y[k]).toBeCloseTo(v, 5));
        }
    });
    it(`${name}: the output at step t depends on the target input up to t only`, () => {
      const V = cfg.targetVocabSize;
      const a = run(cfg, p, 4, 4);
      const changed = TARGETS.map((t) => [...t.slice(0, 2), 7, 3]);
      const c = run(cfg, p, 4, 4, changed);
      for (let b = 0; b < B; b++) {
        for (let t = 0; t < 2; t++) at(a, 4, V, b, t).forEach((v, k) => expect(at(c, 4, V, b, t)[k]).toBeCloseTo(v, 6));
        expect(at(c, 4, V, b, 2)).not.toEqual(at(a, 4, V, b, 2));
      }
    });
  }

  it('outputs one distribution per target position and shares every parameter across buckets', () => {
    const gen = seq2seqSymGen(base);
    const shapes = (S: number, T: number): Record<string, readonly number[]> => {
      const sym = gen([S, T])[0];
      const { argShapes, outShapes } = sym.inferShape({
        source: [B, S],
        source_length: [B],
        target: [B, T],
        target_label: [B, T],
      });
      expect(outShapes[0]).toEqual([B * T, base.targetVocabSize]);
      return Object.fromEntries(
        sym
          .listArguments()
          .map((n, i) => [n, argShapes[i]!])
          .filter(([n]) => !String(n).startsWith('source') && !String(n).startsWith('target')),
      );
    };
    expect(shapes(3, 9)).toEqual(shapes(12, 4));
  });

  it('rejects configurations it cannot build and malformed keys', () => {
    expect(() => seq2seqSymGen({ ...base, numHidden: 7 })).toThrow(/even size/);
    expect(() => seq2seqSymGen({ ...base, tieWeights: true })).toThrow(/--tie-weights/);
    expect(() => seq2seqSymGen({ ...base, attention: 'additive' as AttentionType })).toThrow(nd.ValueError);
    expect(() => seq2seqSymGen({ ...base, labelSmoothing: 1 })).toThrow(/label-smoothing/);
    expect(() => seq2seqSymGen({ ...base, numLayers: 0 })).toThrow(/--num-layers/);
    expect(() => keyOf(7)).toThrow(/\[sourceLength, targetLength\]/);
    expect(() => seq2seqSymGen(base)([3, 0])).toThrow(nd.ValueError);
  });
});

describe('paddingComparison', () => {
  it('counts the padding of the 2-D grid, of source-length buckets and of one bucket', () => {
    const pair = (s: number, t: number) => ({ source: Array<string>(s).fill('a'), target: Array<string>(t - 1).fill('b') });
    // (source, target + 1) lengths: (2, 2), (2, 5), (4, 3)
    const pairs = [pair(2, 2), pair(2, 5), pair(4, 3)];
    const real = 2 + 2 + 2 + 5 + 4 + 3;
    const p = paddingComparison(pairs, { source: [2, 4], target: [3, 5] });
    expect(p.grid).toBeCloseTo(1 - real / (2 + 3 + 2 + 5 + 4 + 3), 12);
    // source bucket 2 pads its targets to 5, bucket 4 to 3
    expect(p.sourceOnly).toBeCloseTo(1 - real / (2 + 5 + 2 + 5 + 4 + 3), 12);
    expect(p.none).toBeCloseTo(1 - real / (3 * (4 + 5)), 12);
    expect(() => paddingComparison(pairs, { source: [1], target: [1] })).toThrow(/no pair fits/);
  });
});
