import { IndexError, ValueError } from '@bkt/ndarray';
import { describe, expect, it } from 'vitest';
import {
  Activation,
  Concat,
  ElementWiseSum,
  FullyConnected,
  Group,
  NameManager,
  SliceChannel,
  Variable,
  elemwise_add,
  getOp,
  listOps,
  split,
  withAttrScope,
  withNameManager,
  withPrefix,
  concat,
  reshape,
  symbolFromJSON,
  type Symbol,
} from '../src/index.js';
import { mlp } from './fixtures.js';

const fresh = <T>(fn: () => T): T => withNameManager(new NameManager(), fn);

describe('naming', () => {
  it('lists the arguments of a 2-layer MLP in MXNet order', () => {
    const net = mlp();
    expect(net.listArguments()).toEqual(['data', 'fc1_weight', 'fc1_bias', 'fc2_weight', 'fc2_bias', 'softmax_label']);
    expect(net.listOutputs()).toEqual(['softmax_output']);
    expect(net.listAuxiliaryStates()).toEqual([]);
    expect(net.listInputs()).toEqual(net.listArguments());
    expect(net.name).toBe('softmax');
  });

  it('names unnamed ops <lowercased creator><n>, counting per hint', () => {
    fresh(() => {
      const data = Variable('data');
      const a = FullyConnected({ data, numHidden: 4 });
      const b = FullyConnected({ data: a, numHidden: 4 });
      const c = Activation({ data: b, actType: 'tanh' });
      expect([a.name, b.name, c.name]).toEqual(['fullyconnected0', 'fullyconnected1', 'activation0']);
      expect(c.listArguments()).toEqual([
        'data',
        'fullyconnected0_weight',
        'fullyconnected0_bias',
        'fullyconnected1_weight',
        'fullyconnected1_bias',
      ]);
    });
  });

  it('uses the alias as the hint and the canonical op name in the graph', () => {
    fresh(() => {
      const x = Variable('x');
      const s = split({ data: x, numOutputs: 3 });
      const c = SliceChannel({ data: x, numOutputs: 2 });
      const e = ElementWiseSum({ args: [x, x] });
      expect(s.listOutputs()).toEqual(['split0_output0', 'split0_output1', 'split0_output2']);
      expect(c.listOutputs()).toEqual(['slicechannel0_output0', 'slicechannel0_output1']);
      expect(e.name).toBe('elementwisesum0');
      // Concat and concat share the hint 'concat', as in MXNet.
      expect([Concat({ data: [x, x] }).name, concat({ data: [x, x] }).name]).toEqual(['concat0', 'concat1']);
      expect(reshape({ data: x, shape: [-1] }).name).toBe('reshape0');
      expect(e.outputs[0]!.node.op!.name).toBe('add_n');
      expect(e.outputs[0]!.node.attrs).toEqual({ num_args: '2' });
    });
  });

  it('starts fresh counters in a new manager and prefixes every name under Prefix', () => {
    fresh(() => {
      const data = Variable('data');
      FullyConnected({ data, numHidden: 4 });
      const inner = withPrefix('lstm_', () => {
        const a = FullyConnected({ data, numHidden: 4 });
        const b = FullyConnected({ data: a, numHidden: 4, name: 'h2h' });
        return [a, b] as const;
      });
      expect(inner[0].name).toBe('lstm_fullyconnected0');
      expect(inner[1].name).toBe('lstm_h2h');
      expect(inner[1].listArguments()).toEqual([
        'data',
        'lstm_fullyconnected0_weight',
        'lstm_fullyconnected0_bias',
        'lstm_h2h_weight',
        'lstm_h2h_bias',
      ]);
      // The outer manager's counter continued where it was.
      expect(FullyConnected({ data, numHidden: 4 }).name).toBe('fullyconnected1');
    });
  });

  it('drops bias with no_bias', () => {
    const fc = FullyConnected({ data: Variable('x'), name: 'fc', numHidden: 3, noBias: true });
    expect(fc.listArguments()).toEqual(['x', 'fc_weight']);
    expect(fc.outputs[0]!.node.attrs).toEqual({ num_hidden: '3', no_bias: 'True' });
  });

  it('lists internals as <node>_output and variables by name', () => {
    const net = mlp();
    const internals = net.getInternals();
    expect(internals.listOutputs()).toEqual([
      'data',
      'fc1_weight',
      'fc1_bias',
      'fc1_output',
      'relu1_output',
      'fc2_weight',
      'fc2_bias',
      'fc2_output',
      'softmax_label',
      'softmax_output',
    ]);
    const fc1 = internals.at('fc1_output');
    expect(fc1.listArguments()).toEqual(['data', 'fc1_weight', 'fc1_bias']);
    expect(internals.at('fc2_weight').listOutputs()).toEqual(['fc2_weight']);
  });

  it('gives children, or null for a variable', () => {
    const net = mlp();
    expect(net.getChildren()!.listOutputs()).toEqual(['fc2_output', 'softmax_label']);
    expect(Variable('x').getChildren()).toBeNull();
  });
});

describe('outputs, groups and composition', () => {
  it('indexes outputs by position and by name', () => {
    fresh(() => {
      const parts = SliceChannel({ data: Variable('x'), numOutputs: 3, name: 's' });
      expect(parts.numOutputs).toBe(3);
      expect(parts.at(1).listOutputs()).toEqual(['s_output1']);
      expect(parts.at('s_output2').listOutputs()).toEqual(['s_output2']);
      expect(() => parts.at(3)).toThrow(IndexError);
      expect(() => parts.at('nope')).toThrow(/Cannot find output/);
      const g = Group([parts.at(0), parts.at(0)]);
      expect(() => g.at('s_output0')).toThrow(/multiple outputs/);
    });
  });

  it('groups symbols', () => {
    const a = Variable('a');
    const fc = FullyConnected({ data: a, name: 'fc', numHidden: 2 });
    const g = Group([fc, a]);
    expect(g.listOutputs()).toEqual(['fc_output', 'a']);
    expect(g.listArguments()).toEqual(['a', 'fc_weight', 'fc_bias']);
    expect(g.name).toBeUndefined();
  });

  it('composes a symbol with named inputs, replacing free variables (test_symbol_compose)', () => {
    fresh(() => {
      const data = Variable('data');
      let net1 = FullyConnected({ data, name: 'fc1', numHidden: 10 });
      net1 = FullyConnected({ data: net1, name: 'fc2', numHidden: 100 });
      expect(net1.listArguments()).toEqual(['data', 'fc1_weight', 'fc1_bias', 'fc2_weight', 'fc2_bias']);

      let net2 = FullyConnected({ name: 'fc3', numHidden: 10 });
      net2 = Activation({ data: net2, actType: 'relu' });
      net2 = FullyConnected({ data: net2, name: 'fc4', numHidden: 20 });
      expect(net2.listArguments()).toEqual(['fc3_data', 'fc3_weight', 'fc3_bias', 'fc4_weight', 'fc4_bias']);

      const composed = net2.compose({ fc3_data: net1 }, { name: 'composed' });
      expect(composed.listArguments()).toEqual([
        'data',
        'fc1_weight',
        'fc1_bias',
        'fc2_weight',
        'fc2_bias',
        'fc3_weight',
        'fc3_bias',
        'fc4_weight',
        'fc4_bias',
      ]);
      expect(composed.listOutputs()).toEqual(['composed_output']);
      // The original is untouched.
      expect(net2.listArguments()[0]).toBe('fc3_data');
      expect(Group([composed, net1]).listOutputs()).toHaveLength(2);
      expect(() => net2.compose({ nothing: net1 })).toThrow(/'nothing' not found/);
      expect(() => Variable('v').compose({ v: net1 })).toThrow(ValueError);
    });
  });

  it('takes lists for variadic ops and fills num_args', () => {
    fresh(() => {
      const a = Variable('a');
      const b = Variable('b');
      const c = Concat({ data: [a, b], dim: 0 });
      expect(c.name).toBe('concat0');
      expect(c.outputs[0]!.node.attrs).toEqual({ dim: '0', num_args: '2' });
      expect(c.listArguments()).toEqual(['a', 'b']);
    });
  });
});

describe('attributes', () => {
  it('stores Variable options as hidden attributes (test_attr_basic)', () => {
    let data!: Symbol;
    let gdata!: Symbol;
    withAttrScope({ group: '4', data: 'great' }, () => {
      data = Variable('data', { attr: { dtype: 'data', group: '1', force_mirroring: 'True' }, lrMult: 1 });
      gdata = Variable('data2');
    });
    expect(gdata.attr('group')).toBe('4');
    expect(data.attr('group')).toBe('1');
    expect(data.attr('lr_mult')).toBe('1');
    expect(data.attr('__lr_mult__')).toBe('1');
    expect(data.attr('force_mirroring')).toBe('True');
    expect(data.attr('__force_mirroring__')).toBe('True');
    expect(data.attr('missing')).toBeUndefined();

    const v = Variable('w', { shape: [2, 3], dtype: 'float16', wdMult: 0.5, init: '["zero", {}]' });
    expect(v.listAttr()).toEqual({
      __shape__: '(2, 3)',
      __dtype__: '2',
      __wd_mult__: '0.5',
      wd_mult: '0.5',
      __init__: '["zero", {}]',
    });
  });

  it('applies attribute scopes to operators and copies them onto auto-created inputs (test_operator)', () => {
    const data = Variable('data');
    let fc1!: Symbol;
    let fc2!: Symbol;
    withAttrScope({ __group__: '4', __data__: 'great' }, () => {
      fc1 = Activation({ data, actType: 'relu' });
      withAttrScope({ __init_bias__: '0.0' }, () => {
        fc2 = FullyConnected({ data: fc1, numHidden: 10, name: 'fc2' });
      });
    });
    expect(fc1.attr('__data__')).toBe('great');
    expect(fc2.attr('__data__')).toBe('great');
    expect(fc2.attr('__init_bias__')).toBe('0.0');
    const w = fc2.getInternals().at('fc2_weight');
    expect(w.attr('__data__')).toBe('great');
    expect(w.attr('num_hidden')).toBe('10');
  });

  it('stores ctx_group and lr_mult scopes as hidden keys', () => {
    withAttrScope({ ctx_group: 'dev1' }, () => {
      const fc = FullyConnected({ data: Variable('x'), name: 'fc', numHidden: 2, attr: { lr_mult: '0.1' } });
      expect(fc.outputs[0]!.node.attrs).toEqual({ num_hidden: '2', __ctx_group__: 'dev1', __lr_mult__: '0.1' });
      expect(fc.attr('ctx_group')).toBe('dev1');
      const d = fc.attrDict();
      expect(d.x).toEqual({ __ctx_group__: 'dev1', ctx_group: 'dev1' });
      expect(d.fc_weight!.__lr_mult__).toBe('0.1');
    });
  });

  it('lists every node, also one named like an Object.prototype member', () => {
    for (const name of ['__proto__', 'toString', 'constructor']) {
      const d = FullyConnected({ data: Variable('x'), name, numHidden: 2 }).attrDict();
      expect(Object.keys(d).sort()).toEqual([name, `${name}_bias`, `${name}_weight`].sort());
      expect(Object.hasOwn(d, name) && d[name]).toEqual({ num_hidden: '2' });
    }
  });

  it('keeps attributes named like Object.prototype members, and finds no attribute on the prototype', () => {
    // A JSON-parsed record holds `__proto__` as an own key; an object literal would set the prototype instead.
    const attr = JSON.parse('{"__proto__": "p", "toString": "t", "x": "1"}') as Record<string, string>;
    const v = Variable('v', { attr });
    expect(v.attr('__proto__')).toBe('p');
    expect(v.attr('toString')).toBe('t');
    expect(Object.keys(v.listAttr())).toEqual(['__proto__', 'toString', 'x']);
    v.setAttr(JSON.parse('{"__proto__": "q"}') as Record<string, string>);
    expect(v.attr('__proto__')).toBe('q');
    expect(Object.hasOwn(v.attrDict().v!, '__proto__')).toBe(true);
    const back = symbolFromJSON(v.toJSON());
    expect(back.listAttr()).toEqual(v.listAttr());
    expect(Object.getPrototypeOf(back.listAttr())).toBe(Object.prototype);
    const plain = Variable('w');
    for (const key of ['constructor', 'toString', 'hasOwnProperty', '__proto__']) expect(plain.attr(key)).toBeUndefined();
  });

  it('reads the param entries of a JSON node under their own names, also toString', () => {
    const text = JSON.stringify({
      nodes: [{ op: 'null', name: 'x', param: { toString: 't' }, inputs: [] }],
      arg_nodes: [0],
      heads: [[0, 0, 0]],
    });
    expect(symbolFromJSON(text).attr('toString')).toBe('t');
  });

  it('rejects unknown operator attributes and the deprecated <input>_lr_mult spelling', () => {
    const x = Variable('x');
    expect(() => FullyConnected({ data: x, numHidden: 2, attr: { mood: 'angry' } })).toThrow(/unknown parameter 'mood'/);
    expect(() => FullyConnected({ data: x, numHidden: 2, attr: { weight_lr_mult: '2' } })).toThrow(/weight_lr_mult/);
    expect(() => FullyConnected({ data: x } as never)).toThrow(/FullyConnected.*required parameter 'num_hidden'/);
    expect(() => FullyConnected({ data: x, numHidden: 2, label: x } as never)).toThrow(/'label' not found/);
    expect(() => Activation({ data: x, actType: 'gelu' as never })).toThrow(ValueError);
  });

  it('sets attributes in place, renaming with name and re-validating parameters', () => {
    const x = Variable('x');
    const fc = FullyConnected({ data: x, name: 'fc', numHidden: 2 });
    const act = Activation({ data: fc, name: 'act', actType: 'relu' });
    fc.setAttr({ lr_mult: '3', __mood__: 'ok' });
    expect(act.attrDict().fc).toEqual({ num_hidden: '2', __lr_mult__: '3', lr_mult: '3', __mood__: 'ok' });
    fc.setAttr({ num_hidden: '5' });
    expect(act.inferShape({ x: [1, 4] }).argShapes[1]).toEqual([5, 4]);
    expect(() => fc.setAttr({ num_hidden: 'many' })).toThrow(ValueError);
    expect(fc.attr('num_hidden')).toBe('5');
    fc.setAttr({ name: 'dense' });
    expect(act.listArguments()).toEqual(['x', 'fc_weight', 'fc_bias']);
    expect(act.getInternals().listOutputs()).toContain('dense_output');
    expect(() => Group([fc, x]).setAttr({ a: 'b' })).toThrow(ValueError);
  });
});

describe('registry', () => {
  it('finds operators by name and alias and lists them', () => {
    expect(getOp('ElementWiseSum')).toBe(getOp('add_n'));
    expect(getOp('split').name).toBe('SliceChannel');
    expect(getOp('identity').name).toBe('_copy');
    expect(getOp('_plus').name).toBe('elemwise_add');
    expect(getOp('_backward_FullyConnected').backward).toBe(true);
    expect(() => getOp('Convolution9')).toThrow(ValueError);
    const visible = listOps({ hidden: false });
    expect(visible).toContain('FullyConnected');
    expect(visible).not.toContain('_backward_FullyConnected');
    expect(listOps()).toContain('_backward_FullyConnected');
  });

  it('builds element-wise additions', () => {
    const s = fresh(() => elemwise_add({ lhs: Variable('a'), rhs: Variable('b') }));
    expect(s.name).toBe('elemwise_add0');
    expect(s.listArguments()).toEqual(['a', 'b']);
  });
});
