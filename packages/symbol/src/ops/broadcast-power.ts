// broadcast_power: lhs ^ rhs with broadcasting.

import { defineBinary } from './define-binary.js';

export const { op: broadcastPower, backward: broadcastPowerBackward } = defineBinary({
  name: 'broadcast_power',
  describe: 'Raises lhs to the powers in rhs with broadcasting.',
  kernel: 'broadcast_power',
  shape: 'broadcast',
  gradient: { op: '_backward_broadcast_power', use: 'in', kernel: 'broadcast_power_backward' },
});
