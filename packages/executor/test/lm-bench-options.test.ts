// bench:lm's command line (bench/lm-options.ts): defaults keep today's LSTM run, --cell picks the
// GRU model, and anything it cannot run is a ValueError naming the option and the value.
import { ValueError } from '@bkt/ndarray';
import { describe, expect, it } from 'vitest';

import { parseLMBenchOptions } from '../bench/lm-options.js';

describe('bench:lm options', () => {
  it('defaults to 40 LSTM steps of length 30 over 10k words', () => {
    expect(parseLMBenchOptions([])).toEqual({ steps: 40, seqLen: 30, vocab: 10000, threads: 0, cell: 'lstm' });
  });

  it("reads every option and skips pnpm's -- separator", () => {
    const argv = ['--', '--synthetic', '5', '--seq-len', '12', '--vocab', '50', '--threads', '1', '--cell', 'gru'];
    expect(parseLMBenchOptions(argv)).toEqual({ steps: 5, seqLen: 12, vocab: 50, threads: 1, cell: 'gru' });
  });

  it('rejects an unknown cell, naming it', () => {
    expect(() => parseLMBenchOptions(['--cell', 'rnn_tanh'])).toThrow(ValueError);
    expect(() => parseLMBenchOptions(['--cell', 'GRU'])).toThrow(/--cell must be one of lstm, gru, got 'GRU'/);
  });

  it.each([
    [['--synthetic', '0'], /--synthetic must be an integer >= 1, got '0'/],
    [['--seq-len', 'abc'], /--seq-len must be an integer >= 1, got 'abc'/],
    [['--seq-len', ''], /--seq-len must be an integer >= 1, got ''/],
    [['--vocab', '1'], /--vocab must be an integer >= 2, got '1'/],
    [['--threads', '1.5'], /--threads must be an integer >= 0, got '1.5'/],
    [['--steps', '3'], /bench:lm: .*--steps/],
    [['--cell'], /bench:lm: .*--cell/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseLMBenchOptions(argv)).toThrow(ValueError);
    expect(() => parseLMBenchOptions(argv)).toThrow(message);
  });
});
