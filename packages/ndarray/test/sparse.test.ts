import { describe, expect, it } from 'vitest';

import {
  array,
  CSRNDArray,
  IndexError,
  RowSparseNDArray,
  ShapeError,
  sgdMomUpdate,
  sgdUpdate,
  sparse,
  ValueError,
  zeros,
} from '../src/index.js';
import { makeRng } from './helpers.js';

// A dense (rows, cols) matrix with about `density` of its entries non-zero, as plain numbers.
function randomDense(rng: () => number, rows: number, cols: number, density: number): number[][] {
  return Array.from({ length: rows }, () =>
    Array.from({ length: cols }, () => (rng() < density ? Math.round(rng() * 20 - 10) / 4 || 1 : 0)),
  );
}

function matmul(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0]!.map((_, j) => row.reduce((s, x, k) => s + x * b[k]![j]!, 0)));
}

const transposeOf = (a: number[][]): number[][] => a[0]!.map((_, j) => a.map((r) => r[j]!));

describe('sparse storage', () => {
  it('csrMatrix keeps MXNet parts and densifies exactly', () => {
    const csr = sparse.csrMatrix(
      [
        [1, 2, 3],
        [0, 2, 1],
        [0, 2, 2, 3],
      ],
      [3, 4],
    );
    expect(csr).toBeInstanceOf(CSRNDArray);
    expect(csr.stype).toBe('csr');
    expect(csr.shape).toEqual([3, 4]);
    expect(csr.indices.dtype).toBe('int64');
    expect(csr.indptr.toArray()).toEqual([0, 2, 2, 3]);
    expect(csr.toArray()).toEqual([1, 0, 2, 0, 0, 0, 0, 0, 0, 3, 0, 0]);
    expect(csr.tostype('default').stype).toBe('default');
  });

  it('dense -> csr -> dense and dense -> row_sparse -> dense round trip', () => {
    const rng = makeRng(3);
    const m = randomDense(rng, 7, 9, 0.3);
    m[2] = new Array<number>(9).fill(0);
    const dense = array(m);
    const csr = dense.tostype('csr') as CSRNDArray;
    expect(csr.data.size).toBe(m.flat().filter((x) => x !== 0).length);
    expect(csr.toArray()).toEqual(m.flat());
    const rsp = dense.tostype('row_sparse') as RowSparseNDArray;
    expect(rsp).toBeInstanceOf(RowSparseNDArray);
    expect(rsp.indices.toArray()).toEqual(m.flatMap((r, i) => (r.some((x) => x !== 0) ? [i] : [])));
    expect(rsp.toArray()).toEqual(m.flat());
  });

  it('rejects malformed csr and row_sparse parts with typed errors', () => {
    expect(() => sparse.csrMatrix([[1], [5], [0, 1]], [1, 4])).toThrow(IndexError);
    expect(() =>
      sparse.csrMatrix(
        [
          [1, 2],
          [2, 1],
          [0, 2],
        ],
        [1, 4],
      ),
    ).toThrow(IndexError);
    expect(() => sparse.csrMatrix([[1], [0], [0, 1, 1]], [1, 4])).toThrow(ShapeError);
    expect(() => sparse.rowSparseArray([[1, 2], [3]], [3, 2])).toThrow(IndexError);
    expect(() =>
      sparse.rowSparseArray(
        [
          [1, 2],
          [1, 0],
        ],
        [3, 1],
      ),
    ).toThrow(IndexError);
  });

  it('a dense-only op given a sparse array raises ValueError naming the storage type', () => {
    const csr = sparse.zeros('csr', [2, 3]);
    expect(() => csr.handle).toThrow(/csr array \(2, 3\)/);
    expect(() => csr.reshape([3, 2])).toThrow(ValueError);
  });

  it('zeros of each storage type store nothing', () => {
    const csr = sparse.zeros('csr', [4, 5]) as CSRNDArray;
    expect(csr.data.size).toBe(0);
    expect(csr.toArray()).toEqual(new Array<number>(20).fill(0));
    const rsp = sparse.zeros('row_sparse', [4, 2]) as RowSparseNDArray;
    expect(rsp.indices.size).toBe(0);
    expect(rsp.data.shape).toEqual([0, 2]);
  });

  it('slice of a csr matrix takes rows with a rebased indptr', () => {
    const rng = makeRng(5);
    const m = randomDense(rng, 6, 5, 0.4);
    const csr = array(m).tostype('csr') as CSRNDArray;
    const part = csr.slice(2, 5);
    expect(part.shape).toEqual([3, 5]);
    expect(part.indptr.toArray()[0]).toBe(0);
    expect(part.toArray()).toEqual(m.slice(2, 5).flat());
  });

  it('copyTo across storage types keeps the target type', () => {
    const dense = array([
      [0, 0],
      [1, 2],
      [0, 0],
    ]);
    const rsp = sparse.zeros('row_sparse', [3, 2]) as RowSparseNDArray;
    dense.copyTo(rsp);
    expect(rsp.stype).toBe('row_sparse');
    expect(rsp.indices.toArray()).toEqual([1]);
    const back = zeros([3, 2]);
    rsp.copyTo(back);
    expect(back.toArray()).toEqual([0, 0, 1, 2, 0, 0]);
    expect(() => dense.copyTo(sparse.zeros('row_sparse', [2, 2]))).toThrow(ShapeError);
  });

  it('assignAllRows stores every row, zero rows included', () => {
    const rsp = sparse.zeros('row_sparse', [3, 2]) as RowSparseNDArray;
    sparse.assignAllRows(
      rsp,
      array([
        [0, 0],
        [1, 2],
        [0, 0],
      ]),
    );
    expect(rsp.indices.toArray()).toEqual([0, 1, 2]);
  });

  it('dot(csr, dense) and dot(csr.T, dense) match a dense reference; the latter is row_sparse over the used columns', () => {
    const rng = makeRng(9);
    const a = randomDense(rng, 5, 8, 0.25);
    for (const r of a) r[3] = 0;
    const b = Array.from({ length: 8 }, () => [rng() - 0.5, rng() - 0.5]);
    const c = Array.from({ length: 5 }, () => [rng() - 0.5, rng() - 0.5, rng()]);
    const csr = array(a).tostype('csr') as CSRNDArray;
    const out = sparse.dot(csr, array(b));
    const want = matmul(a, b).flat();
    out.toArray().forEach((x, i) => expect(x).toBeCloseTo(want[i]!, 5));
    const outT = sparse.dot(csr, array(c), { transposeA: true }) as RowSparseNDArray;
    expect(outT.stype).toBe('row_sparse');
    expect(outT.shape).toEqual([8, 3]);
    const used = [...new Set(a.flatMap((r) => r.flatMap((x, j) => (x !== 0 ? [j] : []))))].sort((x, y) => x - y);
    expect(outT.indices.toArray()).toEqual(used);
    expect(used).not.toContain(3);
    const wantT = matmul(transposeOf(a), c).flat();
    outT.toArray().forEach((x, i) => expect(x).toBeCloseTo(wantT[i]!, 5));
    expect(() => sparse.dot(csr, array([[1, 2]]))).toThrow(ShapeError);
  });

  it('sgd updates with a row_sparse gradient are lazy: only the stored rows change', () => {
    const w0 = [
      [1, 2],
      [3, 4],
      [5, 6],
    ];
    const grad = sparse.rowSparseArray([[[0.5, -8]].flat(), [1]], [3, 2]);
    const weight = array(w0);
    const mom = array([
      [1, 1],
      [1, 1],
      [1, 1],
    ]);
    sgdMomUpdate(weight, grad, mom, { lr: 0.1, momentum: 0.9, wd: 0.01, rescaleGrad: 2, clipGradient: 5 });
    // Row 1: r = clip(2·g) = (1, -5); mom = 0.9 - 0.01·w - r; w += 0.1·mom.
    const m1 = [0.9 - 0.03 - 1, 0.9 - 0.04 + 5];
    expect(mom.toArray()).toEqual([1, 1, expect.closeTo(m1[0]!, 6), expect.closeTo(m1[1]!, 6), 1, 1]);
    expect(weight.toArray()).toEqual([1, 2, expect.closeTo(3 + 0.1 * m1[0]!, 6), expect.closeTo(4 + 0.1 * m1[1]!, 6), 5, 6]);
    const dense = array(w0);
    sgdUpdate(dense, grad, { lr: 0.5, wd: 0.1, lazyUpdate: false });
    expect(dense.toArray()).toEqual(
      [0.95, 1.9, expect.closeTo(0.95 * 3 - 0.25, 6), expect.closeTo(0.95 * 4 + 4, 6), 4.75, 5.7].map((x) =>
        typeof x === 'number' ? expect.closeTo(x, 6) : x,
      ),
    );
  });
});
