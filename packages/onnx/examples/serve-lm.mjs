// Serving a bkt-train language model with onnxruntime-node: greedy continuation of a prompt.
//   bkt-train export --checkpoint runs/mine/lm:10 --out lm.onnx
//   node serve-lm.mjs lm.onnx runs/mine/lm-vocab.json "the market" 8
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';

const [modelFile, vocabFile, prompt = '', steps = '8'] = process.argv.slice(2);
const vocab = JSON.parse(readFileSync(vocabFile, 'utf8')); // word → id, as bkt-train wrote it
const words = Object.keys(vocab).sort((a, b) => vocab[a] - vocab[b]);
const session = await ort.InferenceSession.create(modelFile);

const ids = prompt
  .split(' ')
  .filter(Boolean)
  .map((w) => vocab[w] ?? vocab['<unk>']);
for (let step = 0; step < Number(steps) && ids.length > 0; step++) {
  // data is (seq_len, batch) of token ids as float32; any length works: the axes are symbolic.
  const data = new ort.Tensor('float32', Float32Array.from(ids), [ids.length, 1]);
  const out = await session.run({ data });
  const probs = out[session.outputNames[0]].data; // (seq_len·batch, vocab), time-major
  const last = probs.subarray((ids.length - 1) * words.length, ids.length * words.length);
  let best = 1; // id 0 is padding
  for (let i = 2; i < last.length; i++) if (last[i] > last[best]) best = i;
  ids.push(best);
  if (words[best] === '</s>') break;
}
console.log(ids.map((i) => words[i]).join(' '));
await session.release();
