import { ValueError } from '@bkt/ndarray';
import { describe, expect, it } from 'vitest';
import { AttrSchema, attr, parseValue } from '../src/attrs.js';
import { pyBool, pyFloat, pyNumber, pyTuple, snakeCase } from '../src/pyrepr.js';

describe('Python str() of values', () => {
  it('formats floats as repr() does', () => {
    const cases: [number, string][] = [
      [0.5, '0.5'],
      [1, '1.0'],
      [1e-5, '1e-05'],
      [0.0001, '0.0001'],
      [0.00012, '0.00012'],
      [1.5e-7, '1.5e-07'],
      [123.25, '123.25'],
      [1e15, '1000000000000000.0'],
      [1e16, '1e+16'],
      [2.5e20, '2.5e+20'],
      [-0.1, '-0.1'],
      [0, '0.0'],
      [0.1 + 0.2, '0.30000000000000004'],
      [Infinity, 'inf'],
      [NaN, 'nan'],
    ];
    for (const [x, s] of cases) expect(pyFloat(x), String(x)).toBe(s);
  });

  it('writes integral numbers as ints, others as floats', () => {
    expect(pyNumber(128)).toBe('128');
    expect(pyNumber(-1)).toBe('-1');
    expect(pyNumber(0.9)).toBe('0.9');
    expect(pyNumber(1e-8)).toBe('1e-08');
  });

  it('formats bools and tuples', () => {
    expect(pyBool(true)).toBe('True');
    expect(pyBool(false)).toBe('False');
    expect(pyTuple([3, 3])).toBe('(3, 3)');
    expect(pyTuple([5])).toBe('(5,)');
    expect(pyTuple([])).toBe('()');
    expect(pyTuple([0, -1])).toBe('(0, -1)');
  });

  it('converts camelCase keys to snake_case', () => {
    expect(snakeCase('numHidden')).toBe('num_hidden');
    expect(snakeCase('noBias')).toBe('no_bias');
    expect(snakeCase('flatten')).toBe('flatten');
  });
});

describe('attribute values are read tolerantly', () => {
  it('reads bools in any dmlc spelling', () => {
    for (const s of ['True', 'true', '1', 'TRUE']) expect(parseValue({ kind: 'bool' }, s)).toBe(true);
    for (const s of ['False', 'false', '0']) expect(parseValue({ kind: 'bool' }, s)).toBe(false);
  });

  it('reads tuples written by Python 2 and 3, lists and bare ints', () => {
    const t = { kind: 'shape' } as const;
    expect(parseValue(t, '(3, 3)')).toEqual([3, 3]);
    expect(parseValue(t, '(3L, 3L)')).toEqual([3, 3]);
    expect(parseValue(t, '[3,3]')).toEqual([3, 3]);
    expect(parseValue(t, '(5,)')).toEqual([5]);
    expect(parseValue(t, '()')).toEqual([]);
    expect(parseValue(t, '7')).toEqual([7]);
    expect(parseValue(t, '(0, -1)')).toEqual([0, -1]);
  });

  it('reads ints, floats and optionals', () => {
    expect(parseValue({ kind: 'int' }, '128')).toBe(128);
    expect(parseValue({ kind: 'int' }, '128.0')).toBe(128);
    expect(parseValue({ kind: 'float' }, '1e-05')).toBe(1e-5);
    expect(parseValue({ kind: 'float' }, '-inf')).toBe(-Infinity);
    expect(parseValue({ kind: 'optional', inner: { kind: 'int' } }, 'None')).toBe(null);
    expect(parseValue({ kind: 'optional', inner: { kind: 'int' } }, '2')).toBe(2);
  });
});

describe('AttrSchema', () => {
  const schema = new AttrSchema({
    numHidden: attr.int({ required: true, min: 1 }),
    noBias: attr.bool(false),
    kernel: attr.shape({ default: [1, 1] }),
    mode: attr.enumOf(['a', 'b'], { default: 'a' }),
    scale: attr.float({ default: 1 }),
  });

  it('parses MXNet strings with defaults and ignores hidden keys', () => {
    expect(schema.parse({ num_hidden: '10', no_bias: 'True', __lr_mult__: '2' }, 'op')).toEqual({
      numHidden: 10,
      noBias: true,
      kernel: [1, 1],
      mode: 'a',
      scale: 1,
    });
  });

  it('formats only the given values, as Python would', () => {
    expect(schema.format({ numHidden: 10, noBias: true, kernel: [3, 3], scale: 0.5 }, 'op')).toEqual({
      num_hidden: '10',
      no_bias: 'True',
      kernel: '(3, 3)',
      scale: '0.5',
    });
  });

  it('rejects unknown keys, missing required ones, bad values and bounds', () => {
    expect(() => schema.parse({ num_hidden: '1', mood: 'x' }, 'FullyConnected fc1')).toThrow(/unknown parameter 'mood'/);
    expect(() => schema.parse({}, 'FullyConnected fc1')).toThrow(ValueError);
    expect(() => schema.parse({}, 'FullyConnected fc1')).toThrow(/required parameter 'num_hidden'/);
    expect(() => schema.parse({ num_hidden: 'x' }, 'op')).toThrow(/invalid value 'x' for parameter 'num_hidden'/);
    expect(() => schema.parse({ num_hidden: '0' }, 'op')).toThrow(/must be >= 1/);
    expect(() => schema.parse({ num_hidden: '1', mode: 'c' }, 'op')).toThrow(/one of 'a', 'b'/);
    expect(() => schema.format({ numHidden: 1.5 } as never, 'op')).toThrow(ValueError);
    expect(() => schema.format({ bogus: 1 } as never, 'op')).toThrow(/unknown parameter 'bogus'/);
  });
});
