// A BucketingModule's bucket switch binds the new bucket's executor, and that bind chooses the library
// of each of its GEMM products and builds the primitives (in the module's amp precision): the bucket's
// first training steps then meet no product it has not prepared, a batch with padding included.
import * as nd from '@bkt/ndarray';
import { describe, expect, it } from 'vitest';

import { gemmKeys, restoreGemmSettingsAfterAll } from '../../executor/test/plan-harness.js';
import { BucketingModule, DataBatch, DataDesc, Uniform } from '../src/index.js';
import { lstmLMSymGen } from './lm-sym-gen.js';

restoreGemmSettingsAfterAll();

const VOCAB = 20;
const HIDDEN = 8;
const BATCH = 4;

const shapes = (len: number): { data: DataDesc[]; label: DataDesc[] } => ({
  data: [new DataDesc('data', [BATCH, len])],
  label: [new DataDesc('softmax_label', [BATCH, len])],
});

describe.each([
  ['float32', null],
  ['bfloat16 (amp)', 'bfloat16'],
] as const)('BucketingModule bucket switch, %s', (_name, amp) => {
  it('prepares the new bucket’s GEMM products at the switch; its first step adds none', () => {
    nd.seed(11);
    const mod = new BucketingModule(lstmLMSymGen(VOCAB, HIDDEN), { defaultBucketKey: 6, logger: () => {}, amp });
    const six = shapes(6);
    mod.bind(six.data, six.label);
    mod.initParams({ initializer: new Uniform(0.1) });
    nd.setGemmBackend('auto'); // forgets the default bucket's choices: what follows is the new bucket's

    const three = shapes(3);
    mod.switchBucket(3, three.data, three.label);
    const bound = nd.gemmChoices();
    // The output layer over all 3 steps: (BATCH·3, HIDDEN) · (VOCAB, HIDDEN)ᵀ + bias.
    expect(bound.some((c) => c.m === BATCH * 3 && c.n === VOCAB && c.k === HIDDEN && c.bias)).toBe(true);
    expect(bound.every((c) => c.calls === 0 && c.precision === (amp ?? 'float32'))).toBe(true);

    // A batch without padding, one whose last position in two sentences is padding (label 0, ignored), and
    // one where every other sentence ends a position early: the output layer's backward runs on the other
    // rows, with the runtime row-count products — in place, then in place and on the gathered rest.
    const everyOther = Array.from({ length: BATCH / 2 }, (_, i) => 2 * i);
    for (const padded of [[], [0, 1], everyOther]) {
      const labels = Float64Array.from({ length: BATCH * 3 }, (_, i) => 1 + (i % (VOCAB - 1)));
      for (const b of padded) labels[b * 3 + 2] = 0;
      const label = nd.array(labels, { shape: [BATCH, 3], dtype: 'float32' });
      const batch = new DataBatch([nd.random.randint(1, VOCAB, [BATCH, 3]).astype('float32')], [label], {
        bucketKey: 3,
        provideData: three.data,
        provideLabel: three.label,
      });
      mod.forward(batch, { isTrain: true });
      mod.backward();
    }
    const ran = nd.gemmChoices();
    expect(gemmKeys(ran)).toEqual(gemmKeys(bound));
    expect(ran.every((c) => c.calls > 0)).toBe(true);
    mod.dispose();
  });
});
