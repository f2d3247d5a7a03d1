// broadcast_div: lhs / rhs with broadcasting.

import { defineBinary } from './define-binary.js';

export const { op: broadcastDiv, backward: broadcastDivBackward } = defineBinary({
  name: 'broadcast_div',
  describe: 'Divides two arrays with broadcasting.',
  kernel: 'broadcast_div',
  shape: 'broadcast',
  gradient: { op: '_backward_broadcast_div', use: 'in', kernel: 'broadcast_div_backward' },
});
