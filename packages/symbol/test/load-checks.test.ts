// Symbol.load checks the path as nd.load does, and Symbol.fromJSON survives hostile documents with
// typed errors (issue 11, item 4).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormatError, NativeError, ValueError } from '@bkt/ndarray';
import { afterAll, describe, expect, it } from 'vitest';
import { FullyConnected, MAX_SYMBOL_FILE_BYTES, Symbol, Variable } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'bkt-symbol-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fc = (): Symbol => FullyConnected({ data: Variable('data'), name: 'fc', numHidden: 3 });

describe('Symbol.load', () => {
  it('loads a saved symbol', () => {
    const path = join(dir, 'ok-symbol.json');
    fc().save(path);
    expect(Symbol.load(path).toJSON()).toBe(fc().toJSON());
  });

  it('rejects paths that name no regular file with typed errors naming the function and path', () => {
    const cases: [string, typeof ValueError | typeof NativeError, RegExp][] = [
      ['', ValueError, /Symbol\.load: the path must be a non-empty string/],
      [`${dir}/a\0b`, ValueError, /Symbol\.load: the path contains a NUL byte/],
      [join(dir, 'missing.json'), NativeError, /Symbol\.load '.*missing\.json': cannot open/],
      [dir, NativeError, /Symbol\.load '.*': is a directory/],
      ['/dev/zero', NativeError, /Symbol\.load '\/dev\/zero': is not a regular file/],
    ];
    for (const [path, Err, message] of cases) {
      expect(() => Symbol.load(path)).toThrow(Err);
      expect(() => Symbol.load(path)).toThrow(message);
    }
    expect(() => Symbol.load(42 as unknown as string)).toThrow(ValueError);
  });

  it('does not wait on a FIFO without a writer', () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(() => Symbol.load(fifo)).toThrow(/is not a regular file/);
  });

  it('refuses files over the size limit before reading them', () => {
    const path = join(dir, 'huge.json');
    writeFileSync(path, '');
    truncateSync(path, MAX_SYMBOL_FILE_BYTES + 1); // sparse: no disk space used
    expect(() => Symbol.load(path)).toThrow(FormatError);
    expect(() => Symbol.load(path)).toThrow(/more than the limit/);
  });

  it('names the path when the content is not UTF-8 or not a symbol', () => {
    const binary = join(dir, 'binary.json');
    writeFileSync(binary, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
    expect(() => Symbol.load(binary)).toThrow(FormatError);
    expect(() => Symbol.load(binary)).toThrow(/binary\.json': the file is not valid UTF-8/);
    const empty = join(dir, 'empty.json');
    writeFileSync(empty, '');
    expect(() => Symbol.load(empty)).toThrow(/empty\.json': symbol JSON: not valid JSON/);
  });
});

describe('Symbol.fromJSON on hostile documents', () => {
  const doc = (nodes: unknown, heads: unknown = [[0, 0, 0]]): string =>
    `{"nodes": ${JSON.stringify(nodes)}, "arg_nodes": [0], "heads": ${typeof heads === 'string' ? heads : JSON.stringify(heads)}}`;

  it('rejects a deeply nested value where a number belongs without overflowing the stack', () => {
    const deep = '['.repeat(1_000_000) + ']'.repeat(1_000_000);
    const text = doc([{ op: 'null', name: 'x', inputs: [] }], `[[${deep}, 0, 0]]`);
    expect(() => Symbol.fromJSON(text)).toThrow(FormatError);
    expect(() => Symbol.fromJSON(text)).toThrow(/head 0 node id must be a non-negative integer, got an array of 1/);
  });

  it('rejects a non-string argument and keeps messages about huge values short', () => {
    expect(() => Symbol.fromJSON(undefined as unknown as string)).toThrow(ValueError);
    const huge = 'x'.repeat(1_000_000);
    let message = '';
    try {
      Symbol.fromJSON(doc([{ op: 'null', name: 'x', inputs: [] }], [[huge, 0, 0]]));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/node id must be a non-negative integer/);
    expect(message.length).toBeLessThan(300);
  });
});
