// broadcast_greater: 1 where lhs > rhs, else 0, in the inputs' type, with broadcasting. A
// comparison: zero gradient.

import { defineBinary } from './define-binary.js';

export const { op: broadcastGreater } = defineBinary({
  name: 'broadcast_greater',
  describe: 'Compares two arrays with broadcasting (lhs > rhs).',
  kernel: 'broadcast_greater',
  shape: 'broadcast',
  gradient: 'zero',
});
