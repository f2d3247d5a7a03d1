// The attention encoder–decoder (Luong-style, as Sockeye's RNN models on MXNet), one symbol per
// bucket key [S, T]:
//  - encoder: source embedding → fused LSTM layers; bidirectional as Sockeye builds it for the
//    fused op, a left-to-right RNN and a right-to-left one over SequenceReverse(source, lengths)
//    whose output is reversed back, so padding never enters a real position's state (each
//    direction numHidden/2 wide, concatenated to numHidden);
//  - decoder: target embedding (BOS + target) → fused LSTM (teacher forcing, zero begin state);
//  - attention of every decoder step over the encoder states at once: scores (batch, S, T) by
//    'dot' (decoderᵀ·encoder), 'bilinear' (decoderᵀ·W·encoder) or 'mlp' (vᵀ·tanh(W·enc + U·dec)),
//    SequenceMask past each source length, softmax over S, context = weighted encoder states;
//  - output: tanh(W·[decoder; context]) → FullyConnected(target vocabulary), its weight tied to the
//    target embedding or separate → SoftmaxOutput (padding 0 ignored, label smoothing).
// The decoder is causal and attention is per step, so the output at step t depends on the target
// input up to t only: decoding runs the same symbol on a prefix (see decode.ts).

import { ValueError } from '@bkt/ndarray';
import {
  batch_dot,
  broadcast_add,
  Concat,
  Embedding,
  expand_dims,
  FullyConnected,
  Reshape,
  SequenceMask,
  SequenceReverse,
  softmax,
  SoftmaxOutput,
  SwapAxis,
  type Symbol,
  tanh,
  Variable,
} from '@bkt/symbol';
import { FusedRNNCell } from '@bkt/symbol/rnn';

export const ATTENTION_TYPES = ['dot', 'bilinear', 'mlp'] as const;
export type AttentionType = (typeof ATTENTION_TYPES)[number];

/** Everything that fixes the network's shape; saved next to every checkpoint. */
export interface Seq2SeqConfig {
  sourceVocabSize: number;
  targetVocabSize: number;
  numEmbed: number;
  /** Decoder state size; the encoder's output size too (each direction half of it when bidirectional). */
  numHidden: number;
  /** Encoder layers. */
  numLayers: number;
  bidirectional: boolean;
  attention: AttentionType;
  /** The output layer's weight is the target embedding's (numEmbed must equal numHidden). */
  tieWeights: boolean;
  /** SoftmaxOutput's smooth_alpha. */
  labelSmoothing: number;
}

export const DATA_NAMES = ['source', 'source_length', 'target'] as const;
export const LABEL_NAMES = ['target_label'] as const;
/** Ids every vocabulary of the model reserves. */
export const PAD_ID = 0;
/** A masked attention score: exp of it minus any real score is 0 in float32. */
const MASKED_SCORE = -1e9;

export type Seq2SeqSymGen = (key: unknown) => readonly [Symbol, readonly string[], readonly string[]];

/** Throws a ValueError naming the option when the configuration cannot be built. */
export function checkSeq2SeqConfig(c: Seq2SeqConfig): void {
  const positive = (name: string, v: number): void => {
    if (!Number.isInteger(v) || v < 1) throw new ValueError(`${name} must be a positive integer, got ${v}`);
  };
  positive('--num-embed', c.numEmbed);
  positive('--num-hidden', c.numHidden);
  positive('--num-layers', c.numLayers);
  if (c.bidirectional && c.numHidden % 2 !== 0)
    throw new ValueError(`--num-hidden ${c.numHidden}: a bidirectional encoder needs an even size (half per direction)`);
  if (!ATTENTION_TYPES.includes(c.attention))
    throw new ValueError(`--attention must be one of ${ATTENTION_TYPES.join(', ')}, got '${c.attention}'`);
  if (c.tieWeights && c.numEmbed !== c.numHidden)
    throw new ValueError(`--tie-weights needs --num-embed equal to --num-hidden (${c.numEmbed} vs ${c.numHidden})`);
  if (!(c.labelSmoothing >= 0 && c.labelSmoothing < 1))
    throw new ValueError(`--label-smoothing must be in [0, 1), got ${c.labelSmoothing}`);
  if (c.sourceVocabSize < 2 || c.targetVocabSize < 2) throw new ValueError('the source and target vocabularies need words');
}

/** The key [S, T] of a batch, checked. */
export function keyOf(key: unknown): [number, number] {
  if (!Array.isArray(key) || key.length !== 2 || !key.every((k) => Number.isInteger(k) && k > 0)) {
    throw new ValueError(`seq2seq: a bucket key must be [sourceLength, targetLength], got ${JSON.stringify(key)}`);
  }
  return [key[0] as number, key[1] as number];
}

/** sym_gen([S, T]); the cells are made once and shared by every bucket. */
export function seq2seqSymGen(c: Seq2SeqConfig): Seq2SeqSymGen {
  checkSeq2SeqConfig(c);
  const encHidden = c.bidirectional ? c.numHidden / 2 : c.numHidden;
  const encFwd = new FusedRNNCell(encHidden, { numLayers: c.numLayers, mode: 'lstm', prefix: 'enc_fwd_' });
  const encRev = c.bidirectional
    ? new FusedRNNCell(encHidden, { numLayers: c.numLayers, mode: 'lstm', prefix: 'enc_rev_' })
    : null;
  const dec = new FusedRNNCell(c.numHidden, { numLayers: 1, mode: 'lstm', prefix: 'dec_' });
  const tgtEmbedWeight = Variable('tgt_embed_weight');
  return (key: unknown) => {
    const [S, T] = keyOf(key);
    const lengths = Variable('source_length');
    const byLength = { sequence_length: lengths, useSequenceLength: true };
    // (S, batch, E)
    const srcEmb = SwapAxis({
      data: Embedding({ data: Variable('source'), inputDim: c.sourceVocabSize, outputDim: c.numEmbed, name: 'src_embed' }),
      dim1: 0,
      dim2: 1,
    });
    for (const cell of [encFwd, encRev, dec]) cell?.reset();
    let enc = encFwd.unroll(S, srcEmb, { layout: 'TNC', mergeOutputs: true }).outputs;
    if (encRev) {
      const rev = encRev.unroll(S, SequenceReverse({ data: srcEmb, ...byLength }), { layout: 'TNC', mergeOutputs: true }).outputs;
      enc = Concat({ data: [enc, SequenceReverse({ data: rev, ...byLength })], dim: 2, name: 'enc_concat' });
    }
    // (batch, S, H)
    const encoded = SwapAxis({ data: enc, dim1: 0, dim2: 1 });
    const tgtEmb = Embedding({
      data: Variable('target'),
      weight: tgtEmbedWeight,
      inputDim: c.targetVocabSize,
      outputDim: c.numEmbed,
      name: 'tgt_embed',
    });
    const decoded = SwapAxis({
      data: dec.unroll(T, SwapAxis({ data: tgtEmb, dim1: 0, dim2: 1 }), { layout: 'TNC', mergeOutputs: true }).outputs,
      dim1: 0,
      dim2: 1,
    });
    // (batch, S, T)
    const scores = attentionScores(c, encoded, decoded);
    const masked = SequenceMask({ data: scores, ...byLength, value: MASKED_SCORE, axis: 1 });
    const weights = softmax({ data: masked, axis: 1 });
    // (batch, T, H)
    const context = batch_dot({ lhs: weights, rhs: encoded, transposeA: true, name: 'att_context' });
    const hidden = tanh({
      data: FullyConnected({
        data: Concat({ data: [decoded, context], dim: 2 }),
        numHidden: c.tieWeights ? c.numEmbed : c.numHidden,
        flatten: false,
        name: 'att_out',
      }),
    });
    const logits = FullyConnected({
      data: Reshape({ data: hidden, shape: [-1, c.tieWeights ? c.numEmbed : c.numHidden] }),
      ...(c.tieWeights ? { weight: tgtEmbedWeight } : {}),
      numHidden: c.targetVocabSize,
      name: 'pred',
    });
    const label = Reshape({ data: Variable('target_label'), shape: [-1] });
    const out = SoftmaxOutput({
      data: logits,
      label,
      name: 'softmax',
      useIgnore: true,
      ignoreLabel: PAD_ID,
      smoothAlpha: c.labelSmoothing,
    });
    return [out, DATA_NAMES, LABEL_NAMES] as const;
  };
}

function attentionScores(c: Seq2SeqConfig, encoded: Symbol, decoded: Symbol): Symbol {
  if (c.attention === 'dot') return batch_dot({ lhs: encoded, rhs: decoded, transposeB: true, name: 'att_score' });
  if (c.attention === 'bilinear') {
    const keys = FullyConnected({ data: encoded, numHidden: c.numHidden, flatten: false, noBias: true, name: 'att_key' });
    return batch_dot({ lhs: keys, rhs: decoded, transposeB: true, name: 'att_score' });
  }
  // (batch, S, 1, A) + (batch, 1, T, A) → (batch, S, T, A) → (batch, S, T)
  const keys = expand_dims({
    data: FullyConnected({ data: encoded, numHidden: c.numHidden, flatten: false, noBias: true, name: 'att_key' }),
    axis: 2,
  });
  const queries = expand_dims({
    data: FullyConnected({ data: decoded, numHidden: c.numHidden, flatten: false, name: 'att_query' }),
    axis: 1,
  });
  const energy = FullyConnected({
    data: tanh({ data: broadcast_add({ lhs: keys, rhs: queries }) }),
    numHidden: 1,
    flatten: false,
    noBias: true,
    name: 'att_v',
  });
  return Reshape({ data: energy, shape: [0, 0, -1] });
}
