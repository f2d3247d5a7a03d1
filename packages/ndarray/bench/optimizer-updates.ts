// Times one fused optimizer update on a 10000x200 weight (the language model's embedding) and prints
// JSON. Run by hand: `npx tsx bench/optimizer-updates.ts`.
import { adamUpdate, getNumThreads, lambUpdate, random, setNumThreads, sgdMomUpdate, sgdUpdate, zeros } from '../src/index.js';

function time(fn: () => unknown, reps = 50): number {
  for (let i = 0; i < 3; i++) fn();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < reps; i++) fn();
  return Number(process.hrtime.bigint() - t0) / 1e6 / reps;
}

const shape = [10000, 200];
const weight = random.uniform(-1, 1, shape);
const grad = random.uniform(-1e-3, 1e-3, shape);
const mom = zeros(shape);
const mean = zeros(shape);
const v = zeros(shape);
const half = weight.astype('float16');
const grad16 = grad.astype('float16');
const master = weight.copy();

const results: Record<string, number> = {};
for (const threads of [1, 2]) {
  setNumThreads(threads);
  const t = `${getNumThreads()}t`;
  results[`sgdUpdate_10000x200_f32_ms_${t}`] = time(() => sgdUpdate(weight, grad, { lr: 1e-3, wd: 1e-4 }));
  results[`sgdMomUpdate_10000x200_f32_ms_${t}`] = time(() =>
    sgdMomUpdate(weight, grad, mom, { lr: 1e-3, momentum: 0.9, wd: 1e-4 }),
  );
  results[`adamUpdate_10000x200_f32_ms_${t}`] = time(() =>
    adamUpdate(weight, grad, mean, v, { lr: 1e-3, wd: 1e-4, clipGradient: 1 }),
  );
  results[`lambUpdate_10000x200_f32_ms_${t}`] = time(() => lambUpdate(weight, grad, mean, v, { lr: 1e-3, t: 1, wd: 1e-4 }));
  results[`sgdMomUpdate_10000x200_f16_master_ms_${t}`] = time(() =>
    sgdMomUpdate(half, grad16, mom, { lr: 1e-3, momentum: 0.9, weight32: master }),
  );
}
console.log(JSON.stringify(results, null, 2));
