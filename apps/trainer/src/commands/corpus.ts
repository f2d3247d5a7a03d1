// `bkt-train corpus`: writes the built-in corpus as text files (train.txt, valid.txt), so that `eval`,
// `generate` or other tools can read it, and prints the source's exact floor perplexity.

import { generateCorpus, writeCorpus } from '../corpus/index.js';
import { ensureWritableDir } from '../output-dirs.js';

export interface CorpusOptions {
  out: string;
  seed: number;
  sentences?: number;
  json?: boolean;
}

/** Runs `bkt-train corpus`; resolves with the exit code. */
export async function runCorpus(o: CorpusOptions): Promise<number> {
  // before the corpus is drawn, which takes a while
  ensureWritableDir('--out', o.out);
  const corpus = generateCorpus({ seed: o.seed, sentences: o.sentences });
  const paths = writeCorpus(o.out, corpus);
  const summary = {
    train: paths.train,
    valid: paths.valid,
    train_sentences: corpus.train.length,
    valid_sentences: corpus.valid.length,
    vocabulary: corpus.vocab.length,
    floor_ppl: corpus.floorPpl,
    valid_floor_ppl: corpus.validFloorPpl,
  };
  if (o.json) console.log(JSON.stringify(summary));
  else {
    console.log(
      `Wrote ${summary.train_sentences} training sentences to ${paths.train} and ${summary.valid_sentences} to ${paths.valid}`,
    );
    console.log(
      `Source floor perplexity ${corpus.floorPpl.toFixed(2)} (the true model on this validation set: ${corpus.validFloorPpl.toFixed(2)})`,
    );
  }
  return 0;
}
