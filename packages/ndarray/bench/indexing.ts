// Times the indexing family on the language-model shapes (a 32x60 batch of tokens, 200-dim
// embeddings) and prints JSON. Run by hand: `npx tsx bench/indexing.ts`.
import {
  concat,
  embedding,
  embeddingBackward,
  getNumThreads,
  random,
  setNumThreads,
  split,
  take,
  transpose,
  type NDArray,
} from '../src/index.js';

function time(fn: () => NDArray | NDArray[], reps = 50): number {
  const dispose = (r: NDArray | NDArray[]) => (Array.isArray(r) ? r : [r]).forEach((a) => a.dispose());
  for (let i = 0; i < 3; i++) dispose(fn());
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < reps; i++) dispose(fn());
  return Number(process.hrtime.bigint() - t0) / 1e6 / reps;
}

const vocab = 10000;
const dim = 200;
const tokens = random.randint(0, vocab, [32, 60]).astype('float32');
const weight = random.uniform(-1, 1, [vocab, dim]);
const grad = random.uniform(-1, 1, [32, 60, dim]);
const square = random.uniform(-1, 1, [1024, 1024]);
const batch = random.uniform(-1, 1, [32, 60, 200]);

const results: Record<string, number> = {};
for (const threads of [1, 2]) {
  setNumThreads(threads);
  const t = `${getNumThreads()}t`;
  results[`embedding_fwd_32x60x200_ms_${t}`] = time(() => embedding(tokens, weight));
  results[`embedding_bwd_32x60x200_vocab10k_ms_${t}`] = time(() => embeddingBackward(tokens, grad, vocab));
  results[`take_axis1_ms_${t}`] = time(() => take(batch, tokens.reshape([1920]).slice(0, 60), { axis: 1 }));
  results[`transpose_1024x1024_ms_${t}`] = time(() => transpose(square));
  results[`transpose_32x60x200_021_ms_${t}`] = time(() => transpose(batch, [0, 2, 1]));
  results[`transpose_32x60x200_102_ms_${t}`] = time(() => transpose(batch, [1, 0, 2]));
  results[`concat_dim2_ms_${t}`] = time(() => concat([batch, batch], { dim: 2 }));
  results[`split_axis1_60_ms_${t}`] = time(() => split(batch, 60, { axis: 1, squeezeAxis: true }));
}
console.log(JSON.stringify(results, null, 2));
