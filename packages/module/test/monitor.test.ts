// Monitor (MXNet's mx.monitor.Monitor) on a bare executor: interval, pattern, sorting, the default
// statistic, monitorAll, and its text output.
import { Executor } from '@bkt/executor';
import * as nd from '@bkt/ndarray';
import { FullyConnected, Variable } from '@bkt/symbol';
import { describe, expect, it } from 'vitest';
import { float32Str } from '../src/callbacks/format.js';
import { Monitor } from '../src/index.js';

function fcExec(): Executor {
  const exe = Executor.simpleBind(FullyConnected({ data: Variable('data'), name: 'fc', numHidden: 2 }), {
    shapes: { data: [1, 3] },
    gradReq: { fc_weight: 'write', fc_bias: 'write' },
  });
  nd.array([[1, -2, 2]]).copyTo(exe.argDict.data!);
  nd.array([
    [1, 0, 0],
    [0, 3, 4],
  ]).copyTo(exe.argDict.fc_weight!);
  nd.array([0.5, -0.5]).copyTo(exe.argDict.fc_bias!);
  return exe;
}

const rms = (xs: readonly number[]): number => Math.sqrt(xs.reduce((s, x) => s + x * x, 0) / xs.length);

describe('Monitor', () => {
  it('collects outputs then arguments every interval, with the RMS by default', () => {
    const exe = fcExec();
    const mon = new Monitor(2);
    mon.install(exe);
    const batch = (): ReturnType<Monitor['toc']> => {
      mon.tic();
      exe.forward({ isTrain: true });
      exe.backward([nd.ones([1, 2])]);
      return mon.toc();
    };
    const first = batch();
    expect(first.map(([step, name]) => [step, name])).toEqual([
      [1, 'fc_output'],
      [1, 'fc_backward_output0'],
      [1, 'fc_backward_output1'],
      [1, 'fc_backward_output2'],
      [1, 'data'],
      [1, 'fc_weight'],
      [1, 'fc_bias'],
    ]);
    const out = [1 + 0.5, -6 + 8 - 0.5];
    expect(Number(first[0]![2].trim())).toBeCloseTo(rms(out), 6);
    expect(Number(first[5]![2].trim())).toBeCloseTo(rms([1, 0, 0, 0, 3, 4]), 6);
    expect(first.every(([, , s]) => s.endsWith('\t'))).toBe(true);
    expect(batch()).toEqual([]);
    expect(batch()[0]![0]).toBe(3);
    exe.dispose();
  });

  it('matches names at their start, as Python re.match, and sorts by name', () => {
    const exe = fcExec();
    const mon = new Monitor(1, { pattern: 'fc_.*', sort: true });
    mon.install(exe);
    mon.tic();
    exe.forward();
    expect(mon.toc().map(([, n]) => n)).toEqual(['fc_bias', 'fc_output', 'fc_weight']);
    const weights = new Monitor(1, { pattern: /weight|bias/ });
    weights.install(exe);
    weights.tic();
    exe.forward();
    expect(weights.toc()).toEqual([]);
    exe.dispose();
  });

  it('monitorAll adds the inputs; a statistic may return the array itself or several arrays', () => {
    const exe = fcExec();
    const mon = new Monitor(1, { monitorAll: true, statFunc: (x) => x, pattern: '(data|fc_data|fc_output)$' });
    mon.install(exe);
    mon.tic();
    exe.forward();
    expect(mon.toc()).toEqual([
      [1, 'data', '[[1.0 -2.0 2.0]]\t'],
      [1, 'fc_data', '[[1.0 -2.0 2.0]]\t'],
      [1, 'fc_output', '[[1.5 1.5]]\t'],
      [1, 'data', '[[1.0 -2.0 2.0]]\t'],
    ]);
    // The executor's own arrays survive the monitor freeing its statistics.
    expect(exe.argDict.data!.toArray()).toEqual([1, -2, 2]);
    const pair = new Monitor(1, { pattern: 'fc_bias', statFunc: (x) => [nd.max(x), nd.min(x)] });
    pair.install(exe);
    pair.tic();
    exe.forward();
    expect(pair.toc()).toEqual([[1, 'fc_bias', '0.5\t-0.5\t']]);
    exe.dispose();
  });

  it('tocPrint logs one line per result; bad arguments are ValueErrors', () => {
    const exe = fcExec();
    const lines: string[] = [];
    const mon = new Monitor(1, { pattern: 'fc_output', logger: (l) => lines.push(l) });
    mon.install(exe);
    mon.tic();
    exe.forward();
    mon.tocPrint();
    expect(lines).toEqual([`Batch:       1 ${'fc_output'.padEnd(30)} ${float32Str(rms([1.5, 1.5]))}\t`]);
    expect(() => new Monitor(0)).toThrow(nd.ValueError);
    expect(() => new Monitor(1.5)).toThrow(nd.ValueError);
    expect(() => new Monitor(1, { pattern: '(' })).toThrow(nd.ValueError);
    exe.dispose();
  });

  it('float32Str prints as NumPy prints a float32', () => {
    expect([0.35, 1e-5, 2, 1 / 3, -0.5, 1.5e20, 0, NaN, -Infinity].map(float32Str)).toEqual([
      '0.35',
      '1e-05',
      '2.0',
      '0.33333334',
      '-0.5',
      '1.5e+20',
      '0.0',
      'nan',
      '-inf',
    ]);
  });
});
