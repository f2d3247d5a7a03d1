// Bind time of a many-bucket model: lstm_bucketing.py's unrolled 2-layer LSTM LM bound at each bucket
// length, every executor sharing the first one's parameters and arena (what BucketingModule does).
// Ascending lengths grow the shared arena at every bind, so every earlier executor is re-pointed;
// descending ones bind into an arena already large enough.
//   pnpm bench:bucket-bind -- --buckets 12 --step 5 --order ascending [--repeat 3]
// One JSON line: buckets, lengths, order, the instructions and intermediates of all executors, and
// seconds (the fastest of `repeat` runs of binding every bucket, symbol building excluded).
import { Executor } from '../src/index.js';
import { unrolledLM } from './unrolled-lm.js';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : process.argv[i + 1]!;
};
const BUCKETS = Number(arg('buckets', '12'));
const STEP = Number(arg('step', '5'));
const ORDER = arg('order', 'ascending');
const REPEAT = Number(arg('repeat', '3'));
const N = 32;
const H = 200;
const V = 2000;

const lengths = Array.from({ length: BUCKETS }, (_, i) => STEP * (i + 1));
if (ORDER === 'descending') lengths.reverse();
else if (ORDER !== 'ascending') throw new Error(`unknown --order '${ORDER}' (ascending, descending)`);
const symbols = lengths.map((seqLen) => unrolledLM({ seqLen, vocab: V, embed: H, hidden: H, layers: 2 }));

function bindAll(): { seconds: number; instructions: number } {
  const t0 = performance.now();
  const execs: Executor[] = [];
  for (const [i, sym] of symbols.entries()) {
    const shape = [N, lengths[i]!];
    execs.push(
      Executor.simpleBind(sym, { shapes: { data: shape, softmax_label: shape }, ...(execs[0] ? { sharedExec: execs[0] } : {}) }),
    );
  }
  const seconds = (performance.now() - t0) / 1000;
  const instructions = execs.reduce(
    (s, e) =>
      s +
      e
        .debugStr()
        .split('\n')
        .filter((l) => /^(fwd|bwd) /.test(l)).length,
    0,
  );
  for (const e of execs.reverse()) e.dispose();
  return { seconds, instructions };
}

let best = Infinity;
let instructions = 0;
for (let r = 0; r < REPEAT; r++) {
  const run = bindAll();
  best = Math.min(best, run.seconds);
  instructions = run.instructions;
}
console.log(JSON.stringify({ buckets: BUCKETS, lengths, order: ORDER, instructions, seconds: Math.round(best * 1000) / 1000 }));
