// A parameter may be named like an Object.prototype member: every name-keyed lookup must read own keys only,
// and `__proto__` must stay a key (a plain object's setter would swallow it, or make an array its prototype).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as nd from '@bkt/ndarray';
import { type NDArray, ValueError } from '@bkt/ndarray';
import { FullyConnected, SoftmaxOutput, Variable } from '@bkt/symbol';
import { afterAll, describe, expect, it } from 'vitest';
import { InitDesc, Initializer, Module, NDArrayIter, Uniform } from '../src/index.js';
import { dataset } from './blobs.js';

const tmp = mkdtempSync(join(tmpdir(), 'bkt-proto-names-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const quiet = (): void => {};

function net(weightName: string) {
  const weight = Variable(weightName, { init: new Uniform(0.3) });
  return SoftmaxOutput({ data: FullyConnected({ data: Variable('data'), weight, numHidden: 3, name: 'fc' }), name: 'softmax' });
}

function trained(weightName: string): Module {
  const { x, y } = dataset(60);
  const mod = new Module(net(weightName), { logger: quiet });
  nd.seed(5);
  mod.fit(new NDArrayIter(x, y, { batchSize: 20 }), { numEpoch: 2, optimizerParams: { learningRate: 0.3, momentum: 0.9 } });
  return mod;
}

describe('parameters named like Object.prototype members', () => {
  const reference = trained('fc_weight').getParams()[0];

  for (const name of ['__proto__', 'toString', 'constructor', 'hasOwnProperty', 'valueOf']) {
    it(`'${name}' trains, saves and loads like any other name`, () => {
      const mod = trained(name);
      const [args] = mod.getParams();
      expect(Object.keys(args).sort()).toEqual([name, 'fc_bias'].sort());
      expect(Object.hasOwn(args, name)).toBe(true);
      expect(Object.getPrototypeOf(args)).not.toBeInstanceOf(nd.NDArray);
      // The same seed and data give the same training whatever the weight is called.
      expect(args[name]!.toArray()).toEqual(reference.fc_weight!.toArray());
      expect(args.fc_bias!.toArray()).toEqual(reference.fc_bias!.toArray());

      const prefix = join(tmp, name.replace(/_/g, 'u'));
      mod.saveCheckpoint(prefix, 1);
      const loaded = Module.load(prefix, 1, { logger: quiet });
      loaded.bind([['data', [20, 4]]], [['softmax_label', [20]]]);
      loaded.initParams();
      expect(loaded.getParams()[0][name]!.toArray()).toEqual(args[name]!.toArray());

      const again = new Module(net(name), { logger: quiet });
      again.bind([['data', [20, 4]]], [['softmax_label', [20]]]);
      again.loadParams(`${prefix}-0001.params`);
      expect(again.getParams()[0][name]!.toArray()).toEqual(args[name]!.toArray());
    });

    it(`'${name}' missing from given parameters is missing, not inherited`, () => {
      const mod = new Module(net(name), { logger: quiet });
      mod.bind([['data', [4, 4]]], [['softmax_label', [4]]]);
      const bias = nd.zeros([3]);
      expect(() => mod.initParams({ argParams: { fc_bias: bias } })).toThrow(ValueError);
      expect(() => mod.initParams({ argParams: { fc_bias: bias } })).toThrow(`'${name}'`);
      mod.initParams({ argParams: { fc_bias: bias }, allowMissing: true });
      expect(mod.getParams()[0][name]!.shape).toEqual([3, 4]);
    });

    it(`'${name}' without attributes gives the initializer an empty attribute record`, () => {
      const seen = new Map<string, unknown>();
      class Recording extends Initializer {
        constructor() {
          super('recording');
        }
        override init(desc: InitDesc | string, arr: NDArray): void {
          if (typeof desc !== 'string') seen.set(desc.name, desc.attrs);
          arr.fill(0.5);
        }
        initWeight(): void {}
      }
      const bare = SoftmaxOutput({
        data: FullyConnected({ data: Variable('data'), weight: Variable(name), numHidden: 3, name: 'fc' }),
        name: 'softmax',
      });
      const mod = new Module(bare, { logger: quiet });
      mod.bind([['data', [4, 4]]], [['softmax_label', [4]]]);
      mod.initParams({ initializer: new Recording() });
      expect(seen.get(name)).toEqual({});
      expect(typeof seen.get(name)).toBe('object');
      expect(mod.getParams()[0][name]!.toArray().flat()).toEqual(new Array(12).fill(0.5));
    });
  }
});
