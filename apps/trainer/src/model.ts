// The language model of MXNet's lstm_bucketing.py: Embedding → stacked LSTM/GRU →
// FullyConnected(vocab) → SoftmaxOutput (padding ignored), one symbol per bucket length. Two builds of the same
// network: unrolled step cells on (batch, time) data, or the fused RNN operator on (time, batch)
// data, which is faster here (~15% in packages/executor/bench/lm.ts) and so the default. Their
// parameters are named differently (per-gate cells vs one packed vector), so a checkpoint is read
// back with the variant that wrote it.

import { ValueError } from '@bkt/ndarray';
import { Embedding, FullyConnected, Reshape, SoftmaxOutput, type Symbol, Variable } from '@bkt/symbol';
import { type BaseRNNCell, DropoutCell, FusedRNNCell, GRUCell, LSTMCell, SequentialRNNCell } from '@bkt/symbol/rnn';

/** Everything that fixes the network's shape; saved next to every checkpoint. */
export interface LMConfig {
  cell: 'lstm' | 'gru';
  /** true: the fused RNN op (layout TN); false: unrolled cells (layout NT). */
  fused: boolean;
  numLayers: number;
  numHidden: number;
  numEmbed: number;
  /** Dropout between stacked layers (unrolled only: the fused kernel has none yet). */
  dropout: number;
  vocabSize: number;
}

/** The iterator layout the variant reads. */
export const layoutOf = (cfg: LMConfig): 'NT' | 'TN' => (cfg.fused ? 'TN' : 'NT');

/** MXNet's sym_gen result: the symbol for a bucket, its data names and label names. */
export type LMSymGen = (seqLen: number) => readonly [Symbol, readonly string[], readonly string[]];

/** Throws when the configuration cannot be built (a message naming the option). */
export function checkLMConfig(cfg: LMConfig): void {
  if (cfg.fused && cfg.dropout > 0) {
    throw new ValueError('--dropout > 0 needs --unrolled: the fused RNN kernel has no dropout between layers yet');
  }
  if (cfg.vocabSize < 2) throw new ValueError(`the vocabulary has ${cfg.vocabSize} entries; the training text needs words`);
}

function stackedCells(cfg: LMConfig): SequentialRNNCell {
  const stack = new SequentialRNNCell();
  for (let i = 0; i < cfg.numLayers; i++) {
    const prefix = `${cfg.cell}_l${i}_`;
    const cell: BaseRNNCell =
      cfg.cell === 'lstm' ? new LSTMCell(cfg.numHidden, { prefix }) : new GRUCell(cfg.numHidden, { prefix });
    stack.add(cell);
    if (cfg.dropout > 0 && i < cfg.numLayers - 1) stack.add(new DropoutCell(cfg.dropout, { prefix: `${cfg.cell}_d${i}_` }));
  }
  return stack;
}

/** sym_gen(seq_len) for the configuration; the cells are created once and shared by every bucket. */
export function lmSymGen(cfg: LMConfig): LMSymGen {
  checkLMConfig(cfg);
  const cells: BaseRNNCell = cfg.fused
    ? new FusedRNNCell(cfg.numHidden, { numLayers: cfg.numLayers, mode: cfg.cell, prefix: `${cfg.cell}_` })
    : stackedCells(cfg);
  return (seqLen: number) => {
    const embed = Embedding({ data: Variable('data'), inputDim: cfg.vocabSize, outputDim: cfg.numEmbed, name: 'embed' });
    cells.reset();
    const { outputs } = cells.unroll(seqLen, embed, { layout: cfg.fused ? 'TNC' : 'NTC', mergeOutputs: true });
    const pred = FullyConnected({
      data: Reshape({ data: outputs, shape: [-1, cfg.numHidden] }),
      numHidden: cfg.vocabSize,
      name: 'pred',
    });
    const label = Reshape({ data: Variable('softmax_label'), shape: [-1] });
    // Padding (label 0) gets no gradient, as the PyTorch reference's ignore_index=0 (MXNet's example
    // trained on it, which drags every prediction toward the padding id in the longer buckets).
    return [
      SoftmaxOutput({ data: pred, label, name: 'softmax', useIgnore: true, ignoreLabel: 0 }),
      ['data'],
      ['softmax_label'],
    ] as const;
  };
}
