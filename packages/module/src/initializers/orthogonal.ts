// MXNet's Orthogonal (Saxe et al.): a random (out, in) matrix — out = shape[0], in = the product of
// the other dims — from U(-1, 1) or N(0, 1), replaced by the orthonormal factor of its SVD (U when
// out >= in, Vᵀ otherwise) and multiplied by `scale`. Rows (wide) or columns (tall) come out
// orthogonal with norm `scale`.

import { fromTypedArray, type NDArray, random, ValueError } from '@bkt/ndarray';
import { orthonormalFactor } from '../util/orthonormal.js';
import type { InitDesc } from './init-desc.js';
import { assign, Initializer, json, kwarg, registerInitializer } from './initializer.js';

export type OrthogonalRandType = 'uniform' | 'normal';

export class Orthogonal extends Initializer {
  readonly scale: number;
  readonly randType: OrthogonalRandType;

  constructor(scale = 1.414, randType: OrthogonalRandType = 'uniform') {
    if (randType !== 'uniform' && randType !== 'normal')
      throw new ValueError(`Orthogonal: unknown rand_type '${String(randType)}'`);
    super('orthogonal', [
      ['scale', json.float(scale)],
      ['rand_type', JSON.stringify(randType)],
    ]);
    this.scale = scale;
    this.randType = randType;
  }

  initWeight(desc: InitDesc, arr: NDArray): void {
    if (arr.ndim < 1) throw new ValueError(`Orthogonal cannot initialize the scalar '${desc.name}'`);
    const nout = arr.shape[0]!;
    const nin = arr.shape.slice(1).reduce((p, d) => p * d, 1);
    const draw =
      this.randType === 'uniform'
        ? random.uniform(-1, 1, [nout, nin], { dtype: 'float64' })
        : random.normal(0, 1, [nout, nin], { dtype: 'float64' });
    let tmp: Float64Array;
    try {
      tmp = draw.toTypedArray() as Float64Array;
    } finally {
      draw.dispose();
    }
    const q = orthonormalFactor(tmp, nout, nin);
    for (let i = 0; i < q.length; i++) q[i] = q[i]! * this.scale;
    assign(arr, fromTypedArray(q, arr.shape));
  }
}

registerInitializer(['orthogonal'], (kw) => new Orthogonal(kwarg(kw, 'scale', 1.414), kwarg(kw, 'rand_type', 'uniform')));
