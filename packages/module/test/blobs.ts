// The small classification task shared by the Module tests and the Worker fixture.
import * as nd from '@bkt/ndarray';
import { Activation, FullyConnected, SoftmaxOutput, Variable } from '@bkt/symbol';

export function mlp() {
  let net = FullyConnected({ data: Variable('data'), name: 'fc1', numHidden: 16 });
  net = Activation({ data: net, name: 'relu1', actType: 'relu' });
  net = FullyConnected({ data: net, name: 'fc2', numHidden: 2 });
  return SoftmaxOutput({ data: net, name: 'softmax' });
}

/** Two Gaussian blobs, class = sign of the sum of the features. */
export function dataset(n: number, dim = 4): { x: nd.NDArray; y: nd.NDArray } {
  nd.seed(7);
  const x = nd.random.normal(0, 1, [n, dim]);
  const xs = x.toArray();
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += xs[i * dim + j]!;
    labels.push(s > 0 ? 1 : 0);
  }
  return { x, y: nd.array(labels) };
}
