// argmin: the index of the first minimum along `axis`; argmax's parameters and rules.

import type { OpDef } from '../op-def.js';
import { argmax, type ArgmaxParams } from './argmax.js';

export const argmin: OpDef<ArgmaxParams> = {
  ...argmax,
  name: 'argmin',
  describe: 'Indices of the minimum values along an axis.',
  kernels: { forward: 'argmin' },
};
