import { BindError, type DType, ShapeError, ValueError, zeros } from '@bkt/ndarray';
import { Convolution, Pooling, type Symbol, Variable } from '@bkt/symbol';
import { describe, expect, it } from 'vitest';

import { checkNumericGradient, Executor } from '../src/index.js';
import { expectAllClose, expectError, makeRng, nd, randomValues, tolerance, values } from '../../ndarray/test/helpers.js';
import { expectNoAllocations, forwardValues, runKernel } from './plan-harness.js';

const DTYPES: DType[] = ['float32', 'float64'];

interface ConvCase {
  name: string;
  data: number[]; // (N, C, W) or (N, C, H, W)
  kernel: number[];
  numFilter: number;
  stride?: number[];
  dilate?: number[];
  pad?: number[];
  numGroup?: number;
  noBias?: boolean;
}

// Plain float64 cross-correlation over (N, C, H, W); a 1-D case is passed as H = 1.
function convRef(x: Float64Array, w: Float64Array, b: Float64Array | null, c: ConvCase): { out: Float64Array; shape: number[] } {
  const twoD = c.data.length === 4;
  const [n, ch] = c.data as [number, number];
  const h = twoD ? c.data[2]! : 1;
  const wd = c.data[c.data.length - 1]!;
  const per = (v: number[] | undefined, d: number): number[] => (v && v.length > 0 ? (twoD ? v : [d, v[0]!]) : [d, d]);
  const [kh, kw] = twoD ? c.kernel : [1, c.kernel[0]!];
  const [sh, sw] = per(c.stride, 1);
  const [dh, dw] = per(c.dilate, 1);
  const [ph, pw] = per(c.pad, 0).map((v, i) => (twoD || i === 1 ? v : 0));
  const g = c.numGroup ?? 1;
  const f = c.numFilter;
  const cg = ch / g;
  const fg = f / g;
  const oh = Math.floor((h + 2 * ph! - dh! * (kh! - 1) - 1) / sh!) + 1;
  const ow = Math.floor((wd + 2 * pw! - dw! * (kw! - 1) - 1) / sw!) + 1;
  const out = new Float64Array(n * f * oh * ow);
  for (let b0 = 0; b0 < n; b0++) {
    for (let fo = 0; fo < f; fo++) {
      const grp = Math.floor(fo / fg);
      for (let y = 0; y < oh; y++) {
        for (let xo = 0; xo < ow; xo++) {
          let s = b ? b[fo]! : 0;
          for (let ci = 0; ci < cg; ci++) {
            for (let i = 0; i < kh!; i++) {
              for (let j = 0; j < kw!; j++) {
                const iy = y * sh! - ph! + i * dh!;
                const ix = xo * sw! - pw! + j * dw!;
                if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                const xv = x[((b0 * ch + grp * cg + ci) * h + iy) * wd + ix]!;
                s += xv * w[((fo * cg + ci) * kh! + i) * kw! + j]!;
              }
            }
          }
          out[((b0 * f + fo) * oh + y) * ow + xo] = s;
        }
      }
    }
  }
  return { out, shape: twoD ? [n, f, oh, ow] : [n, f, ow] };
}

function convSymbol(c: ConvCase): Symbol {
  return Convolution({
    data: Variable('x'),
    weight: Variable('w'),
    ...(c.noBias ? {} : { bias: Variable('b') }),
    name: 'conv',
    kernel: c.kernel,
    numFilter: c.numFilter,
    stride: c.stride ?? [],
    dilate: c.dilate ?? [],
    pad: c.pad ?? [],
    numGroup: c.numGroup ?? 1,
    noBias: c.noBias ?? false,
  });
}

function convLocation(c: ConvCase, rng: () => number): Record<string, Float64Array> {
  const g = c.numGroup ?? 1;
  const size = (s: number[]): number => s.reduce((p, d) => p * d, 1);
  const loc: Record<string, Float64Array> = {
    x: randomValues(rng, size(c.data)),
    w: randomValues(rng, c.numFilter * (c.data[1]! / g) * size(c.kernel)),
  };
  if (!c.noBias) loc.b = randomValues(rng, c.numFilter);
  return loc;
}

function convShapes(c: ConvCase): Record<string, number[]> {
  const shapes: Record<string, number[]> = { x: c.data, w: [c.numFilter, c.data[1]! / (c.numGroup ?? 1), ...c.kernel] };
  if (!c.noBias) shapes.b = [c.numFilter];
  return shapes;
}

const CONV_CASES: ConvCase[] = [
  { name: '3x3, pad 1', data: [2, 3, 6, 5], kernel: [3, 3], numFilter: 4, pad: [1, 1] },
  {
    name: 'strided, dilated, uneven pad',
    data: [2, 2, 9, 8],
    kernel: [3, 2],
    numFilter: 3,
    stride: [2, 3],
    dilate: [2, 1],
    pad: [1, 2],
  },
  { name: 'grouped, no bias', data: [1, 4, 5, 6], kernel: [2, 3], numFilter: 6, numGroup: 2, noBias: true },
  { name: '1x1 (no im2col), grouped', data: [3, 6, 4, 3], kernel: [1, 1], numFilter: 4, numGroup: 2 },
  { name: '1x1 strided', data: [2, 3, 5, 5], kernel: [1, 1], numFilter: 2, stride: [2, 2] },
  { name: '1-D, strided, padded', data: [2, 3, 11], kernel: [3], numFilter: 2, stride: [2], pad: [2], dilate: [2] },
  { name: 'kernel as large as the padded input', data: [1, 2, 3, 4], kernel: [5, 4], numFilter: 2, pad: [1, 0] },
];

describe('Convolution', () => {
  it.each(CONV_CASES)('matches a float64 reference: $name', (c) => {
    const rng = makeRng(11);
    const loc = convLocation(c, rng);
    const want = convRef(loc.x!, loc.w!, loc.b ?? null, c);
    const shapes = convShapes(c);
    for (const dtype of DTYPES) {
      const args = Object.fromEntries(Object.entries(loc).map(([k, v]) => [k, nd(v, shapes[k]!, dtype)]));
      const [out] = forwardValues(convSymbol(c), args);
      expectAllClose(out!, want.out, dtype === 'float64' ? tolerance(dtype) : { rtol: 1e-4, atol: 1e-5 });
      expect(convSymbol(c).inferShape(shapes).outShapes[0]).toEqual(want.shape);
    }
  });

  it.each(CONV_CASES.filter((c) => !c.name.startsWith('1x1 strided')))('passes checkNumericGradient: $name', (c) => {
    const rng = makeRng(12);
    const shapes = convShapes(c);
    const loc = Object.fromEntries(Object.entries(convLocation(c, rng)).map(([k, v]) => [k, nd(v, shapes[k]!, 'float64')]));
    checkNumericGradient(convSymbol(c), loc, { rtol: 1e-5, atol: 1e-8 });
  });

  it('keeps its im2col workspace hidden and allocates nothing per run', () => {
    const c = CONV_CASES[1]!;
    const sym = convSymbol(c);
    expect(sym.listOutputs()).toEqual(['conv_output']);
    const exec = Executor.simpleBind(sym, { shapes: { x: c.data }, dtypes: { x: 'float32' } });
    expect(exec.outputs).toHaveLength(1);
    expect(exec.debugStr()).toContain('convolution_backward');
    expectNoAllocations(exec);
    exec.dispose();
  });

  it('raises typed errors: bind-time shapes, bad attributes, 3-D data, malformed plans', () => {
    const sym = convSymbol({ name: '', data: [], kernel: [3, 3], numFilter: 4 });
    expect(() => Executor.simpleBind(sym, { shapes: { x: [1, 3, 2, 8] } })).toThrow(ShapeError);
    const grouped = convSymbol({ name: '', data: [], kernel: [3, 3], numFilter: 4, numGroup: 2 });
    expect(() => Executor.simpleBind(grouped, { shapes: { x: [1, 3, 8, 8] } })).toThrow(/not a multiple of num_group/);
    const bound = Executor.simpleBind(sym, { shapes: { x: [1, 3, 5, 5] } });
    expect(() => Executor.bind(sym, { args: { ...bound.argDict, w: zeros([4, 2, 3, 3]) } })).toThrow(ShapeError);
    bound.dispose();
    expect(() => Convolution({ data: Variable('x'), kernel: [3, 3], numFilter: 0 })).toThrow(ValueError);

    const conv3d = convSymbol({ name: '', data: [], kernel: [1, 1, 1], numFilter: 2 });
    // Raised at bind, where the kernel declares its GEMM products (the same check as its run).
    expectError(
      () => Executor.simpleBind(conv3d, { shapes: { x: [1, 1, 2, 2, 2] }, gradReq: 'null' }),
      ValueError,
      /Convolution 'conv'.*3-D data \(1, 1, 2, 2, 2\) is not supported/,
    );

    // The native kernel checks what it relies on, whoever built the plan.
    const attrs = [2, 1, 1, 2, 3, 3, 0, 0, 0];
    const x = zeros([1, 1, 4, 4]);
    const w = zeros([2, 1, 3, 3]);
    expectError(
      () => runKernel('convolution', [x, w], [zeros([1, 2, 2, 2]), zeros([8])], attrs),
      ShapeError,
      /Convolution: workspace/,
    );
    expectError(
      () => runKernel('convolution', [x, w], [zeros([1, 2, 3, 2]), zeros([36])], attrs),
      ShapeError,
      /Convolution: output/,
    );
    expectError(
      () => runKernel('convolution', [x, zeros([2, 1, 3, 2])], [zeros([1, 2, 2, 2]), zeros([36])], attrs),
      ShapeError,
      /weight/,
    );
    expectError(
      () => runKernel('convolution', [x, w], [zeros([1, 2, 2, 2]), zeros([36])], [2, 1, 1]),
      BindError,
      /Convolution: the plan gives 3 attributes, the kernel reads more/,
    );
    runKernel('convolution', [x, w], [zeros([1, 2, 2, 2]), zeros([36])], attrs);
    const wrongGrad = [zeros([1, 2, 2, 2]), x, w, zeros([35])];
    expectError(
      () => runKernel('convolution_backward', wrongGrad, [zeros([1, 1, 4, 4]), zeros([2, 1, 3, 3])], attrs),
      ShapeError,
      /_backward_Convolution: workspace/,
    );
  });
});

interface PoolCase {
  name: string;
  data: number[];
  poolType: 'max' | 'avg' | 'sum';
  kernel?: number[];
  stride?: number[];
  pad?: number[];
  poolingConvention?: 'valid' | 'full' | 'same';
  globalPool?: boolean;
  countIncludePad?: boolean;
}

// Plain float64 pooling over (N·C planes, H, W). Window offsets (i, j) that fall in the padded data
// count for avg with count_include_pad; those in the data itself contribute.
function poolRef(x: Float64Array, c: PoolCase, dtype: DType): { out: Float64Array; shape: number[] } {
  const twoD = c.data.length === 4;
  const planes = c.data[0]! * c.data[1]!;
  const h = twoD ? c.data[2]! : 1;
  const w = c.data[c.data.length - 1]!;
  const two = (v: number[] | undefined, d: number, d1: number): number[] =>
    v && v.length > 0 ? (twoD ? v : [d1, v[0]!]) : [d, d];
  const [kh, kw] = c.globalPool ? [h, w] : two(c.kernel, 1, 1);
  const [sh, sw] = c.globalPool ? [1, 1] : two(c.stride, 1, 1);
  const [ph, pw] = c.globalPool ? [0, 0] : two(c.pad, 0, 0);
  const size = (x0: number, k: number, s: number, p: number): number => {
    if (c.globalPool) return 1;
    if (c.poolingConvention === 'same') return Math.ceil((x0 + 2 * p) / s);
    const steps = (x0 + 2 * p - k) / s;
    return 1 + (c.poolingConvention === 'full' ? Math.ceil(steps) : Math.floor(steps));
  };
  const oh = size(h, kh!, sh!, ph!);
  const ow = size(w, kw!, sw!, pw!);
  const lowest = dtype === 'float32' ? -3.4028234663852886e38 : -Number.MAX_VALUE;
  const out = new Float64Array(planes * oh * ow);
  for (let p = 0; p < planes; p++) {
    for (let y = 0; y < oh; y++) {
      for (let xo = 0; xo < ow; xo++) {
        let sum = 0;
        let max = lowest;
        let padded = 0;
        let inside = 0;
        for (let i = 0; i < kh!; i++) {
          for (let j = 0; j < kw!; j++) {
            const iy = y * sh! - ph! + i;
            const ix = xo * sw! - pw! + j;
            if (iy >= -ph! && iy < h + ph! && ix >= -pw! && ix < w + pw!) padded++;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
            inside++;
            const v = x[(p * h + iy) * w + ix]!;
            sum += v;
            max = Math.max(max, v);
          }
        }
        const count = c.countIncludePad === false ? inside : padded;
        out[(p * oh + y) * ow + xo] = c.poolType === 'max' ? max : c.poolType === 'sum' ? sum : count > 0 ? sum / count : 0;
      }
    }
  }
  return { out, shape: twoD ? [c.data[0]!, c.data[1]!, oh, ow] : [c.data[0]!, c.data[1]!, ow] };
}

function poolSymbol(c: PoolCase): Symbol {
  return Pooling({
    data: Variable('x'),
    name: 'pool',
    poolType: c.poolType,
    kernel: c.kernel ?? [],
    stride: c.stride ?? [],
    pad: c.pad ?? [],
    poolingConvention: c.poolingConvention ?? 'valid',
    globalPool: c.globalPool ?? false,
    ...(c.countIncludePad === undefined ? {} : { countIncludePad: c.countIncludePad }),
  });
}

const POOL_CASES: PoolCase[] = [];
for (const poolType of ['max', 'avg', 'sum'] as const) {
  POOL_CASES.push(
    { name: `${poolType} 2x2 stride 2`, data: [2, 3, 6, 5], poolType, kernel: [2, 2], stride: [2, 2] },
    {
      name: `${poolType} 3x3 pad 1 full`,
      data: [1, 2, 7, 6],
      poolType,
      kernel: [3, 3],
      stride: [2, 2],
      pad: [1, 1],
      poolingConvention: 'full',
    },
    {
      name: `${poolType} 3x2 pad 1 stride 3 full`,
      data: [1, 2, 4, 7],
      poolType,
      kernel: [3, 2],
      stride: [3, 3],
      pad: [1, 0],
      poolingConvention: 'full',
    },
    { name: `${poolType} global`, data: [2, 3, 4, 5], poolType, globalPool: true, kernel: [9, 9] },
    { name: `${poolType} 1-D padded`, data: [2, 2, 9], poolType, kernel: [3], stride: [2], pad: [1] },
    { name: `${poolType} 1-D same`, data: [1, 2, 7], poolType, kernel: [3], stride: [2], poolingConvention: 'same' },
  );
}
POOL_CASES.push(
  {
    name: 'avg without the padding in the count',
    data: [1, 2, 5, 5],
    poolType: 'avg',
    kernel: [3, 3],
    stride: [2, 2],
    pad: [1, 1],
    countIncludePad: false,
  },
  {
    name: 'avg full, stride past the kernel, without padding count',
    data: [1, 1, 5, 4],
    poolType: 'avg',
    kernel: [1, 1],
    stride: [3, 2],
    poolingConvention: 'full',
    countIncludePad: false,
  },
  {
    name: 'max with windows wholly in the padding',
    data: [1, 1, 2, 2],
    poolType: 'max',
    kernel: [1, 1],
    stride: [1, 1],
    pad: [1, 1],
  },
);

describe('Pooling', () => {
  it.each(POOL_CASES)('matches a float64 reference: $name', (c) => {
    const rng = makeRng(21);
    const x = randomValues(
      rng,
      c.data.reduce((p, d) => p * d, 1),
    );
    for (const dtype of DTYPES) {
      const want = poolRef(x, c, dtype);
      expect(poolSymbol(c).inferShape({ x: c.data }).outShapes[0]).toEqual(want.shape);
      const [out] = forwardValues(poolSymbol(c), { x: nd(x, c.data, dtype) });
      expectAllClose(out!, want.out, dtype === 'float64' ? tolerance(dtype) : { rtol: 1e-5, atol: 1e-6 });
    }
  });

  it("follows MXNet on a hand-computed 'full' case: windows clipped at the edge average over what they cover", () => {
    const x = nd([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3], 'float64');
    const run = (poolType: 'max' | 'avg' | 'sum'): Float64Array =>
      forwardValues(poolSymbol({ name: '', data: [], poolType, kernel: [2, 2], stride: [2, 2], poolingConvention: 'full' }), {
        x,
      })[0]!;
    expect(Array.from(run('avg'))).toEqual([3, 4.5, 7.5, 9]);
    expect(Array.from(run('max'))).toEqual([5, 6, 8, 9]);
    expect(Array.from(run('sum'))).toEqual([12, 9, 15, 9]);
    const padded = poolSymbol({ name: '', data: [], poolType: 'avg', kernel: [2, 2], pad: [1, 1] });
    expect(Array.from(forwardValues(padded, { x: nd([1, 2, 3, 4], [1, 1, 2, 2], 'float64') })[0]!)).toEqual([
      0.25, 0.75, 0.5, 1, 2.5, 1.5, 0.75, 1.75, 1,
    ]);
  });

  it.each(POOL_CASES.filter((c) => !c.name.includes('wholly')))('passes checkNumericGradient: $name', (c) => {
    const rng = makeRng(22);
    // Distinct values at least 1e-3 apart, so no max window has a tie within the finite-difference step.
    const n = c.data.reduce((p, d) => p * d, 1);
    const perm = Array.from({ length: n }, (_, i) => i).sort(() => rng() - 0.5);
    const x = nd(
      perm.map((v) => v * 1e-2 - 0.3),
      c.data,
      'float64',
    );
    checkNumericGradient(poolSymbol(c), { x }, { rtol: 1e-5, atol: 1e-8 });
  });

  it('sends the max gradient to the first of tied inputs, as MXNet', () => {
    const sym = poolSymbol({ name: '', data: [], poolType: 'max', kernel: [2, 2], stride: [1, 1] });
    const exec = Executor.bind(sym, { args: { x: nd([1, 1, 0, 1], [1, 1, 2, 2], 'float64') } });
    exec.forward({ isTrain: true });
    exec.backward([nd([5], [1, 1, 1, 1], 'float64')]);
    expect(Array.from(values(exec.gradDict.x!))).toEqual([5, 0, 0, 0]);
    exec.dispose();
  });

  it('allocates nothing per run', () => {
    const exec = Executor.simpleBind(poolSymbol(POOL_CASES[1]!), { shapes: { x: [2, 3, 8, 8] } });
    expectNoAllocations(exec);
    exec.dispose();
  });

  it('raises typed errors: bind-time shapes, lp, 3-D data, malformed plans', () => {
    expect(() =>
      Executor.simpleBind(poolSymbol({ name: '', data: [], poolType: 'max', kernel: [5, 5] }), { shapes: { x: [1, 1, 3, 3] } }),
    ).toThrow(ShapeError);
    // A pool type the kernel lacks is refused at bind, naming the node, the attribute and its value.
    const lp = Pooling({ data: Variable('x'), name: 'pool', poolType: 'lp', pValue: 2, kernel: [2, 2] });
    expectError(
      () => Executor.simpleBind(lp, { shapes: { x: [1, 1, 4, 4] }, gradReq: 'null' }),
      BindError,
      /^bind: Pooling 'pool': the Pooling kernel does not support poolType='lp' \(it supports 'max', 'avg', 'sum'\)$/,
    );
    const p3 = Executor.simpleBind(poolSymbol({ name: '', data: [], poolType: 'avg', kernel: [2, 2, 2] }), {
      shapes: { x: [1, 1, 2, 2, 2] },
      gradReq: 'null',
    });
    expectError(() => p3.forward(), ValueError, /3-D data/);
    p3.dispose();
    expect(() => Pooling({ data: Variable('x'), poolType: 'median' as never, kernel: [2, 2] })).toThrow(ValueError);

    const attrs = [0, 0, 0, 1, 2, 2, 2, 0, 0];
    expectError(
      () => runKernel('pooling', [zeros([1, 1, 4, 4])], [zeros([1, 1, 2, 3])], attrs),
      ShapeError,
      /Pooling: output has shape \(1, 1, 2, 3\), expected \(1, 1, 3, 3\)/,
    );
    expectError(
      () => runKernel('pooling', [zeros([1, 1, 4, 4])], [zeros([1, 1, 3, 3])], [9, 0, 0, 1, 0, 0, 0]),
      ValueError,
      /Pooling: unknown pool_type code 9 \(pool_type must be one of 'max', 'avg', 'sum'\)/,
    );
    const x = zeros([1, 1, 4, 4]);
    expectError(
      () => runKernel('pooling_backward', [zeros([1, 1, 3, 3]), x, zeros([1, 1, 3, 3])], [x], attrs),
      ValueError,
      /cannot write the data gradient over data/,
    );
    expectError(
      () => runKernel('pooling_backward', [zeros([1, 1, 3, 3]), x, zeros([1, 1, 2, 3])], [zeros([1, 1, 4, 4])], attrs),
      ShapeError,
      /out_data/,
    );
  });
});
