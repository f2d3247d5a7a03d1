// broadcast_greater_equal: 1 where lhs >= rhs, else 0, in the inputs' type, with broadcasting. A
// comparison: zero gradient.

import { defineBinary } from './define-binary.js';

export const { op: broadcastGreaterEqual } = defineBinary({
  name: 'broadcast_greater_equal',
  describe: 'Compares two arrays with broadcasting (lhs >= rhs).',
  kernel: 'broadcast_greater_equal',
  shape: 'broadcast',
  gradient: 'zero',
});
