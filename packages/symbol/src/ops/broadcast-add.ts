// broadcast_add: lhs + rhs with broadcasting.

import { defineBinary } from './define-binary.js';

export const { op: broadcastAdd, backward: broadcastAddBackward } = defineBinary({
  name: 'broadcast_add',
  aliases: ['broadcast_plus'],
  describe: 'Adds two arrays with broadcasting.',
  kernel: 'broadcast_add',
  shape: 'broadcast',
  gradient: { op: '_backward_broadcast_add', use: 'none', kernel: 'broadcast_add_backward' },
});
