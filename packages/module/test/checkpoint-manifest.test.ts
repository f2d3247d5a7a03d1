// Checkpoints are all-or-nothing: the manifest written last lists the epoch's files with sizes and
// checksums; a load verifies it when present and loads MXNet's way when absent.
import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as nd from '@bkt/ndarray';
import { FullyConnected, SoftmaxOutput, Variable } from '@bkt/symbol';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BucketingModule,
  DataDesc,
  listCheckpoints,
  loadCheckpoint,
  manifestFile,
  Module,
  saveCheckpoint,
  verifyCheckpoint,
} from '../src/index.js';

const quiet = (): void => {};
const tmp = mkdtempSync(join(tmpdir(), 'bkt-manifest-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const net = () => SoftmaxOutput({ data: FullyConnected({ data: Variable('data'), name: 'fc', numHidden: 3 }), name: 'softmax' });

function boundModule(): Module {
  const mod = new Module(net(), { logger: quiet });
  mod.bind([new DataDesc('data', [2, 4])], [new DataDesc('softmax_label', [2])]);
  mod.initParams();
  mod.initOptimizer({ optimizer: 'adam' });
  return mod;
}

describe('checkpoint manifest', () => {
  it('is written last, lists params and states with sizes and checksums, and verifies', () => {
    const prefix = join(tmp, 'm');
    const mod = boundModule();
    mod.saveCheckpoint(prefix, 1, true);
    const m = JSON.parse(readFileSync(manifestFile(prefix, 1), 'utf8'));
    expect(m.format).toBe('bkt-checkpoint');
    expect(m.files.map((f: { name: string }) => f.name)).toEqual(['m-0001.params', 'm-0001.states']);
    expect(m.files[0].bytes).toBe(readFileSync(`${prefix}-0001.params`).byteLength);
    expect(m.files[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(m.shared).toEqual(['m-symbol.json']);
    expect(verifyCheckpoint(prefix, 1)).toBe('verified');
    const loaded = Module.load(prefix, 1, { loadOptimizerStates: true, logger: quiet });
    expect(loaded.paramsInitialized).toBe(true);
    expect(listCheckpoints(prefix)).toEqual([{ epoch: 1, complete: true }]);
  });

  it('rejects a checkpoint whose part was cut short, rewritten or removed, naming the file', () => {
    const prefix = join(tmp, 'cut');
    const mod = boundModule();
    mod.saveCheckpoint(prefix, 1, true);
    mod.saveCheckpoint(prefix, 2, true);
    mod.saveCheckpoint(prefix, 3, true);
    truncateSync(`${prefix}-0002.states`, 10);
    expect(() => Module.load(prefix, 2, { loadOptimizerStates: true, logger: quiet })).toThrow(nd.FormatError);
    expect(() => Module.load(prefix, 2, { logger: quiet })).toThrow(/cut-0002\.states' has 10 bytes, the manifest says \d+/);
    // same size, other bytes
    const params = readFileSync(`${prefix}-0003.params`);
    params[params.length - 1] = params[params.length - 1]! ^ 0xff;
    writeFileSync(`${prefix}-0003.params`, params);
    expect(() => loadCheckpoint(prefix, 3)).toThrow(/does not match the manifest's checksum/);
    const list = listCheckpoints(prefix);
    expect(list.map((c) => [c.epoch, c.complete])).toEqual([
      [1, true],
      [2, false],
      [3, false],
    ]);
    expect(list[1]!.reason).toMatch(/10 bytes/);
    rmSync(`${prefix}-symbol.json`);
    expect(() => verifyCheckpoint(prefix, 1)).toThrow(/cut-symbol\.json' is missing/);
  });

  it('loads a checkpoint without a manifest as MXNet does, and lists it as incomplete', () => {
    const prefix = join(tmp, 'mx');
    const mod = boundModule();
    // model.save_checkpoint's files, as MXNet writes them: no manifest
    saveCheckpoint(prefix, 4, mod.symbol, ...mod.getParams(), { logger: quiet });
    rmSync(manifestFile(prefix, 4));
    expect(verifyCheckpoint(prefix, 4)).toBe('no-manifest');
    expect(Object.keys(loadCheckpoint(prefix, 4).argParams).sort()).toEqual(['fc_bias', 'fc_weight']);
    expect(listCheckpoints(prefix)).toEqual([{ epoch: 4, complete: false, reason: expect.stringMatching(/no manifest/) }]);
    // asking for optimizer states a checkpoint lacks is a typed error at load, not an I/O error later
    expect(() => Module.load(prefix, 4, { loadOptimizerStates: true, logger: quiet })).toThrow(/has no optimizer states/);
  });

  it("covers every bucket file of a BucketingModule and the caller's own files", () => {
    const prefix = join(tmp, 'b');
    const symGen = () => [net(), ['data'], ['softmax_label']] as const;
    const mod = new BucketingModule(symGen, { defaultBucketKey: 4, logger: quiet });
    mod.bind([new DataDesc('data', [2, 4])], [new DataDesc('softmax_label', [2])]);
    mod.initParams();
    mod.initOptimizer({ optimizer: 'sgd' });
    const extra = join(tmp, 'b-run.json');
    writeFileSync(extra, '{}\n');
    mod.saveCheckpoint(prefix, 1, true, { extraFiles: [extra] });
    const m = JSON.parse(readFileSync(manifestFile(prefix, 1), 'utf8'));
    expect(m.files.map((f: { name: string }) => f.name)).toEqual(['b-0001.params', 'b-0001.states', 'b-run.json']);
    expect(m.shared).toEqual(['b-4-symbol.json', 'b-buckets.json', 'b.buckets']);
    expect(BucketingModule.load(prefix, 1, { symGen, loadOptimizerStates: true, logger: quiet }).paramsInitialized).toBe(true);
    rmSync(extra);
    expect(existsSync(`${prefix}-0001.params`)).toBe(true);
    expect(() => BucketingModule.load(prefix, 1, { symGen, logger: quiet })).toThrow(/b-run\.json' is missing/);
    expect(() => mod.saveCheckpoint(prefix, 2, false, { extraFiles: [join(tmpdir(), 'elsewhere.json')] })).toThrow(
      /is not in the folder of the checkpoint prefix/,
    );
    expect(() => mod.saveCheckpoint(prefix, 2, false, { extraFiles: [extra] })).toThrow(/b-run\.json' does not exist/);
    expect(listCheckpoints(prefix).map((c) => [c.epoch, c.complete])).toEqual([
      [1, false],
      [2, false],
    ]);
  });
});
