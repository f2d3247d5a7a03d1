// Unrolled LSTM and GRU cells (MXNet's LSTMCell/GRUCell stacked and unrolled with merged outputs)
// are rewritten into one fused RNN op before export, so they become ONNX LSTM/GRU nodes and the
// time axis can stay symbolic. A stack is recognised from its merged output (Concat of
// expand_dims of each step's output) back to the step inputs (SliceChannel of one tensor along the
// time axis): every step must be exactly the cell's arithmetic with the same weight variables,
// starting from `_zeros` states; Dropout between layers is the identity at inference. Anything
// else is left as it is and exported op by op.

import { type NodeEntry, RNN, Variable, _zeros, copyGraph, entry, topoOrder, transpose, type Symbol } from '@bkt/symbol';
import { Symbol as SymbolClass } from '@bkt/symbol';
import { type Captures, type Pattern, cap, match, op } from './pattern.js';

export type ParamValues = Map<string, { shape: readonly number[]; data: Float32Array }>;

const act = (type: string, x: Pattern, node?: string): Pattern =>
  op('Activation', [x], { check: (p) => p.actType === type, node });
const add = (a: Pattern, b: Pattern, node?: string): Pattern => op('elemwise_add', [a, b], { node });
const mul = (a: Pattern, b: Pattern): Pattern => op('elemwise_mul', [a, b]);
const fc = (x: string, w: string, b: string, node: string): Pattern =>
  op('FullyConnected', [cap(x), cap(w), cap(b)], { node, check: (p) => p.flatten === true && p.noBias === false });
const slice = (input: Pattern, parts: number, k: number, node: string): Pattern =>
  op('SliceChannel', [input], { out: k, node, check: (p) => p.numOutputs === parts && p.axis === 1 && p.squeezeAxis === false });

/** LSTMCell.step: h = o·tanh(c), c = f·c_prev + i·tanh(g); gates i, f, c, o sliced from i2h + h2h. */
function lstmStep(): Pattern {
  const gates = (k: number) => slice(add(fc('x', 'wi', 'bi', 'i2h'), fc('h', 'wh', 'bh', 'h2h')), 4, k, 'gates');
  const state = add(mul(act('sigmoid', gates(1)), cap('c')), mul(act('sigmoid', gates(0)), act('tanh', gates(2))), 'state');
  return mul(act('sigmoid', gates(3)), act('tanh', state));
}

/** GRUCell.step: h = (1 - z)·n + z·h_prev, n = tanh(i_n + r·h_n); r, z sigmoids of i + h. */
function gruStep(): Pattern {
  const i = (k: number) => slice(fc('x', 'wi', 'bi', 'i2h'), 3, k, 'islice');
  const h = (k: number) => slice(fc('h', 'wh', 'bh', 'h2h'), 3, k, 'hslice');
  const r = act('sigmoid', add(i(0), h(0)));
  const z = act('sigmoid', add(i(1), h(1)));
  const n = act('tanh', add(i(2), mul(r, h(2))));
  return add(mul(op('_rminus_scalar', [z], { check: (p) => p.scalar === 1 }), n), mul(z, cap('h')));
}

const CELLS = [
  { mode: 'lstm' as const, gates: 4, step: lstmStep() },
  { mode: 'gru' as const, gates: 3, step: gruStep() },
];

interface Layer {
  mode: 'lstm' | 'gru';
  hidden: number;
  /** i2h weight, i2h bias, h2h weight, h2h bias: variable names. */
  weights: string[];
  /** The step inputs, t = 0 … T-1. */
  inputs: NodeEntry[];
}

const isZeros = (e: NodeEntry): boolean => e.node.op?.name === '_zeros';
const same = (a: NodeEntry, b: NodeEntry): boolean => a.node === b.node && a.index === b.index;
const WEIGHTS = ['wi', 'bi', 'wh', 'bh'] as const;

// The layer whose step outputs are `outputs`, or undefined.
function matchLayer(outputs: readonly NodeEntry[]): Layer | undefined {
  for (const cell of CELLS) {
    const steps: Captures[] = [];
    for (const h of outputs) {
      const caps: Captures = new Map();
      if (!match(h, cell.step, caps)) break;
      steps.push(caps);
    }
    if (steps.length !== outputs.length) continue;
    const first = steps[0]!;
    const weights = WEIGHTS.map((k) => first.get(k)!.node);
    if (!weights.every((n) => n.isVariable)) return undefined;
    const chained = steps.every((caps, t) => {
      if (!WEIGHTS.every((k, i) => caps.get(k)!.node === weights[i])) return false;
      if (t === 0) return isZeros(caps.get('h')!) && (cell.mode !== 'lstm' || isZeros(caps.get('c')!));
      return same(caps.get('h')!, outputs[t - 1]!) && (cell.mode !== 'lstm' || same(caps.get('c')!, steps[t - 1]!.get('state')!));
    });
    if (!chained) return undefined;
    const numHidden = first.get('i2h')!.node.params<{ numHidden: number }>().numHidden;
    if (numHidden % cell.gates !== 0 || first.get('h2h')!.node.params<{ numHidden: number }>().numHidden !== numHidden)
      return undefined;
    return {
      mode: cell.mode,
      hidden: numHidden / cell.gates,
      weights: weights.map((n) => n.name),
      inputs: steps.map((c) => c.get('x')!),
    };
  }
  return undefined;
}

// Dropout between stacked layers is the identity at inference.
const throughDropout = (e: NodeEntry): NodeEntry =>
  e.node.op?.name === 'Dropout' && e.index === 0 ? throughDropout(e.node.inputs[0]!) : e;

interface Stack {
  layers: Layer[];
  /** The tensor the first layer's steps are sliced from, and its time axis. */
  source: NodeEntry;
  axis: number;
}

// A stack whose merged output is `concat`: Concat(dim a) of expand_dims(axis a) of the last layer's steps.
function matchStack(concat: NodeEntry): Stack | undefined {
  const n = concat.node;
  if (n.op?.name !== 'Concat' || concat.index !== 0) return undefined;
  const axis = n.params<{ dim: number }>().dim;
  if (axis !== 0 && axis !== 1) return undefined;
  if (!n.inputs.every((e) => e.node.op?.name === 'expand_dims' && e.node.params<{ axis: number }>().axis === axis))
    return undefined;
  let outputs = n.inputs.map((e) => e.node.inputs[0]!);
  const layers: Layer[] = [];
  for (;;) {
    const layer = matchLayer(outputs);
    if (!layer) return undefined;
    layers.unshift(layer);
    const inputs = layer.inputs.map(throughDropout);
    const split = inputs[0]!.node;
    const sliced =
      split.op?.name === 'SliceChannel' &&
      inputs.every((e, t) => e.node === split && e.index === t) &&
      split.params<{ numOutputs: number; axis: number; squeezeAxis: boolean }>().numOutputs === inputs.length &&
      split.params<{ axis: number }>().axis === axis &&
      split.params<{ squeezeAxis: boolean }>().squeezeAxis;
    if (sliced)
      return layers.every((l) => l.mode === layers[0]!.mode && l.hidden === layers[0]!.hidden)
        ? { layers, source: split.inputs[0]!, axis }
        : undefined;
    outputs = inputs;
  }
}

// MXNet's fused `parameters` for the stack: every layer's i2h then h2h weights, then every layer's
// i2h then h2h biases; the cells stack their gates in the fused op's order already.
function packParameters(stack: Stack, params: ParamValues): Float32Array | undefined {
  const parts: Float32Array[] = [];
  for (const group of [
    [0, 2],
    [1, 3],
  ]) {
    for (const layer of stack.layers) {
      for (const k of group) {
        const value = params.get(layer.weights[k]!);
        if (!value) return undefined;
        parts.push(value.data);
      }
    }
  }
  const packed = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    packed.set(p, at);
    at += p.length;
  }
  return packed;
}

/**
 * `symbol` with every recognised unrolled cell stack replaced by a fused RNN op (on a copy of the
 * graph), and `params` with the packed parameters added; the symbol itself when there is none.
 */
export function fuseUnrolledCells(symbol: Symbol, params: ParamValues): Symbol {
  const copy = copyGraph(symbol.outputs);
  const replaced = new Map<NodeEntry['node'], NodeEntry>();
  for (const n of topoOrder(copy.heads)) {
    const stack = matchStack(entry(n, 0));
    if (!stack) continue;
    const packed = packParameters(stack, params);
    if (!packed) continue;
    const { mode, hidden } = stack.layers[0]!;
    const L = stack.layers.length;
    const name = `${n.name}_fused`;
    params.set(`${name}_parameters`, { shape: [packed.length], data: packed });
    const source = new SymbolClass([stack.source]);
    const tnc = stack.axis === 1 ? transpose({ data: source, axes: [1, 0, 2], name: `${name}_tnc` }) : source;
    const states = mode === 'lstm' ? ['state', 'state_cell'] : ['state'];
    const args: Record<string, unknown> = {
      data: tnc,
      parameters: Variable(`${name}_parameters`),
      stateSize: hidden,
      numLayers: L,
      mode,
      name: `${name}_rnn`,
    };
    for (const s of states) args[s] = _zeros({ shape: [L, 0, hidden], name: `${name}_${s}` });
    const out = RNN(args as Parameters<typeof RNN>[0]);
    const merged = stack.axis === 1 ? transpose({ data: out, axes: [1, 0, 2], name }) : out;
    replaced.set(n, merged.outputs[0]!);
  }
  if (replaced.size === 0) return symbol;
  const redirect = (e: NodeEntry): NodeEntry => (e.index === 0 && replaced.get(e.node)) || e;
  for (const n of topoOrder(copy.heads)) n.inputs = n.inputs.map(redirect);
  return new SymbolClass(copy.heads.map(redirect));
}
