// MXNet's Xavier (Glorot): scale = sqrt(magnitude / factor), where factor is fan_in, fan_out or
// their mean; fan_in = shape[1]·∏shape[2:], fan_out = shape[0]·∏shape[2:]. Weights are drawn from
// U(-scale, scale) or N(0, scale²). Arrays of fewer than 2 dimensions are rejected.

import { type NDArray, random, ValueError } from '@bkt/ndarray';
import type { InitDesc } from './init-desc.js';
import { assign, drawDType, Initializer, json, kwarg, registerInitializer } from './initializer.js';

export type XavierRndType = 'uniform' | 'gaussian';
export type XavierFactorType = 'avg' | 'in' | 'out';

export interface XavierOptions {
  rndType?: XavierRndType;
  factorType?: XavierFactorType;
  magnitude?: number;
}

export class Xavier extends Initializer {
  readonly rndType: XavierRndType;
  readonly factorType: XavierFactorType;
  readonly magnitude: number;

  constructor(opts: XavierOptions = {}, kind = 'xavier', kwargs?: readonly (readonly [string, string])[]) {
    const rndType = opts.rndType ?? 'uniform';
    const factorType = opts.factorType ?? 'avg';
    const magnitude = opts.magnitude ?? 3;
    if (rndType !== 'uniform' && rndType !== 'gaussian') throw new ValueError(`Xavier: unknown random type '${String(rndType)}'`);
    if (!['avg', 'in', 'out'].includes(factorType)) throw new ValueError(`Xavier: incorrect factor type '${String(factorType)}'`);
    super(
      kind,
      kwargs ?? [
        ['rnd_type', JSON.stringify(rndType)],
        ['factor_type', JSON.stringify(factorType)],
        ['magnitude', json.number(magnitude)],
      ],
    );
    this.rndType = rndType;
    this.factorType = factorType;
    this.magnitude = magnitude;
  }

  /** The bound (uniform) or standard deviation (gaussian) for an array of this shape. */
  scaleFor(shape: readonly number[], name = 'the array'): number {
    if (shape.length < 2)
      throw new ValueError(`Xavier cannot initialize ${name} of shape (${shape.join(', ')}): it needs at least 2 dimensions`);
    const hw = shape.slice(2).reduce((p, d) => p * d, 1);
    const fanIn = shape[1]! * hw;
    const fanOut = shape[0]! * hw;
    const factor = this.factorType === 'avg' ? (fanIn + fanOut) / 2 : this.factorType === 'in' ? fanIn : fanOut;
    return Math.sqrt(this.magnitude / factor);
  }

  initWeight(desc: InitDesc, arr: NDArray): void {
    const scale = this.scaleFor(arr.shape, `'${desc.name}'`);
    const dtype = drawDType(arr);
    assign(
      arr,
      this.rndType === 'uniform'
        ? random.uniform(-scale, scale, arr.shape, { dtype })
        : random.normal(0, scale, arr.shape, { dtype }),
    );
  }
}

registerInitializer(
  ['xavier'],
  (kw) =>
    new Xavier({
      rndType: kwarg(kw, 'rnd_type', 'uniform'),
      factorType: kwarg(kw, 'factor_type', 'avg'),
      magnitude: kwarg(kw, 'magnitude', 3),
    }),
);
