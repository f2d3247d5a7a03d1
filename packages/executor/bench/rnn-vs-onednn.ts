// bkt's fused RNN op against oneDNN's own LSTM primitive on the LM's recurrent part (2 × LSTM 200,
// input 200, T = 30, batch 32, float32), alternating rounds in one run: the measurement behind keeping
// bkt's RNN kernel (whose per-step products run on oneDNN's matmul) rather than oneDNN's LSTM.
//   pnpm --filter @bkt/executor bench:rnn-vs-onednn [-- --rounds 3]
// Needs g++ and libdnnl-dev (the project's setup installs both). One JSON line per round:
// bkt_forward_ms, bkt_backward_ms (forward + backward minus forward), onednn_forward_ms, onednn_backward_ms.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as nd from '@bkt/ndarray';
import { RNN, Variable } from '@bkt/symbol';

import { Executor } from '../src/index.js';

const T = 30;
const N = 32;
const H = 200;
const ITERS = 50;
const i = process.argv.indexOf('--rounds');
const ROUNDS = i < 0 ? 3 : Number(process.argv[i + 1]);

const sym = RNN({ data: Variable('data'), name: 'lstm', mode: 'lstm', stateSize: H, numLayers: 2 });
const gradReq = Object.fromEntries(sym.listArguments().map((n) => [n, n === 'lstm_parameters' ? 'write' : 'null'] as const));
const exec = Executor.simpleBind(sym, { shapes: { data: [T, N, H] }, gradReq });
for (const a of Object.values(exec.argDict)) {
  const init = nd.random.uniform(-0.1, 0.1, a.shape);
  init.copyTo(a);
  init.dispose();
}
const outGrad = nd.random.uniform(-0.1, 0.1, [T, N, H]);

function bktMs(): { forward: number; backward: number } {
  const time = (step: () => void): number => {
    for (let k = 0; k < 3; k++) step();
    const t0 = process.hrtime.bigint();
    for (let k = 0; k < ITERS; k++) step();
    return Number(process.hrtime.bigint() - t0) / 1e6 / ITERS;
  };
  const forward = time(() => exec.forward({ isTrain: true }));
  const both = time(() => {
    exec.forward({ isTrain: true });
    exec.backward([outGrad]);
  });
  return { forward, backward: both - forward };
}

const dir = mkdtempSync(join(tmpdir(), 'bkt-onednn-lstm-'));
try {
  const binary = join(dir, 'onednn_lstm');
  const source = join(dirname(fileURLToPath(import.meta.url)), 'onednn_lstm.cc');
  execFileSync('g++', ['-O2', '-std=c++17', source, '-ldnnl', '-o', binary], { timeout: 120_000 });
  for (let round = 0; round < ROUNDS; round++) {
    const bkt = bktMs();
    const out = execFileSync(binary, {
      encoding: 'utf8',
      env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' },
      timeout: 60_000,
    });
    const onednn = JSON.parse(out) as { forward_ms: number; backward_ms: number };
    console.log(
      JSON.stringify({
        round,
        bkt_forward_ms: +bkt.forward.toFixed(2),
        bkt_backward_ms: +bkt.backward.toFixed(2),
        onednn_forward_ms: onednn.forward_ms,
        onednn_backward_ms: onednn.backward_ms,
      }),
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  exec.dispose();
}
