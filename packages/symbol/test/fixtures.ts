// Graphs shared by several test files.
import { Activation, FullyConnected, SoftmaxOutput, type Symbol, Variable } from '../src/index.js';

/** MXNet's canonical two-layer MLP: fc1 (128) → relu1 → fc2 (10) → softmax. */
export function mlp(): Symbol {
  const data = Variable('data');
  let net = FullyConnected({ data, name: 'fc1', numHidden: 128 });
  net = Activation({ data: net, name: 'relu1', actType: 'relu' });
  net = FullyConnected({ data: net, name: 'fc2', numHidden: 10 });
  return SoftmaxOutput({ data: net, name: 'softmax' });
}
