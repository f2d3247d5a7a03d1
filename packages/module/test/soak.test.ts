// Issue 11 item 6, the short soak: a BucketingModule with four buckets run through fit, score and
// iterPredict/predict for hundreds of batches keeps the same number of live native handles at batch
// 1,000 as at batch 200, without any forced garbage collection: every per-batch array (iterator
// batches, slices, merged outputs, metric temporaries) is freed by the library itself. The arrays a
// batch makes at all are counted too (deterministic, unlike RSS): each handle costs V8 old-space
// bytes (its FinalizationRegistry cell) until a major GC, so RSS stays flat only if few are made.
// The long run is `pnpm soak` (bench/soak.ts).
import { describe, expect, it } from 'vitest';
import { soak, type SoakMode, type SoakSample } from '../bench/soak.js';

function run(mode: SoakMode, batches: number, contexts: number): SoakSample[] {
  const samples: SoakSample[] = [];
  const done = soak({ mode, batches, every: 100, contexts, onSample: (s) => samples.push(s) });
  expect(done).toBeGreaterThanOrEqual(batches);
  return samples;
}

// Arrays made per batch, at most. The iterator refills one data and one label array per bucket and
// Perplexity keeps its pick buffer and label view per shape and device, so a batch of fit or score
// makes none of its own on one device; with two devices forward copies each device's rows into its
// executor without a slice, and predict merges the outputs (a copy off the second device and the
// concatenation). Amortised over the 40-batch epochs: the iterator's reshuffle (two arrays per
// bucket), fit's parameter sync, predict's copies every other epoch. The kvstore and the optimizer
// make none (a sum per parameter would add 7 on two devices).
const MADE_PER_BATCH: Record<string, number> = { 'fit 1': 0.5, 'score 1': 0.5, 'predict 1': 1, 'fit 2': 1.25, 'predict 2': 3 };

describe('soak: live handles do not grow with the number of batches', () => {
  const runs = [
    ['fit', 1, 1000],
    ['score', 1, 1000],
    ['predict', 1, 1000],
    ['fit', 2, 600],
    ['predict', 2, 600],
  ] as const;
  for (const [mode, contexts, batches] of runs) {
    it(`${mode} on ${contexts} context(s): ${batches} batches`, () => {
      const samples = run(mode, batches, contexts);
      const at = (b: number): SoakSample => samples.find((s) => s.batch === b)!;
      // The garbage collector may only lower the count; a leak of one array per batch would add 800.
      expect(at(batches).liveHandles).toBeLessThanOrEqual(at(200).liveHandles + 4);
      expect(Math.max(...samples.filter((s) => s.batch >= 200).map((s) => s.liveHandles))).toBeLessThanOrEqual(
        at(200).liveHandles + 4,
      );
      const made = (at(batches).totalHandles - at(200).totalHandles) / (batches - 200);
      expect(made).toBeLessThanOrEqual(MADE_PER_BATCH[`${mode} ${contexts}`]!);
    });
  }
});
