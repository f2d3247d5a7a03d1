// _power: lhs ^ rhs, same shapes (`_Power` is Symbol `**`).

import { defineBinary } from './define-binary.js';

export const { op: power, backward: powerBackward } = defineBinary({
  name: '_power',
  aliases: ['_Power'],
  describe: 'Raises lhs to the powers in rhs element-wise (same shapes).',
  kernel: 'power',
  shape: 'elemwise',
  gradient: { op: '_backward_power', use: 'in', kernel: 'power_backward' },
});
