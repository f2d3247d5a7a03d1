// The GEMM backend switch and the threading arrangement: one OpenMP team (oneDNN's, passive) for the
// large products and a single-threaded OpenBLAS unless OpenBLAS is forced. The executor's
// gemm-backends test checks every GEMM-backed op's values under each backend.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, describe, expect, it } from 'vitest';

import * as nd from '../src/index.js';
import { native } from '../src/native.js';
import { expectAllClose, expectError, makeRng, randomValues } from './helpers.js';

const blas = native;
const initial = { backend: nd.getGemmBackend(), precision: nd.getGemmPrecision() };
afterAll(() => {
  nd.setGemmBackend(initial.backend);
  nd.setGemmPrecision(initial.precision);
});

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Runs `code` (with `nd` imported) in a fresh node process with extra environment variables; returns
 * stdout + stderr. Loading the addon here set OMP_WAIT_POLICY in this process, so it is not inherited,
 * nor is a GOMP_SPINCOUNT of the caller's (it would override the policy's spin count).
 */
function child(code: string, env: Record<string, string>): string {
  const script = `import * as nd from ${JSON.stringify(join(here, '..', 'src', 'index.ts'))};\n${code}`;
  const { OMP_WAIT_POLICY: _ours, GOMP_SPINCOUNT: _spin, ...inherited } = process.env;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { ...inherited, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return `${r.stdout}${r.stderr}`;
}

describe('setGemmBackend', () => {
  it('rejects unknown backends and precisions with a ValueError', () => {
    expectError(() => nd.setGemmBackend('mkl' as nd.GemmBackend), nd.ValueError, /setGemmBackend.*mkl/);
    expectError(() => nd.setGemmPrecision('float16' as nd.GemmPrecision), nd.ValueError, /setGemmPrecision.*float16/);
  });

  it('gives the same products on both backends, with transposes, and records the library of each shape', () => {
    const rng = makeRng(3);
    const a = nd.fromTypedArray(Float32Array.from(randomValues(rng, 70 * 90)), [70, 90]);
    const b = nd.fromTypedArray(Float32Array.from(randomValues(rng, 50 * 90)), [50, 90]);
    nd.setGemmBackend('openblas');
    const ref = nd.dot(a, b, { transposeB: true }).toArray();
    expect(nd.gemmChoices()).toEqual([
      {
        m: 70,
        n: 50,
        k: 90,
        transposeA: false,
        transposeB: true,
        lda: 90,
        ldb: 90,
        ldc: 50,
        alpha: 1,
        beta: 0,
        backend: 'openblas',
        precision: 'float32',
        bias: false,
        weight: false,
        bfloat16Arrays: false,
        calls: 1,
        seconds: expect.any(Number),
        flops: 2 * 70 * 50 * 90,
      },
    ]);
    nd.dot(a, b, { transposeB: true }).dispose();
    const [again] = nd.gemmChoices();
    expect(again?.calls).toBe(2);
    expect(again?.seconds).toBeGreaterThan(0);
    expect(again?.flops).toBe(2 * 2 * 70 * 50 * 90);
    nd.setGemmBackend('onednn');
    expectAllClose(nd.dot(a, b, { transposeB: true }).toArray(), ref, { rtol: 1e-5, atol: 1e-5 });
    expect(nd.gemmChoices().map((c) => c.backend)).toEqual(['onednn']);
  });

  it('runs OpenBLAS on one thread unless it is forced, and on the pool size when it is', () => {
    nd.setGemmBackend('auto');
    expect(blas.blasNumThreads()).toBe(1);
    nd.setGemmBackend('openblas');
    expect(blas.blasNumThreads()).toBe(nd.getNumThreads());
    nd.setGemmBackend('auto');
  });
});

describe('the environment', () => {
  it('BKT_GEMM_BACKEND and BKT_GEMM_PRECISION set the initial policy; an unknown one raises a ValueError naming it', () => {
    expect(child('console.log(nd.getGemmBackend());', { BKT_GEMM_BACKEND: 'onednn' })).toContain('onednn');
    expect(child('console.log(nd.getGemmPrecision());', { BKT_GEMM_PRECISION: 'bfloat16' })).toContain('bfloat16');
    const bad = child('try { nd.getGemmBackend(); } catch (e) { console.log(e.name, e.message); }', { BKT_GEMM_BACKEND: 'cuda' });
    expect(bad).toMatch(/ValueError BKT_GEMM_BACKEND.*'cuda'/);
  });

  // libgomp prints OMP_WAIT_POLICY = 'PASSIVE' even when the variable is unset (its default then spins
  // for 300000 pauses), so the spin count it settled on is what tells the policies apart.
  it('loads libgomp with a short spin before its workers sleep, unless the user chose a policy or a spin', () => {
    const show = { OMP_DISPLAY_ENV: 'verbose' };
    const ours = child('', show);
    expect(ours).toMatch(/OMP_WAIT_POLICY = 'PASSIVE'/);
    expect(ours).toMatch(/GOMP_SPINCOUNT = '3000'/);
    expect(child('', { ...show, OMP_WAIT_POLICY: 'passive' })).toMatch(/GOMP_SPINCOUNT = '0'/);
    expect(child('', { ...show, GOMP_SPINCOUNT: '50' })).toMatch(/GOMP_SPINCOUNT = '50'/);
    const active = child('', { ...show, OMP_WAIT_POLICY: 'active' });
    expect(active).toMatch(/OMP_WAIT_POLICY = 'ACTIVE'/);
    expect(active).not.toMatch(/GOMP_SPINCOUNT = '(0|3000)'/);
  });

  // bkt's pool polls for GOMP_SPINCOUNT pauses before its workers sleep: with none, the longest
  // allowed, libgomp's suffixed and unbounded forms and a count it must ignore, many back-to-back
  // parallel jobs give the same sums and end.
  it("bkt's pool gives the same results whatever GOMP_SPINCOUNT its workers poll for", () => {
    const jobs = `
      const x = nd.array(Float32Array.from({ length: 1 << 20 }, (_, i) => (i % 97) - 48));
      let total = 0;
      for (let i = 0; i < 300; i++) total += nd.sum(nd.exp(nd.multiply(x, 1e-3))).toArray()[0];
      console.log('total', total.toFixed(1));`;
    // (libgomp warns about the junk on stderr)
    const totals = ['0', '1000000', '3k', 'infinite', 'junk'].map(
      (spin) => /^total \d+\.\d$/m.exec(child(jobs, { GOMP_SPINCOUNT: spin }))?.[0],
    );
    expect(totals[0]).toBeDefined();
    expect(new Set(totals).size).toBe(1);
  });
});
