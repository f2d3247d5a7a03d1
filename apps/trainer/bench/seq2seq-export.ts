// Writes what the PyTorch reference (seq2seq_torch.py) trains on, read from a `bkt-train seq2seq`
// checkpoint prefix so both sides share one source of truth: the model configuration, the bucket
// grid, the vocabularies and the encoded pairs exactly as bkt built them (`<out>/data.json`), and
// the held-out test set's reference translations (`<out>/test-reference.txt`, for eval-bleu).
// Usage: tsx --conditions=source bench/seq2seq-export.ts PREFIX OUT_DIR

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ValueError, writeFileAtomic } from '@bkt/ndarray';
import { BOS, encodePairs, loadParallelData } from '../src/seq2seq/data.js';
import { loadSeq2SeqRunFiles } from '../src/seq2seq/run-files.js';
import { EOS } from '../src/text-data.js';

const [prefix, out] = process.argv.slice(2);
if (prefix === undefined || out === undefined) throw new ValueError('usage: seq2seq-export.ts PREFIX OUT_DIR');
const { run, vocabs } = loadSeq2SeqRunFiles(prefix);
const data = loadParallelData(run.data);
if (data.test === null)
  throw new ValueError(`'${prefix}' was trained on files; the benchmark needs the built-in corpus's test set`);
const targetWords: string[] = [];
for (const [w, i] of vocabs.target) targetWords[i] = w;
mkdirSync(out, { recursive: true });
writeFileAtomic(
  'seq2seq-export',
  join(out, 'data.json'),
  JSON.stringify({
    model: run.model,
    grid: run.grid,
    seed: run.seed,
    bos: vocabs.target.get(BOS),
    eos: vocabs.target.get(EOS),
    targetWords,
    train: encodePairs(data.train, vocabs),
    valid: encodePairs(data.valid, vocabs),
    test: encodePairs(data.test, vocabs),
  }),
);
writeFileAtomic('seq2seq-export', join(out, 'test-reference.txt'), data.test.map((p) => `${p.target.join(' ')}\n`).join(''));
