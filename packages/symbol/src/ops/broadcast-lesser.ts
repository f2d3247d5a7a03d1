// broadcast_lesser: 1 where lhs < rhs, else 0, in the inputs' type, with broadcasting. A
// comparison: zero gradient.

import { defineBinary } from './define-binary.js';

export const { op: broadcastLesser } = defineBinary({
  name: 'broadcast_lesser',
  describe: 'Compares two arrays with broadcasting (lhs < rhs).',
  kernel: 'broadcast_lesser',
  shape: 'broadcast',
  gradient: 'zero',
});
