import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as nd from '@bkt/ndarray';
import { describe, expect, it } from 'vitest';
import {
  BucketSentenceIter,
  ParallelBucketIter,
  DataBatch,
  DataDesc,
  DataIter,
  encodeSentences,
  NDArrayIter,
  PrefetchingIter,
  ResizeIter,
  type DataBatch as Batch,
} from '../src/index.js';

/** Every batch of an epoch, its arrays copied: an iterator's batch is valid until its next batch. */
const all = (it: DataIter): Batch[] => {
  const out: Batch[] = [];
  for (const b of it) {
    const keep = {
      pad: b.pad,
      index: b.index ?? null,
      bucketKey: b.bucketKey ?? null,
      provideData: b.provideData ?? null,
      provideLabel: b.provideLabel ?? null,
    };
    out.push(
      new DataBatch(
        b.data.map((a) => a.copy()),
        b.label.map((a) => a.copy()),
        keep,
      ),
    );
  }
  return out;
};
const rows = (a: nd.NDArray): number[][] => {
  const flat = a.toArray();
  const w = a.size / a.shape[0]!;
  return Array.from({ length: a.shape[0]! }, (_, i) => flat.slice(i * w, (i + 1) * w));
};

describe('DataDesc', () => {
  it('keeps name, shape, dtype, layout and prints like MXNet', () => {
    const d = new DataDesc('data', [32, 3, 28, 28]);
    expect(d.dtype).toBe('float32');
    expect(d.layout).toBe('NCHW');
    expect(String(d)).toBe('DataDesc[data,(32,3,28,28),float32,NCHW]');
    expect(String(new DataDesc('x', [5]))).toBe('DataDesc[x,(5,),float32,NCHW]');
  });
  it('finds the batch axis of a layout', () => {
    expect(DataDesc.getBatchAxis(undefined)).toBe(0);
    expect(DataDesc.getBatchAxis('NCHW')).toBe(0);
    expect(DataDesc.getBatchAxis('TNC')).toBe(1);
    expect(DataDesc.getBatchAxis('TC')).toBe(-1);
  });
  it('compares as (name, shape) only', () => {
    const a = new DataDesc('d', [2, 3], 'float32', 'NT');
    expect(a.equals(new DataDesc('d', [2, 3], 'int32', 'TN'))).toBe(true);
    expect(a.equals(['d', [2, 3]])).toBe(true);
    expect(a.equals(['d', [3, 2]])).toBe(false);
  });
  it('builds lists from shapes and types', () => {
    const l = DataDesc.getList(
      [
        ['a', [1, 2]],
        ['b', [3]],
      ],
      [
        ['a', 'float64'],
        ['b', 'int32'],
      ],
    );
    expect(l.map((d) => [d.name, d.dtype])).toEqual([
      ['a', 'float64'],
      ['b', 'int32'],
    ]);
    expect(() => DataDesc.getList([['a', [1]]], [['b', 'int32']])).toThrow(nd.ValueError);
  });
});

describe('DataBatch', () => {
  it('prints its shapes and defaults pad to 0 and label to none', () => {
    const b = new DataBatch([nd.zeros([4, 3])], [nd.zeros([4])]);
    expect(String(b)).toBe('DataBatch: data shapes: [(4, 3)] label shapes: [(4)]');
    const u = new DataBatch([nd.zeros([2, 2])]);
    expect(u.label).toEqual([]);
    expect(u.pad).toBe(0);
    expect(String(u)).toBe('DataBatch: data shapes: [(2, 2)] label shapes: None');
    expect(() => new DataBatch(nd.zeros([1]) as unknown as nd.NDArray[])).toThrow(nd.ValueError);
    expect(() => new DataBatch([], [], { pad: -1 })).toThrow(nd.ValueError);
  });
});

// MXNet test_io.py _test_last_batch_handle: 1000 examples of shape (2, 2) with value i/100, label i/100.
describe('NDArrayIter last batch handling', () => {
  const n = 1000;
  const make = (handle: 'pad' | 'discard' | 'roll_over', shuffle = false): NDArrayIter => {
    const data = nd.array(
      Float32Array.from({ length: n * 4 }, (_, k) => Math.floor(k / 4) / 100),
      { shape: [n, 2, 2] },
    );
    const label = nd.array(Float32Array.from({ length: n }, (_, i) => i / 100));
    return new NDArrayIter(data, label, { batchSize: 128, lastBatchHandle: handle, shuffle });
  };
  const count = (batches: Batch[], v: number): number =>
    batches.reduce((c, b) => c + b.label[0]!.toArray().filter((x) => Math.trunc(x) === v).length, 0);

  it.each([
    ['pad', 8, 124, 100],
    ['discard', 7, 100, 96],
    ['roll_over', 7, 100, 96],
  ] as const)('%s: %d batches, label-0 count %d, label-8 count %d', (handle, batches, zeros, eights) => {
    const it = make(handle);
    const bs = all(it);
    expect(bs.length).toBe(batches);
    expect(count(bs, 0)).toBe(zeros);
    expect(count(bs, 8)).toBe(eights);
    for (const b of bs) {
      expect(b.data[0]!.shape).toEqual([128, 2, 2]);
      const d = rows(b.data[0]!).map((r) => r[0]);
      expect(d).toEqual(b.label[0]!.toArray());
    }
  });

  it('pad: only the last batch is padded, by 24', () => {
    const bs = all(make('pad'));
    expect(bs.map((b) => b.pad)).toEqual([0, 0, 0, 0, 0, 0, 0, 24]);
    expect(bs[7]!.index).toEqual([...Array.from({ length: 104 }, (_, i) => 896 + i), ...Array.from({ length: 24 }, (_, i) => i)]);
  });

  it('roll_over: the next epoch starts with the leftovers, pad 0, and equals the padded batch', () => {
    const padded = all(make('pad'))[7]!;
    const it = make('roll_over');
    expect(all(it).length).toBe(7);
    it.reset();
    const second = all(it);
    expect(second.length).toBe(8); // 104 left over + 24 new, then 7 more full batches (ending at 920)
    expect(second[0]!.label[0]!.toArray()).toEqual(padded.label[0]!.toArray());
    expect(second[0]!.data[0]!.toArray()).toEqual(padded.data[0]!.toArray());
    expect(second[0]!.pad).toBe(0); // MXNet reported 104 here, though every example is real
    expect(second.every((b) => b.pad === 0)).toBe(true);
    expect(second[1]!.index![0]).toBe(24);
    it.reset();
    const third = all(it);
    expect(third[0]!.index!.slice(0, 80)).toEqual(Array.from({ length: 80 }, (_, i) => 920 + i));
    // hardReset drops the leftovers
    it.hardReset();
    expect(it.nextBatch()!.index![0]).toBe(0);
  });

  it('roll_over with shuffle serves every example exactly once across epoch boundaries', () => {
    nd.seed(11);
    const it = make('roll_over', true);
    const seen: number[] = [];
    for (let e = 0; e < 3; e++) {
      for (const b of it) seen.push(...b.index!);
      it.reset();
    }
    // 3 epochs of 1000 examples: 7 + 8 + 8 batches = 2944 served, 56 still pending at the end
    expect(seen.length).toBe(23 * 128);
  });

  it('discard with an exact multiple keeps every batch', () => {
    const it = new NDArrayIter(nd.arange(12).reshape([6, 2]), null, { batchSize: 3, lastBatchHandle: 'discard' });
    expect(all(it).length).toBe(2);
  });

  it('pads a batch larger than the data set by tiling (MXNet _test_corner_case)', () => {
    const it = new NDArrayIter(nd.arange(10), null, { batchSize: 205, lastBatchHandle: 'pad' });
    const [b, ...rest] = all(it);
    expect(rest.length).toBe(0);
    const expected = [...Array.from({ length: 20 }, () => Array.from({ length: 10 }, (_, i) => i)).flat(), 0, 1, 2, 3, 4];
    expect(b!.data[0]!.toArray()).toEqual(expected);
    expect(b!.pad).toBe(195);
  });
});

describe('NDArrayIter inputs', () => {
  it('names a single array, a list, a dict, and sorts by name', () => {
    const x = nd.zeros([5, 3]);
    const one = new NDArrayIter(x, nd.zeros([5]), { batchSize: 2 });
    expect(one.provideData.map(String)).toEqual(['DataDesc[data,(2,3),float32,NCHW]']);
    expect(one.provideLabel.map(String)).toEqual(['DataDesc[softmax_label,(2,),float32,NCHW]']);
    const two = new NDArrayIter([x, nd.zeros([5, 4], { dtype: 'int32' })], null, { batchSize: 2, dataName: 'in' });
    expect(two.provideData.map(String)).toEqual(['DataDesc[_0_in,(2,3),float32,NCHW]', 'DataDesc[_1_in,(2,4),int32,NCHW]']);
    expect(two.provideLabel).toEqual([]);
    const dict = new NDArrayIter({ data2: nd.zeros([5, 1]), data1: x }, { lbl: nd.zeros([5]) }, { batchSize: 5 });
    expect(dict.provideData.map((d) => d.name)).toEqual(['data1', 'data2']);
    const b = dict.nextBatch()!;
    expect(b.data.map((a) => a.shape)).toEqual([
      [5, 3],
      [5, 1],
    ]);
    expect(b.label.length).toBe(1);
    const noLabel = new NDArrayIter(x, undefined, { batchSize: 5 }).nextBatch()!;
    expect(noLabel.label).toEqual([]);
  });

  it('cuts along the N of the layout', () => {
    // (T=2, N=4, C=1): the batch axis is 1
    const x = nd.array([
      [[0], [1], [2], [3]],
      [[10], [11], [12], [13]],
    ]);
    const it = new NDArrayIter(x, null, { batchSize: 2, layout: 'TNC' });
    expect(it.provideData[0]!.shape).toEqual([2, 2, 1]);
    const bs = all(it);
    expect(bs.map((b) => b.data[0]!.toArray())).toEqual([
      [0, 1, 10, 11],
      [2, 3, 12, 13],
    ]);
  });

  it('rejects mismatched example counts and bad options', () => {
    expect(() => new NDArrayIter(nd.zeros([5, 2]), nd.zeros([4]))).toThrow(nd.ShapeError);
    expect(() => new NDArrayIter(nd.zeros([5, 2]), null, { batchSize: 0 })).toThrow(nd.ValueError);
    expect(() => new NDArrayIter(nd.zeros([5, 2]), null, { lastBatchHandle: 'keep' as 'pad' })).toThrow(nd.ValueError);
    expect(() => new NDArrayIter([], null)).toThrow(nd.ValueError);
  });

  it('shuffles reproducibly with seed, and a shuffled batch is the data permuted by idx', () => {
    const x = nd.arange(20).reshape([10, 2]);
    nd.seed(3);
    const a = new NDArrayIter(x, null, { batchSize: 1, shuffle: true });
    nd.seed(3);
    const b = new NDArrayIter(x, null, { batchSize: 1, shuffle: true });
    expect(a.idx).toEqual(b.idx);
    expect([...a.idx].sort((p, q) => p - q)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(a.idx).not.toEqual(Array.from({ length: 10 }, (_, i) => i));
    const idx = a.idx;
    const plain = all(new NDArrayIter(x, null, { batchSize: 1 })).map((bt) => bt.data[0]!.toArray());
    const shuffled = all(a).map((bt) => bt.data[0]!.toArray());
    expect(shuffled).toEqual(idx.map((i) => plain[i]));
    // reset draws a new order
    a.reset();
    expect(a.idx).not.toEqual(idx);
  });

  it('offers MXNet low-level steps: iterNext, getData, getPad, getIndex', () => {
    const it = new NDArrayIter(nd.arange(5), nd.arange(5), { batchSize: 2 });
    const pads: number[] = [];
    while (it.iterNext()) {
      pads.push(it.getPad());
      expect(it.getData()[0]!.toArray()).toEqual(it.getIndex());
    }
    expect(pads).toEqual([0, 0, 1]);
  });
});

describe('ResizeIter', () => {
  it('serves a fixed number of batches, wrapping around', () => {
    const inner = new NDArrayIter(nd.arange(6), null, { batchSize: 2 });
    const it = new ResizeIter(inner, 5);
    expect(it.batchSize).toBe(2);
    expect(it.provideData).toBe(inner.provideData);
    const got = all(it).map((b) => b.data[0]!.toArray());
    expect(got).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
      [0, 1],
      [2, 3],
    ]);
    it.reset();
    expect(all(it).length).toBe(5);
    const noReset = new ResizeIter(new NDArrayIter(nd.arange(6), null, { batchSize: 2 }), 2, false);
    all(noReset);
    noReset.reset();
    expect(noReset.nextBatch()!.data[0]!.toArray()).toEqual([4, 5]);
  });

  it('keeps the inner batch bucket key and shapes', () => {
    const sents = [
      [1, 2],
      [3, 4],
      [1, 2, 3, 4],
      [4, 3, 2, 1],
    ];
    const inner = new BucketSentenceIter(sents, 2, { buckets: [2, 4] });
    const it = new ResizeIter(inner, 3);
    expect(it.defaultBucketKey).toBe(4);
    const keys = all(it).map((b) => b.bucketKey);
    expect(keys.length).toBe(3);
    expect(keys.every((k) => k === 2 || k === 4)).toBe(true);
    expect(all(it).length).toBe(0); // exhausted until reset
  });
});

describe('PrefetchingIter', () => {
  it('joins iterators and renames their inputs', () => {
    const a = new NDArrayIter(nd.arange(4), nd.arange(4), { batchSize: 2 });
    const b = new NDArrayIter(nd.arange(4).reshape([4, 1]), null, { batchSize: 2 });
    const it = new PrefetchingIter([a, b], [{ data: 'x' }, { data: 'y' }], [{ softmax_label: 'lbl' }, {}]);
    expect(it.provideData.map((d) => d.name)).toEqual(['x', 'y']);
    expect(it.provideLabel.map((d) => d.name)).toEqual(['lbl']);
    const bs = all(it);
    expect(bs.length).toBe(2);
    expect(bs[1]!.data.map((d) => d.toArray())).toEqual([
      [2, 3],
      [2, 3],
    ]);
    expect(bs[0]!.provideData!.map((d) => d.name)).toEqual(['x', 'y']);
    it.reset();
    expect(all(it).length).toBe(2);
  });

  it('rejects iterators of different lengths or pads', () => {
    const it = new PrefetchingIter([
      new NDArrayIter(nd.arange(4), null, { batchSize: 2 }),
      new NDArrayIter(nd.arange(2), null, { batchSize: 2 }),
    ]);
    it.nextBatch();
    expect(() => it.nextBatch()).toThrow(nd.ValueError);
    const pads = new PrefetchingIter([
      new NDArrayIter(nd.arange(3), null, { batchSize: 2 }),
      new NDArrayIter(nd.arange(4), null, { batchSize: 2 }),
    ]);
    pads.nextBatch();
    expect(() => pads.nextBatch()).toThrow(nd.ValueError);
  });
});

describe('encodeSentences', () => {
  it('builds a vocabulary in order of first appearance, skipping the invalid label', () => {
    const [enc, vocab] = encodeSentences(
      [
        ['a', 'b', '\n'],
        ['b', 'c', '\n'],
      ],
      { invalidLabel: 0, startLabel: 0 },
    );
    expect(Object.fromEntries(vocab)).toEqual({ '\n': 0, a: 1, b: 2, c: 3 });
    expect(enc).toEqual([
      [1, 2, 0],
      [2, 3, 0],
    ]);
    const [enc2, v2] = encodeSentences([['x', 'y']]);
    expect(Object.fromEntries(v2)).toEqual({ '\n': -1, x: 0, y: 1 });
    expect(enc2).toEqual([[0, 1]]);
  });

  it('maps unknown words with a given vocabulary (MXNet test_encode_sentences)', () => {
    const given = { a: 1, b: 2, c: 3 };
    const [enc, vocab] = encodeSentences(
      [
        ['a', 'b', 'c'],
        ['b', 'c', 'd'],
      ],
      { vocab: given, unknownToken: 'UNK' },
    );
    expect(enc).toEqual([
      [1, 2, 3],
      [2, 3, 0],
    ]);
    expect(Object.fromEntries(vocab)).toEqual({ a: 1, b: 2, c: 3, UNK: 0 });
    expect(given).toEqual({ a: 1, b: 2, c: 3 }); // not modified
  });

  it('never gives the unknown token an id that is already taken', () => {
    const [enc, vocab] = encodeSentences([['a', 'zz', 'qq']], {
      vocab: new Map([
        ['a', 0],
        ['b', 1],
      ]),
      unknownToken: '<unk>',
    });
    expect(vocab.get('<unk>')).toBe(2);
    expect(enc).toEqual([[0, 2, 2]]);
    // an unknown token already in the vocabulary keeps its id
    const [enc2] = encodeSentences([['zz']], { vocab: { a: 0, '<unk>': 7 }, unknownToken: '<unk>' });
    expect(enc2).toEqual([[7]]);
  });

  it('rejects unknown words without an unknown token', () => {
    expect(() => encodeSentences([['q']], { vocab: { a: 0 } })).toThrow(nd.ValueError);
  });
});

describe('BucketSentenceIter', () => {
  const quiet = (): ((m: string) => void) => () => {};
  // lengths: 2 ×3, 3 ×2, 5 ×2, 9 ×1
  const corpus = [
    [1, 2],
    [3, 4],
    [5, 6],
    [7, 8, 9],
    [1, 3, 5],
    [2, 4, 6, 8, 1],
    [9, 8, 7, 6, 5],
    [1, 2, 3, 4, 5, 6, 7, 8, 9],
  ];

  it('assigns each sentence to the smallest bucket that holds it and pads with invalidLabel', () => {
    const logs: string[] = [];
    const it = new BucketSentenceIter(corpus, 2, { buckets: [6, 3, 4], invalidLabel: 0, logger: (m) => logs.push(m) });
    // buckets 3 (five sentences of length 2 and 3), 4 (none → removed), 6 (two of length 5)
    expect(it.buckets).toEqual([3, 6]);
    expect(it.defaultBucketKey).toBe(6);
    expect(it.numDiscarded).toBe(1);
    expect(logs).toEqual(['WARNING: discarded 1 sentences longer than the largest bucket.']);
    expect(it.numUnused).toBe(1); // 5 sentences in bucket 3 → two batches, one left over
    expect(it.numBatches).toBe(3);
    expect(it.provideData.map(String)).toEqual(['DataDesc[data,(2,6),float32,NT]']);
    expect(it.provideLabel.map(String)).toEqual(['DataDesc[softmax_label,(2,6),float32,NT]']);
    const bs = all(it);
    expect(bs.map((b) => b.bucketKey).sort()).toEqual([3, 3, 6]);
    const seen: number[][] = [];
    for (const b of bs) {
      const key = b.bucketKey as number;
      expect(b.data[0]!.shape).toEqual([2, key]);
      expect(b.pad).toBe(0);
      expect(b.provideData![0]!.shape).toEqual([2, key]);
      expect(b.provideLabel![0]!.name).toBe('softmax_label');
      const d = rows(b.data[0]!);
      const l = rows(b.label[0]!);
      d.forEach((r, i) => {
        seen.push(r);
        expect(l[i]).toEqual([...r.slice(1), 0]); // label = data shifted left, last = invalid
      });
    }
    const bucket6 = seen
      .filter((r) => r.length === 6)
      .map(String)
      .sort();
    expect(bucket6).toEqual(['2,4,6,8,1,0', '9,8,7,6,5,0']);
    expect(seen.filter((r) => r.length === 3).every((r) => r[2] === 0 || r.every((x) => x !== 0))).toBe(true);
  });

  it('serves time-major batches with layout TN', () => {
    const it = new BucketSentenceIter(corpus, 2, { buckets: [3, 6], layout: 'TN', logger: quiet() });
    expect(it.provideData[0]!.shape).toEqual([6, 2]);
    expect(it.provideData[0]!.layout).toBe('TN');
    for (const b of it) {
      const key = b.bucketKey as number;
      expect(b.data[0]!.shape).toEqual([key, 2]);
      expect(b.label[0]!.shape).toEqual([key, 2]);
      expect(b.provideData![0]!.shape).toEqual([key, 2]);
      // column j of data is a sentence; label column = shifted sentence
      const d = b.data[0]!.T.toArray();
      const l = b.label[0]!.T.toArray();
      expect(l.slice(0, key - 1)).toEqual(d.slice(1, key));
      expect(l[key - 1]).toBe(-1);
    }
    expect(() => new BucketSentenceIter(corpus, 2, { layout: 'NTC', logger: quiet() })).not.toThrow();
    expect(() => new BucketSentenceIter(corpus, 2, { layout: 'TC', logger: quiet() })).toThrow(nd.ValueError);
  });

  it('makes automatic buckets of the lengths with at least batchSize sentences', () => {
    const it = new BucketSentenceIter(corpus, 2, { logger: quiet() });
    expect(it.buckets).toEqual([2, 3, 5]);
    expect(it.numDiscarded).toBe(1); // the length-9 sentence
    expect(
      all(it)
        .map((b) => b.bucketKey)
        .sort(),
    ).toEqual([2, 3, 5]);
    expect(() => new BucketSentenceIter([[1, 2, 3]], 1, { buckets: [2], logger: quiet() })).toThrow(nd.ValueError);
  });

  it('reshuffles on reset, reproducibly under seed', () => {
    const sents = Array.from({ length: 40 }, (_, i) => [i + 1, i + 2, i + 3]);
    const order = (): string[] => {
      nd.seed(5);
      const it = new BucketSentenceIter(sents, 4, { logger: quiet() });
      const first = all(it).map((b) => b.data[0]!.toArray().join());
      it.reset();
      const second = all(it).map((b) => b.data[0]!.toArray().join());
      expect(second).not.toEqual(first);
      expect(second.join().split(',').sort()).toEqual(first.join().split(',').sort());
      return first;
    };
    expect(order()).toEqual(order());
  });

  const ptb = fileURLToPath(new URL('../../../../shared/data/ptb/ptb.valid.txt', import.meta.url));
  it.skipIf(!existsSync(ptb))('handles the PTB validation text like the bucketing example', () => {
    const lines = readFileSync(ptb, 'utf8')
      .split(/(?<=\n)/)
      .map((l) => l.split(' ').filter((t) => t.length > 0));
    const [sents, vocab] = encodeSentences(lines, { invalidLabel: 0, startLabel: 1 });
    expect(vocab.get('\n')).toBe(0);
    expect(vocab.size).toBeLessThanOrEqual(10001);
    const logs: string[] = [];
    const it = new BucketSentenceIter(sents, 32, {
      buckets: [10, 20, 30, 40, 50, 60],
      invalidLabel: 0,
      logger: (m) => logs.push(m),
    });
    let served = 0;
    for (const b of it) {
      const key = b.bucketKey as number;
      expect(it.buckets).toContain(key);
      expect(b.data[0]!.shape).toEqual([32, key]);
      served += 32;
    }
    expect(served + it.numUnused + it.numDiscarded).toBe(sents.length);
    expect(served).toBeGreaterThan(0.9 * sents.length);
    expect(logs.length).toBe(it.numDiscarded > 0 ? 1 : 0);
  });
});

describe('batch lifetimes: a batch is valid until next() (issue 11: no growth until GC)', () => {
  const sents = Array.from({ length: 24 }, (_, i) => Array.from({ length: 2 + (i % 5) }, (_, t) => 1 + ((i + t) % 9)));
  const makers: [string, () => DataIter][] = [
    ['NDArrayIter', () => new NDArrayIter(nd.arange(30).reshape([10, 3]), nd.arange(10), { batchSize: 4, shuffle: true })],
    [
      'NDArrayIter (layout NTC)',
      () =>
        new NDArrayIter(nd.arange(60).reshape([2, 10, 3]), null, { batchSize: 3, layout: 'TNC', lastBatchHandle: 'roll_over' }),
    ],
    ['BucketSentenceIter (NT)', () => new BucketSentenceIter(sents, 3, { buckets: [3, 5, 7], invalidLabel: 0 })],
    ['BucketSentenceIter (TN)', () => new BucketSentenceIter(sents, 3, { buckets: [3, 5, 7], invalidLabel: 0, layout: 'TN' })],
    [
      'ParallelBucketIter',
      () =>
        new ParallelBucketIter(
          sents,
          sents.map((x) => x.slice(1)),
          3,
          { numBuckets: 2, bosId: 10, eosId: 11 },
        ),
    ],
    ['ResizeIter', () => new ResizeIter(new NDArrayIter(nd.arange(10), nd.arange(10), { batchSize: 3 }), 7)],
    [
      'PrefetchingIter',
      () =>
        new PrefetchingIter([
          new NDArrayIter(nd.arange(8), null, { batchSize: 2 }),
          new NDArrayIter(nd.arange(8), nd.arange(8), { batchSize: 2 }),
        ]),
    ],
  ];
  // BucketSentenceIter copies every batch into one data and one label array per bucket, as MXNet's
  // iterators reuse their buffers: a batch stays valid until next() overwrites it, and no array is made.
  const reusing = new Set(['BucketSentenceIter (NT)', 'BucketSentenceIter (TN)']);
  for (const [name, make] of makers) {
    it(`${name}: the previous batch's arrays are freed (or refilled) by next() and reset(); live handles stay flat over epochs`, () => {
      const it = make();
      const arrays = (b: DataBatch): nd.NDArray[] => [...b.data, ...b.label];
      const first = it.nextBatch()!;
      expect(arrays(first).every((a) => !a.isDisposed)).toBe(true);
      const made = nd.memoryStats().totalHandles;
      const second = it.nextBatch()!;
      if (reusing.has(name)) {
        const seen = new Map<unknown, nd.NDArray[]>([
          [first.bucketKey, arrays(first)],
          [second.bucketKey, arrays(second)],
        ]);
        for (let b = it.nextBatch(); b !== undefined; b = it.nextBatch()) {
          const buffers = seen.get(b.bucketKey) ?? arrays(b);
          expect(arrays(b).every((a, k) => a === buffers[k])).toBe(true);
          seen.set(b.bucketKey, arrays(b));
        }
        expect(nd.memoryStats().totalHandles).toBe(made);
        expect(arrays(first).every((a) => !a.isDisposed)).toBe(true);
        it.reset();
      } else {
        expect(arrays(first).every((a) => a.isDisposed)).toBe(true);
        expect(arrays(second).every((a) => !a.isDisposed)).toBe(true);
        it.reset();
        expect(arrays(second).every((a) => a.isDisposed)).toBe(true);
      }
      const epoch = (): number => {
        let n = 0;
        for (const b of it) n += arrays(b).length > 0 ? 1 : 0;
        it.reset();
        return n;
      };
      expect(epoch()).toBeGreaterThan(1);
      const before = nd.memoryStats().liveHandles;
      for (let e = 0; e < 30; e++) epoch();
      expect(nd.memoryStats().liveHandles).toBeLessThanOrEqual(before);
    });
  }
});
