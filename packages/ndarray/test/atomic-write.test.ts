// writeFileAtomic follows the protocol that src/atomic-write.ts lists (the one native `save` follows):
// a fresh O_EXCL temporary file, fsync, rename, cleanup on failure. Each property is checked here;
// the temporary names are made predictable by fixing the random suffix.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';

const suffixes: string[] = [];
vi.mock('node:crypto', async (original) => {
  const real = await original<typeof import('node:crypto')>();
  return {
    ...real,
    randomBytes: (n: number) => {
      const next = suffixes.shift();
      return next === undefined ? real.randomBytes(n) : Buffer.from(next, 'hex');
    },
  };
});

const { writeFileAtomic } = await import('../src/atomic-write.js');
const { NativeError } = await import('../src/errors.js');
const { array, save } = await import('../src/index.js');

const root = mkdtempSync(join(tmpdir(), 'bkt-atomic-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => suffixes.splice(0));

let dirCount = 0;
function freshDir(): string {
  const dir = join(root, `case-${dirCount++}`);
  mkdirSync(dir);
  return dir;
}

describe('writeFileAtomic', () => {
  it('writes bytes or text, replaces the target and leaves no temporary file', () => {
    const dir = freshDir();
    const target = join(dir, 'state.json');
    writeFileAtomic('test', target, 'old');
    writeFileAtomic('test', target, new Uint8Array([1, 2, 3]));
    expect([...readFileSync(target)]).toEqual([1, 2, 3]);
    expect(readdirSync(dir)).toEqual(['state.json']);
  });

  it('names the temporary file <path>.tmp-<pid>-<16 hex> and never reuses an existing one', () => {
    const dir = freshDir();
    const target = join(dir, 'out.bin');
    const taken = `${target}.tmp-${process.pid}-00112233445566ff`;
    writeFileSync(taken, 'someone else');
    suffixes.push('00112233445566ff', 'aabbccddeeff0011');
    writeFileAtomic('test', target, 'mine');
    expect(readFileSync(target, 'utf8')).toBe('mine');
    expect(readFileSync(taken, 'utf8')).toBe('someone else');
    expect(readdirSync(dir).sort()).toEqual(['out.bin', 'out.bin.tmp-' + process.pid + '-00112233445566ff']);
  });

  it('gives up after 8 colliding names with a NativeError, touching nothing', () => {
    const dir = freshDir();
    const target = join(dir, 'out.bin');
    const taken = `${target}.tmp-${process.pid}-0000000000000001`;
    writeFileSync(taken, 'someone else');
    suffixes.push(...Array.from({ length: 8 }, () => '0000000000000001'));
    expect(() => writeFileAtomic('saveCheckpoint', target, 'mine')).toThrow(NativeError);
    expect(suffixes).toHaveLength(0);
    expect(readdirSync(dir)).toEqual([`out.bin.tmp-${process.pid}-0000000000000001`]);
    expect(readFileSync(taken, 'utf8')).toBe('someone else');
  });

  it('removes the temporary file and keeps the target when the rename fails', () => {
    const dir = freshDir();
    const target = join(dir, 'occupied');
    mkdirSync(target);
    writeFileSync(join(target, 'inside'), 'x');
    expect(() => writeFileAtomic('saveCheckpoint', target, 'data')).toThrow(/saveCheckpoint: cannot write/);
    expect(readdirSync(dir)).toEqual(['occupied']);
    expect(readdirSync(target)).toEqual(['inside']);
  });

  it('raises NativeError naming the op for a missing directory', () => {
    expect(() => writeFileAtomic('saveCheckpoint', join(root, 'missing', 'f'), 'x')).toThrow(NativeError);
  });

  it('creates files with the same permissions as the native save', () => {
    const dir = freshDir();
    writeFileAtomic('test', join(dir, 'ts.bin'), 'x');
    save(join(dir, 'native.params'), [array([1])]);
    const mode = (name: string): number => statSync(join(dir, name)).mode & 0o777;
    expect(mode('ts.bin')).toBe(mode('native.params'));
    expect(readdirSync(dir).sort()).toEqual(['native.params', 'ts.bin']);
  });
});
