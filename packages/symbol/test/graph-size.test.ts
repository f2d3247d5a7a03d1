// Inference and JSON stay linear in graph size, and attribute values that would make them allocate
// without bound are rejected (issue 11, item 3). Budgets are generous for a loaded 2-core machine;
// the quadratic-to-cubic code they replace took 7.7 s for SliceChannel with 300 outputs and would
// not finish these 10^5-entry graphs in hours.
import { FormatError, ShapeError, ValueError } from '@bkt/ndarray';
import { describe, expect, it } from 'vitest';
import { Activation, Concat, Group, SliceChannel, Symbol, Variable, broadcast_mul, type Symbol as Sym } from '../src/index.js';

const N = 100_000;
const BUDGET_MS = 15_000;

function timed<T>(fn: () => T): { value: T; ms: number } {
  const t0 = performance.now();
  const value = fn();
  return { value, ms: performance.now() - t0 };
}

describe('graphs of 10^5 entries', () => {
  it('infers SliceChannel with 10^5 outputs, and a Concat of all of them, within the budget', () => {
    const sl = SliceChannel({ data: Variable('data'), numOutputs: N, axis: 1, name: 'sl' });
    const parts = Array.from({ length: N }, (_, i) => sl.at(i));
    const cat = Concat({ data: parts, dim: 1, name: 'cat' });
    const { value, ms } = timed(() => ({ split: sl.inferShape({ data: [2, N] }), joined: cat.inferShape({ data: [2, N] }) }));
    expect(value.split.outShapes).toHaveLength(N);
    expect(value.split.outShapes[N - 1]).toEqual([2, 1]);
    expect(value.joined.outShapes).toEqual([[2, N]]);
    expect(ms).toBeLessThan(BUDGET_MS);
  });

  it('infers a chain of 10^5 nodes and a group of 10^5 outputs within the budget', () => {
    let chain: Sym = Variable('data');
    for (let i = 0; i < N; i++) chain = Activation({ data: chain, actType: 'relu', name: `a${i}` });
    const data = Variable('data');
    const wide = Group(Array.from({ length: N }, (_, i) => Activation({ data, actType: 'tanh', name: `t${i}` })));
    const { value, ms } = timed(() => ({ chain: chain.inferShape({ data: [2, 3] }), wide: wide.inferShape({ data: [2, 3] }) }));
    expect(value.chain.outShapes).toEqual([[2, 3]]);
    expect(value.wide.outShapes).toHaveLength(N);
    expect(ms).toBeLessThan(BUDGET_MS);
  });

  it('writes and reads back a graph of 10^5 nodes within the budget', () => {
    const sl = SliceChannel({ data: Variable('data'), numOutputs: N, axis: 1, name: 'sl' });
    const cat = Concat({ data: Array.from({ length: N }, (_, i) => sl.at(i)), dim: 1, name: 'cat' });
    const { value, ms } = timed(() => Symbol.fromJSON(cat.toJSON()));
    expect(value.listOutputs()).toEqual(['cat_output']);
    expect(value.inferShape({ data: [1, N] }).outShapes).toEqual([[1, N]]);
    expect(ms).toBeLessThan(BUDGET_MS);
  });
});

describe('range checks of counts and shapes', () => {
  it.each([1e8, 2 ** 32, 2 ** 60, 0, -1])(
    'rejects SliceChannel num_outputs %d at creation, naming node, op and attribute',
    (n) => {
      const make = (): Sym => SliceChannel({ data: Variable('data'), numOutputs: n, name: 'split0' });
      expect(make).toThrow(ValueError);
      expect(make).toThrow(/SliceChannel 'split0'.*num_outputs/);
    },
  );

  it('rejects num_outputs beyond the limit, or not an exact integer, in symbol JSON with a FormatError', () => {
    const json = (v: string): string =>
      JSON.stringify({
        nodes: [
          { op: 'null', name: 'data', inputs: [] },
          { op: 'SliceChannel', name: 'sl', attrs: { num_outputs: v }, inputs: [[0, 0, 0]] },
        ],
        arg_nodes: [0],
        heads: [[1, 0, 0]],
      });
    expect(Symbol.fromJSON(json('4')).listOutputs()).toEqual(['sl_output0']);
    for (const v of ['100000000', '4294967296', '99999999999999999999', '1e400', '-3']) {
      expect(() => Symbol.fromJSON(json(v))).toThrow(FormatError);
      expect(() => Symbol.fromJSON(json(v))).toThrow(/SliceChannel 'sl'.*num_outputs/);
    }
  });

  it('rejects num_args beyond the limit for Concat and add_n', () => {
    expect(() => Concat({ data: [Variable('a')], numArgs: 2 ** 32, name: 'c' })).toThrow(/Concat 'c'.*num_args/);
  });

  it('names the node when num_outputs does not fit the input (more parts than the axis is long)', () => {
    const sl = SliceChannel({ data: Variable('data'), numOutputs: 1000, axis: 1, name: 'sl' });
    expect(() => sl.inferShape({ data: [2, 10] })).toThrow(ShapeError);
    expect(() => sl.inferShape({ data: [2, 10] })).toThrow(/SliceChannel 'sl'.*axis 1 of length 10 cannot be split into 1000/);
  });

  it('keeps messages about 10^5-output nodes short', () => {
    const sl = SliceChannel({ data: Variable('data'), numOutputs: N, axis: 1, name: 'sl' });
    let message = '';
    try {
      sl.inferShape({ data: [2, N + 1] });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/SliceChannel 'sl'/);
    expect(message).toMatch(/\(99984 more\)/);
    expect(message.length).toBeLessThan(2000);
  });

  it('rejects shapes whose element count JS cannot hold exactly, given or inferred', () => {
    const a = Activation({ data: Variable('data'), actType: 'relu', name: 'r' });
    expect(() => a.inferShape({ data: [2 ** 30, 2 ** 30, 2 ** 30] })).toThrow(ShapeError);
    expect(() => a.inferShape({ data: [2 ** 30, 2 ** 30, 2 ** 30] })).toThrow(/variable 'data'.*more than 2\^53 elements/);
    expect(() => a.inferShape({ data: [2, 1.5] })).toThrow(/invalid dimension 1.5/);
    expect(() => a.inferShape({ data: 5 as unknown as number[] })).toThrow(ShapeError);
    // Each input holds 2^27 elements; their broadcast product would hold 2^54.
    const outer = broadcast_mul({ lhs: Variable('a'), rhs: Variable('b'), name: 'outer' });
    expect(() => outer.inferShape({ a: [2 ** 27, 1], b: [1, 2 ** 27] })).toThrow(ShapeError);
    expect(() => outer.inferShape({ a: [2 ** 27, 1], b: [1, 2 ** 27] })).toThrow(
      /broadcast_mul 'outer'.*more than 2\^53 elements/,
    );
  });
});
