// broadcast_not_equal: 1 where lhs != rhs, else 0, in the inputs' type, with broadcasting. A
// comparison: zero gradient.

import { defineBinary } from './define-binary.js';

export const { op: broadcastNotEqual } = defineBinary({
  name: 'broadcast_not_equal',
  describe: 'Compares two arrays with broadcasting (lhs != rhs).',
  kernel: 'broadcast_not_equal',
  shape: 'broadcast',
  gradient: 'zero',
});
