import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormatError } from '@bkt/ndarray';
import { describe, expect, it } from 'vitest';
import {
  Activation,
  AttrSchema,
  BlockGrad,
  Concat,
  ElementWiseSum,
  Embedding,
  FullyConnected,
  Group,
  MakeLoss,
  NameManager,
  Reshape,
  SliceChannel,
  SoftmaxOutput,
  Symbol,
  Variable,
  _mul_scalar,
  attr,
  createSymbol,
  defineOp,
  elemwise_add,
  identity,
  registerOp,
  withAttrScope,
  withNameManager,
  zeros_like,
} from '../src/index.js';
import { mlp } from './fixtures.js';

// Written by hand from the rules of dmlc's JSONWriter (`json.h`): 2-space indent per open container,
// ", " between items with the newline after it, inline entries/attrs of one key, arrays of more than
// 10 numbers one per line, no newline at the end.
const MLP_JSON = [
  '{',
  '  "nodes": [',
  '    {',
  '      "op": "null", ',
  '      "name": "data", ',
  '      "inputs": []',
  '    }, ',
  '    {',
  '      "op": "null", ',
  '      "name": "fc1_weight", ',
  '      "attrs": {"num_hidden": "128"}, ',
  '      "inputs": []',
  '    }, ',
  '    {',
  '      "op": "null", ',
  '      "name": "fc1_bias", ',
  '      "attrs": {"num_hidden": "128"}, ',
  '      "inputs": []',
  '    }, ',
  '    {',
  '      "op": "FullyConnected", ',
  '      "name": "fc1", ',
  '      "attrs": {"num_hidden": "128"}, ',
  '      "inputs": [[0, 0, 0], [1, 0, 0], [2, 0, 0]]',
  '    }, ',
  '    {',
  '      "op": "Activation", ',
  '      "name": "relu1", ',
  '      "attrs": {"act_type": "relu"}, ',
  '      "inputs": [[3, 0, 0]]',
  '    }, ',
  '    {',
  '      "op": "null", ',
  '      "name": "fc2_weight", ',
  '      "attrs": {"num_hidden": "10"}, ',
  '      "inputs": []',
  '    }, ',
  '    {',
  '      "op": "null", ',
  '      "name": "fc2_bias", ',
  '      "attrs": {"num_hidden": "10"}, ',
  '      "inputs": []',
  '    }, ',
  '    {',
  '      "op": "FullyConnected", ',
  '      "name": "fc2", ',
  '      "attrs": {"num_hidden": "10"}, ',
  '      "inputs": [[4, 0, 0], [5, 0, 0], [6, 0, 0]]',
  '    }, ',
  '    {',
  '      "op": "null", ',
  '      "name": "softmax_label", ',
  '      "inputs": []',
  '    }, ',
  '    {',
  '      "op": "SoftmaxOutput", ',
  '      "name": "softmax", ',
  '      "inputs": [[7, 0, 0], [8, 0, 0]]',
  '    }',
  '  ], ',
  '  "arg_nodes": [0, 1, 2, 5, 6, 8], ',
  '  "node_row_ptr": [',
  '    0, ',
  '    1, ',
  '    2, ',
  '    3, ',
  '    4, ',
  '    5, ',
  '    6, ',
  '    7, ',
  '    8, ',
  '    9, ',
  '    10',
  '  ], ',
  '  "heads": [[9, 0, 0]], ',
  '  "attrs": {"mxnet_version": ["int", 10901]}',
  '}',
].join('\n');

describe('writing MXNet symbol JSON', () => {
  it('writes a small MLP byte for byte as MXNet 1.x does', () => {
    expect(mlp().toJSON()).toBe(MLP_JSON);
  });

  it('writes multi-entry attribute maps one key per line, sorted', () => {
    const fc = FullyConnected({ data: Variable('x'), name: 'fc', numHidden: 2, noBias: true, flatten: false });
    const text = fc.toJSON();
    expect(text).toContain(
      [
        '      "attrs": {',
        '        "flatten": "False", ',
        '        "no_bias": "True", ',
        '        "num_hidden": "2"',
        '      }, ',
      ].join('\n'),
    );
  });

  it('escapes strings as dmlc does', () => {
    const v = Variable('w', { init: '["xavier", {"magnitude": 2}]' });
    expect(v.toJSON()).toContain('"attrs": {"__init__": "[\\"xavier\\", {\\"magnitude\\": 2}]"}');
    expect(Symbol.fromJSON(v.toJSON()).attr('__init__')).toBe('["xavier", {"magnitude": 2}]');
  });

  it('writes more than 10 inputs one per line (dmlc rule for arrays)', () => {
    const xs = Array.from({ length: 11 }, (_, i) => Variable(`x${i}`));
    const c = Concat({ data: xs, name: 'c' });
    const text = c.toJSON();
    expect(text).toContain('"inputs": [\n        [0, 0, 0], \n        [1, 0, 0], ');
    expect(text).toContain('        [10, 0, 0]\n      ]\n');
    expect(Symbol.fromJSON(text).toJSON()).toBe(text);
  });

  it('counts every output in node_row_ptr', () => {
    const s = SliceChannel({ data: Variable('x'), numOutputs: 3, name: 's' });
    const doc = JSON.parse(s.toJSON());
    expect(doc.node_row_ptr).toEqual([0, 1, 4]);
    expect(doc.heads).toEqual([
      [1, 0, 0],
      [1, 1, 0],
      [1, 2, 0],
    ]);
  });
});

describe('round trips', () => {
  const allOps = (): Symbol =>
    withNameManager(new NameManager(), () =>
      withAttrScope({ ctx_group: 'dev1' }, () => {
        const data = Variable('data', { shape: [4, 6], dtype: 'float32', lrMult: 0.5, wdMult: 0, init: '["zero", {}]' });
        const tokens = Variable('tokens');
        const emb = Embedding({ data: tokens, inputDim: 50, outputDim: 6, dtype: 'float32', sparseGrad: false });
        const flat = Reshape({ data: emb, shape: [-1, 6], reverse: false });
        const both = Concat({ data: [data, flat], dim: 0 });
        const parts = SliceChannel({ data: both, numOutputs: 2, axis: 1, squeezeAxis: false });
        const sum = ElementWiseSum({ args: [parts.at(0), parts.at(1)] });
        const plus = elemwise_add({ lhs: sum, rhs: identity({ data: sum }) });
        const scaled = _mul_scalar({ data: plus, scalar: 0.25 });
        const fc = FullyConnected({ data: scaled, numHidden: 5, noBias: false, flatten: true });
        const act = Activation({ data: fc, actType: 'softrelu' });
        const out = SoftmaxOutput({
          data: act,
          gradScale: 2,
          ignoreLabel: -1,
          multiOutput: false,
          useIgnore: true,
          preserveShape: false,
          normalization: 'valid',
          outGrad: false,
          smoothAlpha: 0.1,
        });
        const loss = MakeLoss({ data: BlockGrad({ data: zeros_like({ data: act }) }), gradScale: 1e-5, normalization: 'batch' });
        return Group([out, loss]);
      }),
    );

  it('round-trips a graph using every operator, losslessly', () => {
    const sym = allOps();
    const text = sym.toJSON();
    const back = Symbol.fromJSON(text);
    expect(back.toJSON()).toBe(text);
    expect(back.listArguments()).toEqual(sym.listArguments());
    expect(back.listOutputs()).toEqual(sym.listOutputs());
    expect(back.attrDict()).toEqual(sym.attrDict());
    const known = { tokens: [2, 2] };
    expect(back.inferShape(known)).toEqual(sym.inferShape(known));
    const ops = new Set(JSON.parse(text).nodes.map((n: { op: string }) => n.op));
    for (const op of [
      'FullyConnected',
      'Activation',
      'SoftmaxOutput',
      'Embedding',
      'Reshape',
      'Concat',
      'SliceChannel',
      'add_n',
      'elemwise_add',
      '_mul_scalar',
      'BlockGrad',
      'MakeLoss',
      'zeros_like',
      '_copy',
    ]) {
      expect(ops, op).toContain(op);
    }
  });

  it('round-trips gradient graphs (hidden backward ops, control dependencies)', () => {
    const sym = mlp();
    const grad = sym.gradient(['fc1_weight', 'fc1_bias', 'fc2_weight', 'fc2_bias']);
    const text = Group([sym, grad]).toJSON();
    expect(text).toContain('"control_deps": [');
    expect(text).toContain('"op": "_backward_FullyConnected"');
    expect(Symbol.fromJSON(text).toJSON()).toBe(text);
  });

  it('saves atomically and loads', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bkt-symbol-'));
    const path = join(dir, 'mlp-symbol.json');
    mlp().save(path);
    expect(readFileSync(path, 'utf8')).toBe(MLP_JSON);
    expect(readdirSync(dir)).toEqual(['mlp-symbol.json']);
    expect(Symbol.load(path).toJSON()).toBe(MLP_JSON);
    mlp().save(path); // replacing works too
    expect(readdirSync(dir)).toEqual(['mlp-symbol.json']);
  });

  it('keeps the deprecated Softmax op as written', () => {
    const text = MLP_JSON.replace('"op": "SoftmaxOutput"', '"op": "Softmax"');
    const back = Symbol.fromJSON(text);
    expect(back.outputs[0]!.node.op!.name).toBe('Softmax');
    expect(back.toJSON()).toBe(text);
  });
});

// An MXNet 0.8-style file (upgraded as `legacy_json_util.cc` does): operator parameters under "param", attributes under "attr",
// hidden keys in plain spelling, `weight_lr_mult` on the operator, 2-element entries, a
// backward_source_id, no node_row_ptr and no graph attributes.
const LEGACY_0800 = JSON.stringify({
  nodes: [
    { op: 'null', param: {}, name: 'data', inputs: [], backward_source_id: -1, attr: { ctx_group: 'stage1', lr_mult: '0.2' } },
    { op: 'null', param: {}, name: 'fc1_weight', inputs: [], backward_source_id: -1, attr: { ctx_group: 'stage1' } },
    {
      op: 'null',
      param: {},
      name: 'fc1_bias',
      inputs: [],
      backward_source_id: -1,
      attr: { ctx_group: 'stage1', no_bias: 'False', num_hidden: '128', wd_mult: '0.3' },
    },
    {
      op: 'FullyConnected',
      param: { no_bias: 'False', num_hidden: '128' },
      name: 'fc1',
      inputs: [
        [0, 0],
        [1, 0],
        [2, 0],
      ],
      backward_source_id: -1,
      attr: { ctx_group: 'stage1', wd_mult: '0.3', weight_lr_mult: '1.2' },
    },
    {
      op: 'Activation',
      param: { act_type: 'relu' },
      name: 'relu1',
      inputs: [[3, 0]],
      backward_source_id: -1,
      attr: { ctx_group: 'stage1' },
    },
    {
      op: 'null',
      param: {},
      name: 'fc2_weight',
      inputs: [],
      backward_source_id: -1,
      attr: { ctx_group: 'stage2', lr_mult: '0.01', num_hidden: '64' },
    },
    {
      op: 'null',
      param: {},
      name: 'fc2_bias',
      inputs: [],
      backward_source_id: -1,
      attr: { ctx_group: 'stage2', lr_mult: '0.01', num_hidden: '64' },
    },
    {
      op: 'FullyConnected',
      param: { num_hidden: '64' },
      name: 'fc2',
      inputs: [
        [4, 0],
        [5, 0],
        [6, 0],
      ],
      backward_source_id: -1,
      attr: { ctx_group: 'stage2', lr_mult: '0.01' },
    },
    { op: 'null', param: {}, name: 'softmax_label', inputs: [], backward_source_id: -1, attr: { ctx_group: 'stage2' } },
    {
      op: 'SoftmaxOutput',
      param: {},
      name: 'softmax',
      inputs: [
        [7, 0],
        [8, 0],
      ],
      backward_source_id: -1,
      attr: { ctx_group: 'stage2' },
    },
  ],
  arg_nodes: [0, 1, 2, 5, 6, 8],
  heads: [[9, 0]],
});

/** The graph of LEGACY_0800 built with today's API (as the removed MXNet test_load_000800 did). */
function modern0800(): Symbol {
  let act1!: Symbol;
  withAttrScope({ ctx_group: 'stage1' }, () => {
    const data = Variable('data', { lrMult: 0.2 });
    const weight = Variable('fc1_weight', { lrMult: 1.2 });
    const fc1 = FullyConnected({ data, weight, name: 'fc1', numHidden: 128, noBias: false, attr: { wd_mult: '0.3' } });
    act1 = Activation({ data: fc1, name: 'relu1', actType: 'relu' });
  });
  return withAttrScope({ ctx_group: 'stage2' }, () => {
    const fc2 = FullyConnected({ data: act1, name: 'fc2', numHidden: 64, attr: { lr_mult: '0.01' } });
    return SoftmaxOutput({ data: fc2, name: 'softmax' });
  });
}

describe('reading older files', () => {
  it('upgrades a 0.8-era file to the graph built today', () => {
    const loaded = Symbol.fromJSON(LEGACY_0800);
    const modern = modern0800();
    // weight_lr_mult moved from fc1 onto its weight variable, hidden keys renamed.
    expect(loaded.getInternals().at('fc1_weight').attr('__lr_mult__')).toBe('1.2');
    expect(loaded.getInternals().at('fc1_output').listAttr()).toEqual({
      no_bias: 'False',
      num_hidden: '128',
      __ctx_group__: 'stage1',
      ctx_group: 'stage1',
      __wd_mult__: '0.3',
      wd_mult: '0.3',
    });
    // Every hidden attribute of the modern graph is in the loaded one (test_load_000800).
    const a1 = modern.attrDict();
    const a2 = loaded.attrDict();
    for (const [node, attrs] of Object.entries(a1)) {
      for (const [k, v] of Object.entries(attrs)) {
        if (k.startsWith('__') && k.endsWith('__')) expect(a2[node]?.[k], `${node}.${k}`).toBe(v);
      }
    }
    // In fact the two graphs are identical.
    expect(loaded.toJSON()).toBe(modern.toJSON());
    expect(loaded.listArguments()).toEqual(['data', 'fc1_weight', 'fc1_bias', 'fc2_weight', 'fc2_bias', 'softmax_label']);
  });

  it('leaves hidden keys of current files alone', () => {
    const text = JSON.stringify({
      nodes: [{ op: 'null', name: 'x', attrs: { weight_lr_mult: '3' }, inputs: [] }],
      arg_nodes: [0],
      node_row_ptr: [0, 1],
      heads: [[0, 0, 0]],
      attrs: { mxnet_version: ['int', 10901] },
    });
    expect(Symbol.fromJSON(text).listAttr()).toEqual({ weight_lr_mult: '3' });
  });

  it('adds auxiliary states missing from files older than 0.9.0, and their initializers', () => {
    // A stand-in for BatchNorm (part 2): one argument, two auxiliary states.
    const auxOp = defineOp<{ eps: number }>({
      name: '_TestAuxOp',
      attrs: new AttrSchema({ eps: attr.float({ default: 0.001 }) }),
      inputNames: () => ['data'],
      auxNames: () => ['moving_mean', 'moving_var'],
      inferShape: () => undefined,
      inferType: () => undefined,
      kernels: { forward: 'copy' },
      setInputVarAttrOnCompose(_p, v, i) {
        if (v.attrs.__init__ === undefined && i > 0) v.setAttr('__init__', i === 1 ? '["zero", {}]' : '["one", {}]');
      },
    });
    registerOp(auxOp);
    const old = JSON.stringify({
      nodes: [
        { op: 'null', name: 'x', inputs: [] },
        { op: '_TestAuxOp', name: 'bn0', param: { eps: '0.01' }, inputs: [[0, 0]] },
      ],
      arg_nodes: [0],
      heads: [[1, 0]],
    });
    const s = Symbol.fromJSON(old);
    expect(s.listArguments()).toEqual(['x']);
    expect(s.listAuxiliaryStates()).toEqual(['bn0_moving_mean', 'bn0_moving_var']);
    expect(s.attrDict().bn0_moving_var).toEqual({ eps: '0.01', __init__: '["one", {}]' });

    // Built today, the auxiliary inputs carry version 1 (nnvm bumps the version of mutated variables).
    const built = createSymbol(auxOp, '_TestAuxOp', { data: Variable('x'), name: 'bn0' });
    expect(built.toJSON()).toContain('"inputs": [[0, 0, 0], [1, 0, 1], [2, 0, 1]]');
    expect(Symbol.fromJSON(built.toJSON()).toJSON()).toBe(built.toJSON());
  });
});

describe('malformed files', () => {
  // The documents are edited freely to break them.
  type Doc = any;
  const base: Doc = JSON.parse(MLP_JSON);
  const edit = (fn: (doc: Doc) => void): string => {
    const doc = structuredClone(base);
    fn(doc);
    return JSON.stringify(doc);
  };

  it('raises FormatError naming what is wrong', () => {
    const cases: [string, RegExp][] = [
      ['{"nodes": [', /not valid JSON/],
      ['[]', /top level must be an object/],
      [edit((d) => delete d.heads), /missing or invalid "heads"/],
      [edit((d) => (d.nodes[4].op = 'Convolution9')), /node 4 \('relu1'\): unknown operator 'Convolution9'/],
      [edit((d) => (d.nodes[3].inputs[1] = [42, 0, 0])), /node 3 \('fc1'\) input 1 refers to node 42/],
      [edit((d) => (d.nodes[3].inputs[1] = ['a', 0])), /node id must be a non-negative integer/],
      [edit((d) => (d.nodes[3].attrs.num_hidden = 'many')), /'fc1'.*invalid value 'many' for parameter 'num_hidden'/],
      [edit((d) => (d.nodes[4].attrs.mood = 'x')), /Activation 'relu1'.*unknown parameter 'mood'/],
      [edit((d) => d.nodes[3].inputs.pop()), /FullyConnected 'fc1' has 2 inputs, expected 3/],
      [edit((d) => (d.arg_nodes = [3])), /arg_nodes lists node 3, which is not a variable/],
      [edit((d) => (d.nodes[0].inputs = [[9, 0, 0]])), /cycle|variable 'data' has inputs/],
      [edit((d) => (d.attrs.mxnet_version = 'new')), /mxnet_version/],
      [edit((d) => (d.nodes[2].name = 7)), /node 2: missing or invalid "name"/],
    ];
    for (const [text, re] of cases) {
      expect(() => Symbol.fromJSON(text), String(re)).toThrow(FormatError);
      expect(() => Symbol.fromJSON(text), String(re)).toThrow(re);
    }
  });
});
