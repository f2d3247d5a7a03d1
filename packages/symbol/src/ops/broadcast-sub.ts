// broadcast_sub: lhs - rhs with broadcasting.

import { defineBinary } from './define-binary.js';

export const { op: broadcastSub, backward: broadcastSubBackward } = defineBinary({
  name: 'broadcast_sub',
  aliases: ['broadcast_minus'],
  describe: 'Subtracts two arrays with broadcasting.',
  kernel: 'broadcast_sub',
  shape: 'broadcast',
  gradient: { op: '_backward_broadcast_sub', use: 'none', kernel: 'broadcast_sub_backward' },
});
