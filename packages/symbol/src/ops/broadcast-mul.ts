// broadcast_mul: lhs * rhs with broadcasting.

import { defineBinary } from './define-binary.js';

export const { op: broadcastMul, backward: broadcastMulBackward } = defineBinary({
  name: 'broadcast_mul',
  describe: 'Multiplies two arrays with broadcasting.',
  kernel: 'broadcast_mul',
  shape: 'broadcast',
  gradient: { op: '_backward_broadcast_mul', use: 'in', kernel: 'broadcast_mul_backward' },
});
