// broadcast_maximum: max(lhs, rhs) with broadcasting.

import { defineBinary } from './define-binary.js';

export const { op: broadcastMaximum, backward: broadcastMaximumBackward } = defineBinary({
  name: 'broadcast_maximum',
  describe: 'Element-wise maximum with broadcasting.',
  kernel: 'broadcast_maximum',
  shape: 'broadcast',
  gradient: { op: '_backward_broadcast_maximum', use: 'in', kernel: 'broadcast_maximum_backward' },
});
