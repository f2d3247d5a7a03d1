import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { cpu, DTypeError, FormatError, NativeError, ShapeError, StateError, ValueError, zeros } from '@bkt/ndarray';
import { create as createOptimizer } from '@bkt/optimizer';
import { afterAll, describe, expect, it } from 'vitest';

import { expectError, values } from '../../ndarray/test/helpers.js';
import { create, type KVStore } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'bkt-kvstore-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TYPES = ['local', 'device'] as const;

function storeWith(type: string, keys: Array<number | string>, shape: number[] = [2, 3]): KVStore {
  const kv = create(type);
  kv.init(
    keys,
    keys.map(() => zeros(shape)),
  );
  return kv;
}

// Any cast needed to pass what the types forbid, as untyped JS callers can.
const loose = <T>(x: unknown): T => x as T;

describe('create errors', () => {
  it('an unknown type is a ValueError listing the known types', () => {
    expectError(
      () => create('foo'),
      ValueError,
      /create: unknown kvstore type 'foo'; known types: device, dist, dist_async, dist_device_sync, dist_sync, local/,
    );
    expectError(() => create(''), ValueError, /create: unknown kvstore type ''/);
    expectError(() => create(loose(3)), ValueError, /create: the store type must be a string/);
  });

  it('types without a store in this build are a ValueError, listing the known types', () => {
    for (const name of ['dist_device_async', 'nccl', 'horovod']) {
      expectError(
        () => create(name),
        ValueError,
        new RegExp(
          `create: kvstore type '${name}' is not available.*known types: device, dist, dist_async, dist_device_sync, dist_sync, local`,
        ),
      );
    }
  });
});

describe.each(TYPES)("'%s' store errors", (type) => {
  it('pushing or pulling an uninitialised key is a StateError naming the key', () => {
    const kv = storeWith(type, [0]);
    expectError(() => kv.push(5, zeros([2, 3])), StateError, /push: key 5 has not been initialised \(call init first\)/);
    expectError(() => kv.pull(5, zeros([2, 3])), StateError, /pull: key 5 has not been initialised/);
    expectError(
      () => kv.pushPull([0, 6], [zeros([2, 3]), zeros([2, 3])]),
      StateError,
      /pushPull: key 6 has not been initialised/,
    );
    const named = storeWith(type, ['w']);
    expectError(() => named.push('b', zeros([2, 3])), StateError, /push: key 'b' has not been initialised/);
  });

  it('initialising a key twice is a ValueError naming the key', () => {
    const kv = storeWith(type, [1]);
    expectError(() => kv.init(1, zeros([2, 3])), ValueError, /init: duplicate init of key 1/);
    expectError(() => kv.init([2, 2], [zeros([1]), zeros([1])]), ValueError, /init: duplicate init of key 2/);
    expectError(() => kv.init(3, [zeros([1]), zeros([1])]), ValueError, /init: key 3 got 2 values; init takes one array per key/);
    // Nothing of a failed call is kept: key 2 can still be initialised.
    kv.init(2, zeros([1]));
  });

  it('a shape mismatch on push is a ShapeError naming the key and both shapes', () => {
    const kv = storeWith(type, [4, 1]);
    expectError(
      () => kv.push(4, zeros([3, 2])),
      ShapeError,
      /push: the value for key 4 has shape \(3, 2\) but the key was initialised with shape \(2, 3\)/,
    );
    expectError(
      () => kv.push(4, [zeros([2, 3]), zeros([6], { ctx: cpu(1) })]),
      ShapeError,
      /push: value 1 \(cpu\(1\)\) for key 4 has shape \(6,\) but the key was initialised with shape \(2, 3\)/,
    );
    const named = storeWith(type, ['fc_weight'], [4]);
    expectError(
      () => named.pushPull('fc_weight', zeros([5])),
      ShapeError,
      /pushPull: the value for key 'fc_weight' has shape \(5,\) but the key was initialised with shape \(4,\)/,
    );
  });

  it('a pull into an out of another shape is a ShapeError naming the key', () => {
    const kv = storeWith(type, [4]);
    expectError(
      () => kv.pull(4, [zeros([2, 3]), zeros([3, 2])]),
      ShapeError,
      /pull: out 1 \(cpu\(0\)\) for key 4 has shape \(3, 2\) but the key holds shape \(2, 3\)/,
    );
    expectError(() => kv.pushPull(4, zeros([2, 3]), zeros([1])), ShapeError, /pushPull: the out for key 4 has shape \(1,\)/);
  });

  it('a dtype mismatch on push is a DTypeError naming the key', () => {
    const kv = storeWith(type, [0]);
    expectError(
      () => kv.push(0, zeros([2, 3], { dtype: 'float64' })),
      DTypeError,
      /push: the value for key 0 is float64 but the key was initialised as float32/,
    );
  });

  it('a failed call changes nothing (every key is checked before any is pushed)', () => {
    const kv = storeWith(type, [0, 1]);
    expectError(() => kv.push([0, 1], [zeros([2, 3]).fill(5), zeros([9])]), ShapeError, /key 1/);
    expectError(
      () => kv.pushPull([0, 1], [zeros([2, 3]).fill(5), zeros([2, 3])], [zeros([2, 3]), zeros([1])]),
      ShapeError,
      /key 1/,
    );
    const out = zeros([2, 3]).fill(7);
    kv.pull(0, out);
    expect(Array.from(values(out))).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('mixing integer and string keys is a ValueError, within a call and across calls', () => {
    const fresh = create(type);
    expectError(
      () => fresh.init([1, 'w'], [zeros([1]), zeros([1])]),
      ValueError,
      /init: the keys mix integers and strings \(1 and 'w'\)/,
    );
    const ints = storeWith(type, [0]);
    expectError(() => ints.init('w', zeros([1])), ValueError, /init: key 'w' is a string but this store uses integer keys/);
    expectError(() => ints.push('w', zeros([1])), ValueError, /push: key 'w' is a string but this store uses integer keys/);
    const strs = storeWith(type, ['w']);
    expectError(() => strs.pull(0, zeros([2, 3])), ValueError, /pull: key 0 is an integer but this store uses string keys/);
  });

  it('malformed keys and values are ValueErrors', () => {
    const kv = storeWith(type, [0]);
    expectError(
      () => kv.push(loose(1.5), zeros([2, 3])),
      ValueError,
      /push: a key must be a 32-bit integer or a string, got 1.5/,
    );
    expectError(() => kv.push(loose(2 ** 31), zeros([2, 3])), ValueError, /push: a key must be a 32-bit integer/);
    expectError(() => kv.init(loose(null), zeros([1])), ValueError, /init: a key must be .* got null/);
    expectError(
      () => kv.push([0, 1], [zeros([2, 3])]),
      ValueError,
      /push: 2 keys need a list of 2 values \(one per key\), got 1 values/,
    );
    expectError(() => kv.pull([0], loose(zeros([2, 3]))), ValueError, /pull: 1 keys need a list of 1 outs/);
    expectError(
      () => kv.push(0, loose([1, 2])),
      ValueError,
      /push: the value for key 0 must be an NDArray or a non-empty list of NDArrays, got a list/,
    );
    expectError(() => kv.push(0, []), ValueError, /push: the value for key 0 must be .*non-empty/);
    expectError(() => kv.push(0, zeros([2, 3]), 0.5), ValueError, /push: priority must be an integer, got 0.5/);
    expectError(() => kv.pull(0, zeros([2, 3]), 0, loose('yes')), ValueError, /pull: ignoreSparse must be a boolean/);
  });

  it('disposed arrays are a StateError naming the key', () => {
    const kv = storeWith(type, [0]);
    const gone = zeros([2, 3]);
    gone.dispose();
    expectError(() => kv.push(0, gone), StateError, /push: the value for key 0 was disposed/);
    expectError(() => kv.pull(0, [zeros([2, 3]), gone]), StateError, /pull: the out for key 0 was disposed/);
    expectError(() => create(type).init(9, gone), StateError, /init: the value for key 9 was disposed/);
  });

  it('setOptimizer / setUpdater reject other arguments; isCapable rejects unknown capabilities', () => {
    const kv = create(type);
    expectError(() => kv.setOptimizer(loose({ update() {} })), ValueError, /setOptimizer: expected an Optimizer/);
    expectError(() => kv.setUpdater(loose('sgd')), ValueError, /setUpdater: the updater must be a function/);
    expectError(() => kv.isCapable('sparse'), ValueError, /isCapable: unknown capability 'sparse'/);
  });

  it('an updater error reaches the caller with the key named by the optimizer', () => {
    const half = create(type);
    half.setOptimizer(createOptimizer('sgd', {}));
    half.init('h', zeros([3], { dtype: 'float16' }));
    expectError(() => half.push('h', zeros([3], { dtype: 'float16' })), DTypeError, /sgd: index 'h' has a float16 weight/);
  });

  it('optimizer states need an optimizer: StateError without one or with a setUpdater function', () => {
    const kv = create(type);
    expectError(
      () => kv.saveOptimizerStates(join(dir, 'none.states')),
      StateError,
      new RegExp(`saveOptimizerStates: the ${type} store has no optimizer; call setOptimizer first`),
    );
    kv.setUpdater(() => {});
    expectError(
      () => kv.loadOptimizerStates(join(dir, 'none.states')),
      StateError,
      /loadOptimizerStates: the .* store has no optimizer/,
    );
  });

  it('state files: a missing file or directory is a NativeError, malformed or foreign states a FormatError', () => {
    const kv = create(type);
    kv.setOptimizer(createOptimizer('adam', {}));
    expectError(
      () => kv.loadOptimizerStates(join(dir, 'missing.states')),
      NativeError,
      /loadOptimizerStates: cannot read '.*missing.states'/,
    );
    const sub = mkdtempSync(join(dir, 'w-'));
    expectError(
      () => kv.saveOptimizerStates(join(sub, 'no', 'such', 'dir.states')),
      NativeError,
      /saveOptimizerStates: cannot write/,
    );
    expect(readdirSync(sub)).toEqual([]);
    writeFileSync(join(dir, 'junk.states'), 'not a state file');
    expectError(() => kv.loadOptimizerStates(join(dir, 'junk.states')), FormatError, /setStates/);
    const sgd = create(type);
    sgd.setOptimizer(createOptimizer('sgd', { momentum: 0.9 }));
    sgd.saveOptimizerStates(join(dir, 'sgd.states'));
    expectError(
      () => kv.loadOptimizerStates(join(dir, 'sgd.states')),
      FormatError,
      /saved by optimizer 'sgd', this updater runs 'adam'/,
    );
    expectError(
      () => kv.saveOptimizerStates(join(dir, 'x.states'), loose(1)),
      ValueError,
      /saveOptimizerStates: dumpOptimizer must be a boolean/,
    );
  });

  it('a disposed store is a StateError naming the operation', () => {
    const kv = storeWith(type, [0]);
    kv.dispose();
    expectError(() => kv.push(0, zeros([2, 3])), StateError, new RegExp(`push: the ${type} store was disposed`));
    expectError(() => kv.init(1, zeros([1])), StateError, /init: .* was disposed/);
    expectError(() => kv.setOptimizer(createOptimizer('sgd', {})), StateError, /setOptimizer: .* was disposed/);
    expectError(() => kv.barrier(), StateError, /barrier: .* was disposed/);
  });
});

describe('gradient compression errors', () => {
  it("'local' rejects compression with a ValueError naming the store type, as MXNet does", () => {
    expectError(
      () => create('local').setGradientCompression({ type: '2bit', threshold: 0.5 }),
      ValueError,
      /setGradientCompression: gradient compression is not supported by the 'local' store .*create\('device'\)/,
    );
    expectError(
      () => create('local_allreduce_cpu').setGradientCompression({ type: '2bit' }),
      ValueError,
      /by the 'local_allreduce_cpu' store/,
    );
  });

  it("'device' validates the parameters", () => {
    const kv = create('device');
    expectError(
      () => kv.setGradientCompression(loose({ type: '1bit' })),
      ValueError,
      /setGradientCompression: unknown compression type "1bit"; supported types: 2bit/,
    );
    expectError(() => kv.setGradientCompression(loose({})), ValueError, /unknown compression type undefined/);
    for (const threshold of [0, -0.5, Number.NaN, Number.POSITIVE_INFINITY, 1e-50, loose<number>('0.5')]) {
      expectError(
        () => kv.setGradientCompression({ type: '2bit', threshold }),
        ValueError,
        /setGradientCompression: threshold must be a finite number greater than 0/,
      );
    }
    expectError(
      () => kv.setGradientCompression(loose({ type: '2bit', thresh: 1 })),
      ValueError,
      /setGradientCompression: unknown option 'thresh'; known options: type, threshold/,
    );
    expectError(() => kv.setGradientCompression(loose(null)), ValueError, /expected an object such as/);
  });

  it('compressed pushes need float32 keys: a DTypeError naming the key', () => {
    const kv = create('device');
    kv.init('w64', zeros([4], { dtype: 'float64' }));
    kv.setGradientCompression({ type: '2bit' });
    expectError(
      () => kv.push('w64', zeros([4], { dtype: 'float64' })),
      DTypeError,
      /push: 2-bit gradient compression needs float32 gradients but key 'w64' is float64/,
    );
  });
});
