import { type Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import {
  intAtLeast,
  numberIn,
  parseBuckets,
  parseCheckpointRef,
  parseContexts,
  parseInit,
  parseLrScheduler,
  parseResumeRef,
} from '../src/options.js';
import { buildProgram } from '../src/program.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as nd from '@bkt/ndarray';
import { loadTrainingText } from '../src/lm-data.js';
import { initializerOf } from '../src/training-setup.js';

// Parses argv in-process; returns the error commander raised (with what it printed) or null.
async function parseError(args: string[]): Promise<{ code: string; exitCode: number; printed: string } | null> {
  let printed = '';
  const program = buildProgram((root: Command) => {
    root.exitOverride();
    root.configureOutput({ writeErr: (s) => (printed += s), writeOut: (s) => (printed += s) });
  });
  try {
    await program.parseAsync(['node', 'bkt-train', ...args]);
    return null;
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    return { code: e.code, exitCode: e.exitCode, printed };
  }
}

describe('value parsers', () => {
  it('accept what they should', () => {
    expect(intAtLeast(1)('12')).toBe(12);
    expect(numberIn(0, 1)('0.25')).toBe(0.25);
    expect(parseBuckets('30,10,20,10')).toEqual([10, 20, 30]);
    expect(parseBuckets('auto')).toBe('auto');
    expect(parseContexts('cpu(0),cpu(1)')).toEqual([
      { deviceType: 'cpu', deviceId: 0 },
      { deviceType: 'cpu', deviceId: 1 },
    ]);
    expect(parseCheckpointRef('runs/a:b:3')).toEqual({ prefix: 'runs/a:b', epoch: 3 });
    expect(parseResumeRef('runs/a:b:3')).toEqual({ prefix: 'runs/a:b', epoch: 3 });
    expect(parseResumeRef('runs/lm')).toEqual({ prefix: 'runs/lm' });
    expect(parseResumeRef('runs/a:b')).toEqual({ prefix: 'runs/a:b' });
    expect(parseLrScheduler('factor:1000:0.5')).toEqual({ kind: 'factor', step: 1000, factor: 0.5 });
    expect(parseLrScheduler('multifactor:10,20:0.1')).toEqual({ kind: 'multifactor', steps: [10, 20], factor: 0.1 });
    expect(parseLrScheduler('poly:500')).toEqual({ kind: 'poly', maxUpdate: 500, pwr: 2 });
    expect(parseInit('uniform:0.1')).toEqual({ kind: 'uniform', scale: 0.1 });
    expect(parseInit('xavier')).toEqual({ kind: 'xavier', magnitude: 2.34 });
    expect(parseInit('uniform-all:0.05')).toEqual({ kind: 'uniform-all', scale: 0.05 });
  });

  it('uniform-all draws every parameter (biases too); uniform leaves biases at 0, as MXNet', () => {
    const bias = (kind: 'uniform' | 'uniform-all'): number[] => {
      const a = nd.empty([400]);
      initializerOf({ kind, scale: 0.1 }).init('lstm_l0_i2h_bias', a);
      return a.toArray();
    };
    expect(bias('uniform').every((v) => v === 0)).toBe(true);
    const drawn = bias('uniform-all');
    expect(drawn.every((v) => Math.abs(v) <= 0.1)).toBe(true);
    expect(new Set(drawn).size).toBeGreaterThan(300);
  });

  it('--vocab-from-valid takes the validation words into the vocabulary', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bkt-vocab-'));
    try {
      writeFileSync(join(dir, 't.txt'), 'a b c\n');
      writeFileSync(join(dir, 'v.txt'), 'a d\n');
      const spec = { kind: 'files', train: join(dir, 't.txt'), valid: join(dir, 'v.txt') } as const;
      expect(loadTrainingText(spec, false).vocab.has('d')).toBe(false);
      const both = loadTrainingText({ ...spec, vocabFromValid: true }, false);
      expect(both.vocab.has('d')).toBe(true);
      expect(both.valid[0]).toEqual([both.vocab.get('a'), both.vocab.get('d')]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('say what is wrong', () => {
    expect(() => intAtLeast(1)('0')).toThrow(/at least 1, got 0/);
    expect(() => intAtLeast(1)('2.5')).toThrow(/not an integer/);
    expect(() => numberIn(0, Infinity, true)('0')).toThrow(/greater than 0/);
    expect(() => numberIn(0)('abc')).toThrow(/'abc' is not a number/);
    expect(() => parseBuckets('10,x')).toThrow(/'x' in '10,x' is not a bucket length/);
    expect(() => parseContexts('gpu(0)')).toThrow(/'gpu\(0\)' is not a context/);
    expect(() => parseContexts('cpu(0),cpu(0)')).toThrow(/lists a context twice/);
    expect(() => parseCheckpointRef('runs/lm')).toThrow(/not PREFIX:EPOCH/);
    expect(() => parseCheckpointRef('runs/lm:-1')).toThrow(/not PREFIX:EPOCH/);
    expect(() => parseLrScheduler('factor:10')).toThrow(/wrong number of fields/);
    expect(() => parseLrScheduler('factor:10:2')).toThrow(/FACTOR .* must be in \(0, 1\]/);
    expect(() => parseLrScheduler('multifactor:20,10:0.5')).toThrow(/must increase/);
    expect(() => parseLrScheduler('step:10')).toThrow(/unknown scheduler 'step'/);
    expect(() => parseInit('normal')).toThrow(/unknown initializer 'normal'/);
    expect(() => parseInit('uniform:-1')).toThrow(/positive number/);
  });
});

describe('bkt-train option validation', () => {
  it.each([
    [['lm', '--lr', '-1'], /option '--lr <rate>' argument '-1' is invalid\. must be greater than 0/],
    [['lm', '--num-hidden', 'many'], /'--num-hidden <n>' argument 'many' is invalid\. 'many' is not an integer/],
    [['lm', '--cell', 'rnn'], /argument 'rnn' is invalid\. Allowed choices are lstm, gru/],
    [['lm', '--dtype', 'float16'], /argument 'float16' is invalid\. Allowed choices are float32, bfloat16/],
    [['lm', '--fused', '--unrolled'], /option '--fused' cannot be used with option '--unrolled'/],
    [['lm', '--buckets', '5,abc'], /'abc' in '5,abc' is not a bucket length/],
    [['lm', '--contexts', 'gpu(0)'], /'gpu\(0\)' is not a context/],
    [['lm', '--resume', ''], /give a checkpoint prefix \(PREFIX or PREFIX:EPOCH\)/],
    [['lm', '--dropout', '1.5'], /must be at most 0\.99/],
    [['lm', '--bogus'], /unknown option '--bogus'/],
    [['eval', '--data', 'x.txt'], /required option '--checkpoint <prefix:epoch>' not specified/],
    [['corpus'], /required option '--out <dir>' not specified/],
    [['generate', '--checkpoint', 'a:1', '--temperature', '0'], /must be greater than 0/],
    [['bench', '--seq-len', '1'], /must be at least 2/],
  ])('%j fails with a message', async (args, message) => {
    const err = await parseError(args as string[]);
    expect(err).not.toBeNull();
    expect(err!.exitCode).not.toBe(0);
    expect(err!.printed).toMatch(message);
  });

  it('checks between options when the command runs', async () => {
    const errors: string[] = [];
    const spy = (s: string): void => void errors.push(s);
    const orig = console.error;
    console.error = spy;
    try {
      await buildProgram().parseAsync(['node', 'bkt-train', 'lm', '--train', 'only-train.txt']);
      expect(process.exitCode).toBe(1);
      await buildProgram().parseAsync(['node', 'bkt-train', 'lm', '--fused', '--dropout', '0.2', '--sentences', '20']);
      expect(process.exitCode).toBe(1);
      await buildProgram().parseAsync([
        'node',
        'bkt-train',
        'lm',
        '--optimizer',
        'adam',
        '--momentum',
        '0.9',
        '--sentences',
        '20',
      ]);
      expect(process.exitCode).toBe(1);
    } finally {
      console.error = orig;
      process.exitCode = 0;
    }
    expect(errors[0]).toMatch(/--train and --valid go together/);
    expect(errors[1]).toMatch(/--dropout > 0 needs --unrolled/);
    expect(errors[2]).toMatch(/--momentum: 'adam' takes no momentum/);
  });

  it('every subcommand has --help', async () => {
    for (const cmd of ['lm', 'eval', 'generate', 'bench']) {
      const err = await parseError([cmd, '--help']);
      expect(err?.code).toBe('commander.helpDisplayed');
      expect(err?.exitCode).toBe(0);
      expect(err?.printed).toMatch(new RegExp(`Usage: bkt-train ${cmd}`));
    }
  });
});
