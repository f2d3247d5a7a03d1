// Bad places and bad files on the command line fail fast, with one clear line and a non-zero exit:
// output folders that cannot be made (under /proc, where Node's recursive mkdir never returns, or
// below a file) and input that is not text (NUL bytes, invalid UTF-8, endless lines, devices).
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_LINE_CHARS } from '../src/text-data.js';
import { cliInProcess, finished, spawnCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'bkt-cli-inputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const hasProc = existsSync('/proc/self');
const TINY = [
  '--sentences',
  '40',
  '--num-layers',
  '1',
  '--num-hidden',
  '4',
  '--num-embed',
  '4',
  '--batch-size',
  '4',
  '--epochs',
  '1',
];
const valid = join(dir, 'valid.txt');
writeFileSync(valid, 'the cat sat\nthe dog ran\n');

describe('output folders', () => {
  it.skipIf(!hasProc)(
    'corpus --out /proc/… and lm --checkpoint /proc/…/lm exit 1 at once (child processes)',
    async () => {
      const [corpus, lm] = await Promise.all([
        finished(spawnCli(['corpus', '--out', '/proc/nope']), 30_000),
        finished(spawnCli(['lm', ...TINY, '--checkpoint', '/proc/nope/lm']), 30_000),
      ]);
      expect(corpus.code, corpus.out).toBe(1);
      expect(corpus.out).toMatch(/^bkt-train: error: --out: cannot create the folder '\/proc\/nope' \(ENOENT\)$/m);
      expect(lm.code, lm.out).toBe(1);
      expect(lm.out).toMatch(/^bkt-train: error: --checkpoint: cannot create the folder '\/proc\/nope' \(ENOENT\)$/m);
      // nothing was trained before the check
      expect(lm.out).not.toMatch(/Model:/);
    },
    40_000,
  );

  it('a folder below a file, or one that takes no files, is refused before any work', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const r1 = await cliInProcess('corpus', '--out', join(file, 'sub'));
    expect(r1.code).toBe(1);
    expect(r1.err.join('\n')).toMatch(/--out: cannot write into '.*a-file\/sub': '.*a-file' is not a folder/);
    const r2 = await cliInProcess('lm', ...TINY, '--checkpoint', join(dir, 'ok', 'lm'), '--log', join(file, 'log.jsonl'));
    expect(r2.code).toBe(1);
    expect(r2.err.join('\n')).toMatch(/--log: cannot write into/);
    expect(r2.out.join('\n')).not.toMatch(/Model:/);
    if (process.getuid?.() !== 0) {
      // root writes into read-only folders, so this part needs an ordinary user
      const ro = join(dir, 'read-only');
      mkdirSync(ro, { mode: 0o555 });
      const r3 = await cliInProcess('corpus', '--out', ro);
      expect(r3.err.join('\n')).toMatch(/--out: the folder '.*read-only' is not writable \(EACCES\)/);
    }
    // made and used when all is well: nested folders that do not exist yet
    const r4 = await cliInProcess('corpus', '--out', join(dir, 'x', 'y', 'z'), '--sentences', '20', '--json');
    expect(r4.code).toBe(0);
    expect(existsSync(join(dir, 'x', 'y', 'z', 'train.txt'))).toBe(true);
  });
});

describe('input text', () => {
  const cases: [string, string | Uint8Array, RegExp][] = [
    ['nul.txt', 'the cat\nsat\0on\n', /'.*nul\.txt' is not text: a NUL byte at offset 11 \(line 2\)/],
    [
      'latin1.bin',
      new Uint8Array([0x74, 0x68, 0x65, 0x20, 0xe9, 0x74, 0xe9, 0x0a]),
      /'.*latin1\.bin' is not text: it is not valid UTF-8/,
    ],
    [
      'long.txt',
      `short line\n${'w '.repeat(MAX_LINE_CHARS)}\n`,
      new RegExp(`'.*long\\.txt' line 2 has ${2 * MAX_LINE_CHARS} characters, more than ${MAX_LINE_CHARS}`),
    ],
    ['empty.txt', '\n\n', /'.*empty\.txt' has no sentences/],
  ];
  for (const [name, content, message] of cases) {
    it(`--train ${name} is refused: ${message.source.slice(0, 50)}…`, async () => {
      const file = join(dir, name);
      writeFileSync(file, content);
      const r = await cliInProcess('lm', ...TINY, '--train', file, '--valid', valid);
      expect(r.code).toBe(1);
      expect(r.err.join('\n')).toMatch(new RegExp(`^bkt-train: error: --train: ${message.source}`));
    });
  }

  // translate, eval-bleu and seq2seq read their text through the same checks (before any checkpoint is loaded)
  const nope = `${join(dir, 'no-checkpoint')}:1`;
  const readers: [string, (file: string) => string[]][] = [
    ['--input', (f) => ['translate', '--checkpoint', nope, '--input', f]],
    ['--hypotheses', (f) => ['eval-bleu', '--hypotheses', f, '--reference', valid]],
    ['--reference', (f) => ['eval-bleu', '--hypotheses', valid, '--reference', f]],
    ['--source', (f) => ['eval-bleu', '--checkpoint', nope, '--source', f, '--reference', valid]],
    [
      '--train-source',
      (f) => ['seq2seq', '--train-source', f, '--train-target', valid, '--valid-source', valid, '--valid-target', valid],
    ],
    [
      '--valid-target',
      (f) => ['seq2seq', '--train-source', valid, '--train-target', valid, '--valid-source', valid, '--valid-target', f],
    ],
  ];
  for (const [option, args] of readers) {
    it(`${option} of ${args('F')[0]} is refused when it is not text, as lm's --train is`, async () => {
      for (const [name, content, message] of cases.slice(0, 3)) {
        const file = join(dir, name);
        writeFileSync(file, content);
        const r = await cliInProcess(...args(file));
        expect(r.code, name).toBe(1);
        expect(r.err.join('\n')).toMatch(new RegExp(`^bkt-train: error: ${option}: ${message.source}`));
      }
      const r = await cliInProcess(...args(dir));
      expect(r.err.join('\n')).toMatch(new RegExp(`^bkt-train: error: ${option}: '.*' is not a regular file`));
    });
  }

  it('a folder or a device as --valid / --data is refused without reading it', async () => {
    writeFileSync(join(dir, 'train.txt'), 'a b c\nb c d\n'.repeat(20));
    const r1 = await cliInProcess('lm', ...TINY, '--train', join(dir, 'train.txt'), '--valid', dir);
    expect(r1.err.join('\n')).toMatch(/--valid: '.*' is not a regular file/);
    if (existsSync('/dev/zero')) {
      const r2 = await cliInProcess('lm', ...TINY, '--train', '/dev/zero', '--valid', valid);
      expect(r2.err.join('\n')).toMatch(/--train: '\/dev\/zero' is not a regular file/);
    }
  });

  it('a binary file as --train exits 1 with one line (child process)', async () => {
    const bin = join(dir, 'random.bin');
    writeFileSync(bin, new Uint8Array(Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24)));
    const r = await finished(spawnCli(['lm', ...TINY, '--train', bin, '--valid', valid]), 30_000);
    expect(r.code).toBe(1);
    expect(r.out.trim()).toMatch(
      /^bkt-train: error: --train: '.*random\.bin' is not text: a NUL byte at offset \d+ \(line \d+\)$/,
    );
  }, 40_000);
});
