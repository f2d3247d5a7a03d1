// broadcast_minimum: min(lhs, rhs) with broadcasting.

import { defineBinary } from './define-binary.js';

export const { op: broadcastMinimum, backward: broadcastMinimumBackward } = defineBinary({
  name: 'broadcast_minimum',
  describe: 'Element-wise minimum with broadcasting.',
  kernel: 'broadcast_minimum',
  shape: 'broadcast',
  gradient: { op: '_backward_broadcast_minimum', use: 'in', kernel: 'broadcast_minimum_backward' },
});
