// MXNet's MSRAPrelu (He et al. for PReLU): gaussian Xavier with magnitude 2 / (1 + slope²).

import { json, kwarg, registerInitializer } from './initializer.js';
import { Xavier, type XavierFactorType } from './xavier.js';

export class MSRAPrelu extends Xavier {
  readonly slope: number;

  constructor(factorType: XavierFactorType = 'avg', slope = 0.25) {
    super({ rndType: 'gaussian', factorType, magnitude: 2 / (1 + slope * slope) }, 'msraprelu', [
      ['factor_type', JSON.stringify(factorType)],
      ['slope', json.float(slope)],
    ]);
    this.slope = slope;
  }
}

registerInitializer(['msraprelu'], (kw) => new MSRAPrelu(kwarg(kw, 'factor_type', 'avg'), kwarg(kw, 'slope', 0.25)));
