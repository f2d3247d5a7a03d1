// Issue 11 item 6, the short soak: a BucketingModule with four buckets run through fit, score and
// iterPredict/predict for hundreds of batches keeps the same number of live native handles at batch
// 1,000 as at batch 200, without any forced garbage collection: every per-batch array (iterator
// batches, slices, merged outputs, metric temporaries) is freed by the library itself. The long run
// is `pnpm soak` (bench/soak.ts).
import { describe, expect, it } from 'vitest';
import { soak, type SoakMode, type SoakSample } from '../bench/soak.js';

function run(mode: SoakMode, batches: number, contexts: number): SoakSample[] {
  const samples: SoakSample[] = [];
  const done = soak({ mode, batches, every: 100, contexts, onSample: (s) => samples.push(s) });
  expect(done).toBeGreaterThanOrEqual(batches);
  return samples;
}

describe('soak: live handles do not grow with the number of batches', () => {
  const runs = [['fit', 1, 1000], ['score', 1, 1000], ['predict', 1, 1000], ['fit', 2, 600], ['predict', 2, 600]] as const;
  for (const [mode, contexts, batches] of runs) {
    it(`${mode} on ${contexts} context(s): ${batches} batches`, () => {
      const samples = run(mode, batches, contexts);
      const at = (b: number): number => samples.find((s) => s.batch === b)!.liveHandles;
      // The garbage collector may only lower the count; a leak of one array per batch would add 800.
      expect(at(batches)).toBeLessThanOrEqual(at(200) + 4);
      expect(Math.max(...samples.filter((s) => s.batch >= 200).map((s) => s.liveHandles))).toBeLessThanOrEqual(at(200) + 4);
    });
  }
});
