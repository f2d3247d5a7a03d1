// Symbol arithmetic and fluent shape methods, built as MXNet's Python Symbol builds them.
import { ValueError } from '@bkt/ndarray';
import { describe, expect, it } from 'vitest';
import { NameManager, Variable, withNameManager, type Symbol } from '../src/index.js';
import { roundTrip } from './fixtures.js';

const head = (s: Symbol) => {
  const n = s.outputs[0]!.node;
  return { op: n.op!.name, name: n.name, attrs: n.attrs, inputs: n.inputs.map((e) => e.node.name) };
};

describe('Symbol operators', () => {
  it('use _Plus & co. between symbols and _PlusScalar & co. with numbers', () => {
    withNameManager(new NameManager(), () => {
      const a = Variable('a');
      const b = Variable('b');
      const cases: [Symbol, string, string, Record<string, string>][] = [
        [a.add(b), 'elemwise_add', '_plus0', {}],
        [a.sub(b), 'elemwise_sub', '_minus0', {}],
        [a.mul(b), 'elemwise_mul', '_mul0', {}],
        [a.div(b), 'elemwise_div', '_div0', {}],
        [a.pow(b), '_power', '_power0', {}],
        [a.add(1), '_plus_scalar', '_plusscalar0', { scalar: '1' }],
        [a.sub(0.5), '_minus_scalar', '_minusscalar0', { scalar: '0.5' }],
        [a.rsub(2), '_rminus_scalar', '_rminusscalar0', { scalar: '2' }],
        [a.mul(3), '_mul_scalar', '_mulscalar0', { scalar: '3' }],
        [a.div(4), '_div_scalar', '_divscalar0', { scalar: '4' }],
        [a.rdiv(5), '_rdiv_scalar', '_rdivscalar0', { scalar: '5' }],
        [a.pow(2), '_power_scalar', '_powerscalar0', { scalar: '2' }],
        [a.rpow(2), '_rpower_scalar', '_rpowerscalar0', { scalar: '2' }],
        [a.neg(), '_mul_scalar', '_mulscalar1', { scalar: '-1' }],
      ];
      for (const [s, op, name, attrs] of cases) {
        expect(head(s), name).toEqual({ op, name, attrs, inputs: attrs.scalar ? ['a'] : ['a', 'b'] });
      }
    });
  });

  it('compose and infer like the ops they stand for', () => {
    const a = Variable('a');
    const b = Variable('b');
    const e = a.add(b).mul(2).neg().rsub(1).pow(a);
    expect(e.inferShape({ a: [2, 3] }).argShapes).toEqual([
      [2, 3],
      [2, 3],
    ]);
    expect(() => a.add(b).inferShape({ a: [2, 3], b: [3] })).toThrow(/elemwise_add '_plus\d+'.*inconsistent shape/);
    roundTrip(e);
  });

  it('reject operands they cannot use', () => {
    const a = Variable('a');
    expect(() => a.add('1' as never)).toThrow(ValueError);
    expect(() => a.rsub(a as never)).toThrow(/_RMinusScalar: expected a number/);
  });

  it('offer reshape, transpose and sum as methods', () => {
    withNameManager(new NameManager(), () => {
      const a = Variable('a');
      expect(head(a.reshape([-1, 2], { reverse: true }))).toEqual({
        op: 'Reshape',
        name: 'reshape0',
        attrs: { reverse: 'True', shape: '(-1, 2)' },
        inputs: ['a'],
      });
      expect(head(a.transpose([1, 0], { name: 't' }))).toEqual({
        op: 'transpose',
        name: 't',
        attrs: { axes: '(1, 0)' },
        inputs: ['a'],
      });
      expect(head(a.transpose()).attrs).toEqual({});
      expect(head(a.sum({ axis: 1, keepdims: true }))).toEqual({
        op: 'sum',
        name: 'sum0',
        attrs: { axis: '1', keepdims: 'True' },
        inputs: ['a'],
      });
      expect(
        a
          .reshape([3, -1])
          .transpose()
          .sum({ axis: 0 })
          .inferShape({ a: [2, 6] }).outShapes,
      ).toEqual([[3]]);
    });
  });
});
